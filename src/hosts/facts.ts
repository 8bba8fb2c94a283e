import type { HostSpec } from '../inventory/types.js';
import type { Host } from './host.js';
import { shellQuote } from './host.js';

/** What pyro learns about a host in one round trip. */
export interface HostFacts {
  os: string;
  arch: string;
  distro: string;
  cpus: number;
  memTotalMb: number;
  memAvailableMb: number;
  /** Java found for `javaHome` (or on PATH). */
  java: ToolFacts;
  /** Java found for `java21Home` (or the same as java when unset). */
  java21: ToolFacts;
  python: ToolFacts;
  /** Free space by label (install, data, log): the nearest existing dir and its free MiB. */
  disk: Record<string, { path: string; freeMb: number }>;
  /** TCP ports something listens on. */
  listening: number[];
  /** /etc/os-release (ID, VERSION_ID, ID_LIKE) and the package manager that goes with it. */
  osRelease: OsRelease;
  /** Numeric uid of the user pyro runs as on the host (undefined when unknown). */
  uid?: number;
  /** Whether `python -m venv` works fully: the venv module and ensurepip (Debian splits it into python3-venv). */
  pythonVenv?: { venv: boolean; ensurepip: boolean };
  /** JDKs installed under /usr/lib/jvm (real paths), with their major version. */
  jdks: { home: string; version: string; major: number }[];
  /** Result of each probe the caller passed (a service's host package test), by id. */
  probes: Record<string, boolean>;
  /** Host clock minus ours, in ms, and the round trip that bounds its error. */
  clockSkewMs: number;
  rttMs: number;
}

/** Which package manager pyro can drive on a host: apt (Debian, Ubuntu), dnf (RHEL-likes, Fedora), or none. */
export type PackageFamily = 'apt' | 'dnf' | 'none';

export interface OsRelease {
  /** os-release ID ('debian', 'ubuntu', 'rocky'), '' when unknown. */
  id: string;
  /** os-release VERSION_ID ('12', '22.04', '9.4'), '' when absent (Debian testing, Arch). */
  versionId: string;
  /** os-release ID_LIKE, split ('rhel centos fedora'). */
  like: string[];
  family: PackageFamily;
}

/** A sh test run in the facts script: exits 0 when what it tests for is present. */
export interface FactProbe {
  id: string;
  test: string;
}

export interface ToolFacts {
  path: string;
  /** Version string as reported, or undefined when missing. */
  version?: string;
  /** Major version number (Java: 17; Python: 3). */
  major?: number;
  minor?: number;
}

/** Lines that learn the OS release and the user; also used alone for the control machine. */
export function osFactsLines(): string[] {
  return [
    // '-' stands in for an empty field so the words keep their places.
    'echo "@osrel $( (. /etc/os-release 2>/dev/null; echo "${ID:--} ${VERSION_ID:--} ${ID_LIKE:-}") )"',
    'echo "@uid $(id -u)"',
  ];
}

/** One '@probe id 0|1' line per probe; each test runs in a subshell so an `exit` in it ends only the test. */
export function probeLines(probes: readonly FactProbe[]): string[] {
  // The newline before ')' lets a test end in a comment.
  return probes.map((p) => `if ( ${p.test}\n) >/dev/null 2>&1; then echo "@probe ${p.id} 1"; else echo "@probe ${p.id} 0"; fi`);
}

/**
 * The shell script that gathers facts; section lines start with '@'. `probes` are extra presence tests (a
 * service's host packages). Exported for tests.
 */
