import type { HostFacts, OsRelease } from '../hosts/facts.js';
import type { MissingNeed } from './needs.js';
import { needHint, type PackagePlan } from './plan.js';

/** What preparing one host (or the control machine) found and did. */
export interface PrepareResult {
  host: string;
  /** 'Debian 12'. */
  distro: string;
  /**
   * nothing-missing: every need was met, nothing ran. planned: a dry run (packages and commands say what would
   * run). installed: the plan ran and the needs were checked again. manual-only: something is missing but no
   * package here provides it (see unresolved).
   */
  status: 'nothing-missing' | 'planned' | 'installed' | 'manual-only';
  /** The needs found unmet before anything ran. */
  missing: { id: string; title: string; roles: string[]; found: string }[];
  /** Packages installed (planned, in a dry run). */
  packages: string[];
  /** The root commands run (to be run, in a dry run). */
  commands: string[];
  /** Titles of the needs the install met (checked again afterwards). */
  met: string[];
  /** Needs still unmet (or, in a dry run, that the plan cannot meet), each with what to do. */
  unresolved: { id: string; title: string; hint: string }[];
  /** Side effects worth knowing (the default java changed). */
  notes: string[];
}

const brief = (n: MissingNeed) => ({ id: n.id, title: n.title, roles: n.roles, found: n.found });

/** The result before anything runs: nothing missing, the plan (run next, or a dry run's), or manual only. Pure. */
export function resultBefore(host: string, plan: PackagePlan, missing: readonly MissingNeed[]): PrepareResult {
  const status = missing.length === 0 ? 'nothing-missing' : plan.commands.length === 0 ? 'manual-only' : 'planned';
  return {
    host,
    distro: plan.distro,
    status,
    missing: missing.map(brief),
    packages: plan.packages,
    commands: plan.commands,
    met: [],
    unresolved: plan.manual.map((m) => ({ id: m.need.id, title: m.need.title, hint: m.hint })),
    notes: [],
  };
}

/**
 * The result after the plan ran: what the re-check found met, and what is still missing with its hint.
 * `javaRoles`: the roles that run on the java on PATH (to tell when installing a newer JDK moved it). Pure.
 */
export function resultAfter(
  before: PrepareResult,
  plan: PackagePlan,
  os: OsRelease,
  still: readonly MissingNeed[],
  was: HostFacts,
  now: HostFacts,
  javaRoles: readonly string[],
): PrepareResult {
  const left = new Set(still.map((n) => n.id));
  const notes: string[] = [];
  if (javaRoles.length && was.java.version && now.java.version && was.java.version !== now.java.version) {
    // Where alternatives are automatic, a newer JDK takes over `java`; the check accepts it, people should know.
    const home = was.jdks.find((j) => j.version === was.java.version)?.home;
    notes.push(
      `java on PATH is now Java ${now.java.version} (was ${was.java.version}) for ${javaRoles.join(', ')}` +
        (home ? `; to keep them on the old one set javaHome: ${home}` : ''),
    );
  }
  return {
    ...before,
    status: 'installed',
    met: plan.install.filter((i) => !left.has(i.need.id)).map((i) => i.need.title),
    unresolved: still.map((n) => ({ id: n.id, title: n.title, hint: needHint(os, n) })),
    notes,
  };
}

/** Human lines for a result, one thing a line. Pure. */
export function describeResult(r: PrepareResult): string[] {
  const lines: string[] = [];
  const missing = r.missing.map((m) => `${m.title} (${m.found})`).join('; ');
  switch (r.status) {
    case 'nothing-missing':
      lines.push(`${r.distro}: nothing missing, nothing to install`);
      break;
    case 'planned':
      lines.push(`${r.distro}: missing ${missing}`, `would install ${r.packages.join(' ')}:`, ...r.commands.map((c) => `  ${c}`));
      break;
    case 'installed':
      lines.push(`${r.distro}: installed ${r.packages.join(' ')}${r.met.length ? `; now present: ${r.met.join(', ')}` : ''}`);
      break;
    case 'manual-only':
      lines.push(`${r.distro}: missing ${missing}; nothing pyro can install`);
      break;
  }
  for (const u of r.unresolved) lines.push(`still missing: ${u.title}: ${u.hint}`);
  for (const n of r.notes) lines.push(`note: ${n}`);
  return lines;
}
