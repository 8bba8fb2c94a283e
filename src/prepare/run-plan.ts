import type { Host } from '../hosts/host.js';
import { HostError } from '../util/errors.js';
import type { PackagePlan } from './plan.js';
import { NO_ROOT_EXIT, RECHECK_MARKER, prepareScript } from './script.js';

/** Downloading a JDK and PostgreSQL through a slow mirror takes minutes; a hung apt lock should not take hours. */
const INSTALL_TIMEOUT_MS = 30 * 60_000;

export interface RunPlanOptions {
  signal?: AbortSignal;
  /** Each line the package manager prints, as it arrives. */
  log: (line: string) => void;
  /** The user the host is reached as, for the error when it cannot become root. */
  user?: string;
}

/**
 * Runs a plan's commands as root and then `recheck` as the connecting user, in one exec. Returns the re-check's
 * output. HostError PREPARE_NO_ROOT when the user is not root and `sudo -n` is refused, PREPARE_FAILED when the
 * package manager fails.
 */
export async function runPlan(host: Host, plan: PackagePlan, recheck: string, opts: RunPlanOptions): Promise<string> {
  let pending = '';
  let installing = true;
  const onStdout = (chunk: Buffer) => {
    if (!installing) return;
    pending += chunk.toString('utf8');
    const lines = pending.split('\n');
    pending = lines.pop() ?? '';
    for (const line of lines) {
      if (line.startsWith(RECHECK_MARKER)) {
        installing = false;
        return;
      }
      if (line.trim()) opts.log(line);
    }
  };
  const res = await host.exec(prepareScript(plan.commands, recheck), { timeoutMs: INSTALL_TIMEOUT_MS, signal: opts.signal, onStdout });
  // The install's own status is the one on the marker line: the re-check after it may end as it likes.
  const at = res.stdout.indexOf(`${RECHECK_MARKER} `);
  const rc = at < 0 ? res.exitCode : Number.parseInt(res.stdout.slice(at + RECHECK_MARKER.length + 1), 10);
  const manual = plan.commands.join('\n  ');
  if (rc === NO_ROOT_EXIT) {
    const who = opts.user ?? 'the SSH user';
    throw new HostError(
      'PREPARE_NO_ROOT',
      host.name,
      `cannot install packages on ${host.name}: ${who} is not root and sudo -n asks for a password (or there is no sudo)`,
      {
        hint: `connect as root (ssh.user: root), or let ${who} run sudo without a password; or run as root on ${host.name}:\n  ${manual}`,
      },
    );
  }
  if (at < 0 || rc !== 0) {
    const tail = `${res.stdout.slice(0, at < 0 ? undefined : at)}\n${res.stderr}`.trim().split('\n').slice(-12).join('\n');
    throw new HostError(
      'PREPARE_FAILED',
      host.name,
      `installing ${plan.packages.join(', ')} on ${host.name} failed (${at < 0 ? `ended early, exit ${res.exitCode}` : `exit ${rc}`}):\n${tail}`,
      {
        hint: `run the same as root on ${host.name} to see why (a repository unreachable, a package renamed?):\n  ${manual}`,
      },
    );
  }
  return res.stdout.slice(at);
}