export function factsScript(spec: HostSpec, probes: readonly FactProbe[] = []): string {
  const java = spec.javaHome ? `${spec.javaHome}/bin/java` : 'java';
  const java21 = spec.java21Home ? `${spec.java21Home}/bin/java` : java;
  return [
    // Time first: its line is stamped on arrival (see gatherFacts), which bounds the skew's error by one-way latency.
    'echo "@time $(date +%s%3N)"',
    'LC_ALL=C; export LC_ALL',
    'existing() { d=$1; while [ ! -e "$d" ] && [ "$d" != / ]; do d=$(dirname "$d"); done; printf %s "$d"; }',
    'echo "@os $(uname -s) $(uname -m)"',
    'echo "@distro $( (. /etc/os-release 2>/dev/null && echo "$PRETTY_NAME") || uname -sr)"',
    'echo "@cpus $(getconf _NPROCESSORS_ONLN 2>/dev/null || nproc)"',
    `echo "@mem $(awk '/^MemTotal:/{t=$2} /^MemAvailable:/{a=$2} END{print t, a}' /proc/meminfo)"`,
    `j=${shellQuote(java)}; echo "@java $j $( "$j" -version 2>&1 | head -n 1 || true)"`,
    `j=${shellQuote(java21)}; echo "@java21 $j $( "$j" -version 2>&1 | head -n 1 || true)"`,
    `p=${shellQuote(spec.python)}; echo "@python $p $( "$p" -c 'import sys; print("%d.%d.%d" % sys.version_info[:3])' 2>/dev/null || echo missing)"`,
    // find_spec looks without importing; Debian ships ensurepip only in python3-venv, without which `-m venv` fails.
    `echo "@pyvenv $( "$p" -c 'from importlib.util import find_spec as f; print(int(bool(f("venv"))), int(bool(f("ensurepip"))))' 2>/dev/null)"`,
    ...osFactsLines(),
    // JDKs by their release file, without starting a JVM each; symlinked aliases collapse to one real path.
    `for d in /usr/lib/jvm/*; do [ -x "$d/bin/java" ] && [ -f "$d/release" ] || continue; echo "@jdk $(readlink -f "$d") $(awk -F'"' '/^JAVA_VERSION=/{print $2}' "$d/release")"; done | sort -u`,
    ...probeLines(probes),
    ...(['install', spec.installDir, 'data', spec.dataDir, 'log', spec.logDir] as const)
      .reduce<string[][]>((acc, v, i, arr) => (i % 2 ? acc : [...acc, [v, arr[i + 1]!]]), [])
      .map(([label, dir]) => `d=$(existing ${shellQuote(dir!)}); echo "@df ${label} $d $(df -Pk "$d" | awk 'NR==2{print $4}')"`),
    `awk 'NR>1 && $4=="0A" {n=split($2,a,":"); print "@listen " a[n]}' /proc/net/tcp /proc/net/tcp6 2>/dev/null | sort -u`,
  ].join('\n');
}

const APT_IDS = ['debian', 'ubuntu'];
const DNF_IDS = ['rhel', 'fedora', 'centos', 'rocky', 'almalinux'];

/** The package manager for an os-release ID and ID_LIKE: the ID decides, else the first ID_LIKE pyro knows. */
export function packageFamily(id: string, like: readonly string[]): PackageFamily {
  for (const x of [id, ...like]) {
    if (APT_IDS.includes(x)) return 'apt';
    if (DNF_IDS.includes(x)) return 'dnf';
  }
  return 'none';
}

/** Major of a Java version string: '17.0.15' -> 17, '1.8.0_392' -> 8, '21' -> 21. */
export function javaMajor(version: string): number | undefined {
  const m = /^(\d+)(?:\.(\d+))?/.exec(version);
  if (!m) return undefined;
  return m[1] === '1' && m[2] ? Number(m[2]) : Number(m[1]);
}

function parseJava(path: string, line: string): ToolFacts {
  const m = /version "(\d+)(?:\.(\d+))?[^"]*"/.exec(line);
  if (!m) return { path };
  // Java 8 and older report 1.8: the major is the second number.
  const major = m[1] === '1' ? Number(m[2]) : Number(m[1]);
  return { path, version: /version "([^"]+)"/.exec(line)![1], major };
}

