import type { OsRelease, PackageFamily } from '../hosts/facts.js';
import type { MissingNeed } from './needs.js';
import { distroName, resolvePackages } from './packages.js';

/** How a host gets what it lacks: the packages, the root commands that install them, and what pyro cannot install. */
export interface PackagePlan {
  family: PackageFamily;
  /** 'Debian 12', for messages. */
  distro: string;
  /** Needs the packages provide, each with its own. */
  install: { need: MissingNeed; packages: string[] }[];
  /** Needs no package here provides (or that a setting must fix), each with what to do instead. */
  manual: { need: MissingNeed; hint: string }[];
  /** Every package to install, once each, in need order. */
  packages: string[];
  /** sh commands run as root in order (stop at the first failure); empty when there is nothing to install. */
  commands: string[];
}

/** Waits for another apt or dpkg (unattended-upgrades on a fresh machine) instead of failing on its lock. */
const APT_LOCK_WAIT = '-o DPkg::Lock::Timeout=300';

/** The command that installs `packages` with this package manager (as root). */
export function installCommand(family: 'apt' | 'dnf', packages: readonly string[]): string {
  return family === 'apt'
    ? `DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends ${APT_LOCK_WAIT} ${packages.join(' ')}`
    : `dnf install -y ${packages.join(' ')}`;
}

/**
 * The install plan for a host of this distribution that lacks `missing`. apt: one `apt-get update`, then one
 * `apt-get install`; dnf: one `dnf install`; any other distribution: nothing run, every need manual with a hint.
 * Nothing missing: nothing to do. Pure.
 */
export function planPackages(os: OsRelease, missing: readonly MissingNeed[]): PackagePlan {
  const plan: PackagePlan = { family: os.family, distro: distroName(os), install: [], manual: [], packages: [], commands: [] };
  const before: string[] = [];
  for (const need of missing) {
    if (need.blocked) {
      plan.manual.push({ need, hint: need.blocked });
      continue;
    }
    const r = resolvePackages(need.what, os, need.title);
    if ('none' in r) {
      plan.manual.push({ need, hint: r.none });
      continue;
    }
    // venv for an interpreter that is itself to be fixed by hand would install the wrong interpreter's.
    const py = plan.manual.find((m) => m.need.id === 'python');
    if (need.id === 'python-venv' && py) {
      plan.manual.push({ need, hint: py.hint });
      continue;
    }
    plan.install.push({ need, packages: r.packages });
    for (const p of r.packages) if (!plan.packages.includes(p)) plan.packages.push(p);
    if (r.before && !before.includes(r.before)) before.push(r.before);
  }
  if (plan.packages.length && os.family !== 'none') {
    plan.commands =
      os.family === 'apt' ? [...before, 'apt-get update', installCommand('apt', plan.packages)] : [...before, installCommand('dnf', plan.packages)];
  }
  return plan;
}

/** What `pyro check` says to do about a missing need: the exact install command, or why there is none. */
export function needHint(os: OsRelease, need: MissingNeed, prepareVerb = 'pyro up --prepare'): string {
  if (need.blocked) return need.blocked;
  const r = resolvePackages(need.what, os, need.title);
  if ('none' in r) return r.none;
  const family = os.family as 'apt' | 'dnf';
  const plain = family === 'apt' ? `apt-get install -y ${r.packages.join(' ')}` : installCommand('dnf', r.packages);
  return `install it: ${plain} (as root), or let ${prepareVerb} do it`;
}
