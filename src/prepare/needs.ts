import type { FactProbe, HostFacts } from '../hosts/facts.js';
import { instancesOn } from '../inventory/resolve.js';
import type { HostSpec, Inventory } from '../inventory/types.js';
import { cmpVersion, type NeedKind } from './packages.js';

/** One thing a host must have for its roles. */
export interface Need {
  /** Stable id, also the `pyro check` row it shows in: java, java21, python, python-venv, or a service's. */
  id: string;
  /** What it is, for people ('Java 17', 'PostgreSQL server'). */
  title: string;
  /** Roles on the host that need it (empty for the control machine). */
  roles: string[];
  what: NeedKind;
  /** sh test run in the facts script (exit 0: present); needs without one are judged from the facts' own fields. */
  test?: string;
}

/** A need the facts show unmet. */
export interface MissingNeed extends Need {
  /** What is there instead ('Java 11.0.2 at /usr/bin/java', 'not found'). */
  found: string;
  /** Set when a package would not help as the inventory stands: what to do instead. */
  blocked?: string;
}

/**
 * What a host's roles need: Java from their `javaMin` (17, or 21 where NiFi runs), Python with venv from
 * `pythonMin`, and each service's `hostPackages`. Pure.
 */
export function hostNeeds(inv: Inventory, spec: HostSpec): Need[] {
  const insts = instancesOn(inv, spec);
  const out: Need[] = [];
  const jvm = insts.filter((i) => i.def.javaMin !== undefined);
  const j17 = jvm.filter((i) => i.def.javaMin! < 21);
  const j21 = jvm.filter((i) => i.def.javaMin! >= 21);
  if (j17.length) {
    const major = Math.max(17, ...j17.map((i) => i.def.javaMin!));
    out.push({ id: 'java', title: `Java ${major}`, roles: j17.map((i) => i.def.role), what: { kind: 'java', major } });
  }
  if (j21.length) {
    const major = Math.max(...j21.map((i) => i.def.javaMin!));
    out.push({ id: 'java21', title: `Java ${major}`, roles: j21.map((i) => i.def.role), what: { kind: 'java', major } });
  }
  const py = insts.filter((i) => i.def.pythonMin);
  if (py.length) {
    const min = py
      .map((i) => i.def.pythonMin!)
      .sort(cmpVersion)
      .at(-1)!;
    const roles = py.map((i) => i.def.role);
    out.push({ id: 'python', title: `Python ${min}+`, roles, what: { kind: 'python', interpreter: spec.python, min } });
    out.push({ id: 'python-venv', title: `Python venv (${spec.python} -m venv)`, roles, what: { kind: 'python-venv', interpreter: spec.python } });
  }
  const byId = new Map<string, Need>();
  for (const inst of insts) {
    for (const p of inst.def.hostPackages ?? []) {
      const seen = byId.get(p.id);
      if (seen) seen.roles.push(inst.def.role);
      else
        byId.set(p.id, { id: p.id, title: p.title, roles: [inst.def.role], test: p.test, what: { kind: 'packages', packages: p.packages, before: p.before } });
    }
  }
  return [...out, ...byId.values()];
}

/** The facts-script probes for the needs that carry a test. */
export function probesFor(needs: readonly Need[]): FactProbe[] {
  return needs.filter((n) => n.test).map((n) => ({ id: n.id, test: n.test! }));
}

/** The JDK under /usr/lib/jvm with the lowest major at or above `major`. */
function installedJdk(facts: HostFacts, major: number): HostFacts['jdks'][number] | undefined {
  return facts.jdks.filter((j) => j.major >= major).sort((a, b) => a.major - b.major)[0];
}

function javaFound(t: HostFacts['java']): string {
  return t.major === undefined ? `no Java at ${t.path}` : `Java ${t.version} at ${t.path}`;
}

/**
 * The needs the facts show unmet. A need the facts say nothing about (a probe not run) counts as met: the
 * caller did not ask. Pure.
 */
export function missingNeeds(needs: readonly Need[], facts: HostFacts, spec: Pick<HostSpec, 'javaHome' | 'java21Home'>): MissingNeed[] {
  const out: MissingNeed[] = [];
  for (const need of needs) {
    const what = need.what;
    if (what.kind === 'java' && !what.jdk) {
      const is21 = need.id === 'java21';
      const tool = is21 ? facts.java21 : facts.java;
      if (tool.major !== undefined && tool.major >= what.major) continue;
      // A suitable JDK already installed needs only the setting; otherwise the package is installed, after which
      // the check finds it here and names the setting if PATH (or the configured home) still shows another.
      const setting = is21 ? 'java21Home' : 'javaHome';
      // java21 falls back to javaHome's java (or PATH's) when java21Home is unset, as the facts script does.
      const configured = is21 ? (spec.java21Home ?? spec.javaHome) : spec.javaHome;
      const jdk = installedJdk(facts, what.major);
      const blocked = !jdk
        ? undefined
        : configured
          ? `${is21 && !spec.java21Home ? 'javaHome' : setting} is ${configured}, without Java ${what.major}+; Java ${jdk.version} is installed at ${jdk.home}: set ${setting}: ${jdk.home}`
          : `Java ${jdk.version} is installed at ${jdk.home} but is not the java on PATH: set ${setting}: ${jdk.home} in the inventory`;
      out.push({ ...need, found: javaFound(tool), ...(blocked ? { blocked } : {}) });
    } else if (what.kind === 'python') {
      const p = facts.python;
      if (p.major !== undefined && cmpVersion(`${p.major}.${p.minor ?? 0}`, what.min) >= 0) continue;
      out.push({ ...need, found: p.major === undefined ? `no ${p.path}` : `Python ${p.version} at ${p.path}` });
    } else if (what.kind === 'python-venv') {
      const v = facts.pythonVenv;
      if (facts.python.major === undefined) out.push({ ...need, found: `no ${facts.python.path}` });
      else if (v && !v.venv) out.push({ ...need, found: 'no venv module' });
      else if (v && !v.ensurepip) out.push({ ...need, found: `no ensurepip: \`${facts.python.path} -m venv\` fails without --without-pip` });
    } else if (need.test) {
      if (facts.probes[need.id] === false) out.push({ ...need, found: 'not found' });
    }
  }
  return out;
}
