import type { OsRelease } from '../hosts/facts.js';

/** What a need is, to look up its packages: platform needs by distribution, a service's from its definition. */
export type NeedKind =
  /** A Java runtime of at least `major` (hosts), or a JDK with javac and jar (`jdk`, the control machine). */
  | { kind: 'java'; major: number; jdk?: boolean }
  /** The interpreter `interpreter` (python3 or python3.X), at least version `min`. */
  | { kind: 'python'; interpreter: string; min: string }
  /** `interpreter -m venv` working, ensurepip included. */
  | { kind: 'python-venv'; interpreter: string }
  | { kind: 'pip'; interpreter: string }
  | { kind: 'maven' }
  /** Packages named by a service definition. */
  | { kind: 'packages'; packages: { apt?: string[]; dnf?: string[] }; before?: { apt?: string; dnf?: string } };

/** Packages that provide a need here (and sh to run as root first), or why there are none. */
export type Resolution = { packages: string[]; before?: string } | { none: string };

const NAMES: Record<string, string> = {
  debian: 'Debian',
  ubuntu: 'Ubuntu',
  rhel: 'RHEL',
  rocky: 'Rocky Linux',
  almalinux: 'AlmaLinux',
  centos: 'CentOS Stream',
  fedora: 'Fedora',
  alpine: 'Alpine Linux',
  arch: 'Arch Linux',
  opensuse: 'openSUSE',
};
const RHEL_LIKE = ['rhel', 'rocky', 'almalinux', 'centos'];

/** 'Debian 12', 'Rocky Linux 9.4', or 'this distribution' when os-release said nothing. */
export function distroName(os: OsRelease): string {
  if (!os.id) return 'this distribution';
  return `${NAMES[os.id] ?? os.id}${os.versionId ? ` ${os.versionId}` : ''}`;
}

/** VERSION_ID as a number (22.04, 9.4); none means a rolling release (testing, sid, Arch): the newest. */
function version(os: OsRelease): number {
  const v = Number.parseFloat(os.versionId);
  return Number.isFinite(v) ? v : Number.POSITIVE_INFINITY;
}

/** Whether the distribution's own repositories carry an OpenJDK of this major; undefined when pyro cannot tell. */
function hasOpenJdk(os: OsRelease, major: 17 | 21): boolean | undefined {
  const v = version(os);
  if (os.id === 'debian') return major === 17 ? v >= 11 && v < 13 : v >= 13; // bookworm has no 21, trixie no 17
  if (os.id === 'ubuntu') return v >= 20.04;
  if (RHEL_LIKE.includes(os.id)) return major === 17 ? v >= 8 && v < 10 : v >= 8; // RHEL 10 ships 21 and later only
  if (os.id === 'fedora') return major === 17 ? v <= 41 : v <= 44; // 17 obsoleted in 42; 21 retired in 45
  return undefined;
}

/** Releases whose python3 is older than 3.10, with the version they ship. */
const OLD_PYTHON3: { ids: string[]; below: number; version: (v: number) => string }[] = [
  { ids: ['debian'], below: 12, version: (v) => (v >= 11 ? '3.9' : '3.7') },
  { ids: ['ubuntu'], below: 22.04, version: (v) => (v >= 20.04 ? '3.8' : '3.6') },
  { ids: RHEL_LIKE, below: 10, version: (v) => (v >= 9 ? '3.9' : '3.6') },
];

/** Compares dotted versions numerically ('3.9' < '3.10'). */
export function cmpVersion(a: string, b: string): number {
  const [x, y] = [a, b].map((s) => s.split('.').map(Number));
  for (let i = 0; i < Math.max(x!.length, y!.length); i++) {
    const d = (x![i] ?? 0) - (y![i] ?? 0);
    if (d) return d;
  }
  return 0;
}