/** Parses the script's output; `timeArrivedMs` is our clock when the @time line arrived. */
export function parseFacts(out: string, localStartMs: number, localEndMs: number, timeArrivedMs = localEndMs): HostFacts {
  const f: HostFacts = {
    os: '',
    arch: '',
    distro: '',
    cpus: 0,
    memTotalMb: 0,
    memAvailableMb: 0,
    java: { path: 'java' },
    java21: { path: 'java' },
    python: { path: 'python3' },
    disk: {},
    listening: [],
    clockSkewMs: 0,
    rttMs: localEndMs - localStartMs,
    osRelease: { id: '', versionId: '', like: [], family: 'none' },
    jdks: [],
    probes: {},
  };
  for (const line of out.split('\n')) {
    const m = /^@(\w+) ?(.*)$/.exec(line);
    if (!m) continue;
    const [, key, rest = ''] = m;
    const words = rest.split(' ');
    switch (key) {
      case 'os':
        [f.os = '', f.arch = ''] = words;
        break;
      case 'distro':
        f.distro = rest;
        break;
      case 'cpus':
        f.cpus = Number(words[0]) || 0;
        break;
      case 'mem':
        f.memTotalMb = Math.floor(Number(words[0]) / 1024) || 0;
        f.memAvailableMb = Math.floor(Number(words[1]) / 1024) || 0;
        break;
      case 'java':
        f.java = parseJava(words[0]!, words.slice(1).join(' '));
        break;
      case 'java21':
        f.java21 = parseJava(words[0]!, words.slice(1).join(' '));
        break;
      case 'python': {
        const v = words[1];
        const pm = v ? /^(\d+)\.(\d+)/.exec(v) : null;
        f.python = pm ? { path: words[0]!, version: v, major: Number(pm[1]), minor: Number(pm[2]) } : { path: words[0]! };
        break;
      }
      case 'osrel': {
        const [id = '-', ver = '-', ...like] = words.filter(Boolean);
        const osr = { id: id === '-' ? '' : id, versionId: ver === '-' ? '' : ver, like };
        f.osRelease = { ...osr, family: packageFamily(osr.id, osr.like) };
        break;
      }
      case 'uid':
        if (/^\d+$/.test(words[0] ?? '')) f.uid = Number(words[0]);
        break;
      case 'pyvenv':
        if (words.length === 2) f.pythonVenv = { venv: words[0] === '1', ensurepip: words[1] === '1' };
        break;
      case 'jdk': {
        const major = javaMajor(words[1] ?? '');
        if (words[0] && major !== undefined) f.jdks.push({ home: words[0], version: words[1]!, major });
        break;
      }
      case 'probe':
        if (words[0]) f.probes[words[0]] = words[1] === '1';
        break;
      case 'df':
        f.disk[words[0]!] = { path: words[1]!, freeMb: Math.floor(Number(words[2]) / 1024) || 0 };
        break;
      case 'listen':
        f.listening.push(parseInt(words[0]!, 16));
        break;
      case 'time': {
        const remote = Number(words[0]);
        if (Number.isFinite(remote)) f.clockSkewMs = remote - timeArrivedMs;
        break;
      }
    }
  }
  f.listening = [...new Set(f.listening)].sort((a, b) => a - b);
  return f;
}

/** Gathers facts with one remote command; `probes` add presence tests to it (see factsScript). */
export async function gatherFacts(host: Host, spec: HostSpec, signal?: AbortSignal, probes: readonly FactProbe[] = []): Promise<HostFacts> {
  const start = Date.now();
  let arrived: number | undefined;
  const res = await host.exec(factsScript(spec, probes), {
    timeoutMs: 30_000,
    signal,
    onStdout: () => {
      arrived ??= Date.now();
    },
  });
  const end = Date.now();
  return parseFacts(res.stdout, start, end, arrived ?? end);
}