function javaPackages(os: OsRelease, major: number, jdk: boolean): Resolution {
  const what = jdk ? `a JDK ${major}+ (javac and jar)` : `a Java ${major}+ runtime`;
  const setting = major >= 21 ? 'java21Home' : 'javaHome';
  const where = jdk ? 'set JAVA_HOME to it' : `set ${setting} to it in the inventory`;
  // The LTS releases distributions package; the lowest one that is new enough.
  const lts = ([17, 21] as const).filter((n) => n >= major);
  const name = (n: number) => (os.family === 'apt' ? `openjdk-${n}-${jdk ? 'jdk' : 'jre'}-headless` : `java-${n}-openjdk-${jdk ? 'devel' : 'headless'}`);
  if (os.family !== 'none') {
    // A runtime must be the version asked for: pyro runs Hadoop and Kafka on 17 and is not tested on others.
    // A JDK for Maven only needs to be new enough, so the control machine may take 21 where 17 is gone.
    for (const n of jdk ? lts : lts.slice(0, 1)) if (hasOpenJdk(os, n) !== false) return { packages: [name(n)] };
    if (jdk && os.family === 'apt') return { packages: ['default-jdk-headless'] };
  }
  return { none: `${distroName(os)} has no package for ${what}: download one (e.g. Eclipse Temurin), unpack it and ${where}` };
}

function pythonResolution(os: OsRelease, interpreter: string, min: string): Resolution {
  const m = /^python3(?:\.(\d+))?$/.exec(interpreter);
  if (!m) return { none: `python is set to ${interpreter}, which pyro does not install: install it by hand, or set python: python3` };
  if (interpreter === 'python3') {
    const old = OLD_PYTHON3.find((o) => o.ids.includes(os.id) && version(os) < o.below);
    const have = old?.version(version(os));
    if (have && cmpVersion(have, min) < 0) {
      // RHEL 8 and 9 package newer interpreters beside their python3; Debian and Ubuntu releases do not.
      const newer = RHEL_LIKE.includes(os.id) && version(os) >= 8 ? 'python3.11' : undefined;
      return {
        none: newer
          ? `python3 is Python ${have} on ${distroName(os)}, older than ${min}: set python: ${newer} in the inventory (pyro then installs the ${newer} package)`
          : `python3 is Python ${have} on ${distroName(os)}, older than ${min}, and it packages no newer one: install a Python ${min}+ by hand and set python: to it`,
      };
    }
  }
  return { packages: [interpreter] };
}

/** The packages that provide `what` on this distribution, or why pyro cannot install it there. */
export function resolvePackages(what: NeedKind, os: OsRelease, title: string): Resolution {
  if (os.family === 'none') {
    return { none: `${distroName(os)} has no package manager pyro drives (apt or dnf): install ${title} by hand` };
  }
  const fam = os.family;
  switch (what.kind) {
    case 'java':
      return javaPackages(os, what.major, Boolean(what.jdk));
    case 'python':
      return pythonResolution(os, what.interpreter, what.min);
    case 'python-venv': {
      // Only whether pyro can install this interpreter at all; its version is the python need's concern.
      const base = pythonResolution(os, what.interpreter, '3');
      if ('none' in base) return base;
      // Debian and Ubuntu split venv's ensurepip into <interpreter>-venv; Fedora and RHEL ship it with the interpreter.
      if (fam === 'apt') return { packages: [what.interpreter === 'python3' ? 'python3-venv' : `${what.interpreter}-venv`] };
      return { packages: [what.interpreter] };
    }
    case 'pip': {
      const base = pythonResolution(os, what.interpreter, '3');
      if ('none' in base) return base;
      return { packages: [fam === 'dnf' && what.interpreter !== 'python3' ? `${what.interpreter}-pip` : 'python3-pip'] };
    }
    case 'maven':
      return { packages: ['maven'] };
    case 'packages': {
      const pkgs = what.packages[fam];
      if (!pkgs?.length) return { none: `pyro knows no ${fam} package for ${title} on ${distroName(os)}: install it by hand` };
      const before = what.before?.[fam];
      return before ? { packages: pkgs, before } : { packages: pkgs };
    }
  }
}
