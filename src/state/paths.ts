import os from 'node:os';
import path from 'node:path';
import { ensurePrivateDir } from '../util/private-dir.js';

/** Root of pyro's local state: $PYRO_STATE_DIR, else $XDG_STATE_HOME/pyro, else ~/.local/state/pyro. */
export function stateRoot(): string {
  if (process.env.PYRO_STATE_DIR) return path.resolve(process.env.PYRO_STATE_DIR);
  const xdg = process.env.XDG_STATE_HOME || path.join(os.homedir(), '.local', 'state');
  return path.join(xdg, 'pyro');
}

/** Per-cluster state dir (known hosts, ids, secrets, history). */
export function clusterStateDir(cluster: string): string {
  return path.join(stateRoot(), 'clusters', cluster);
}

/** pyro's own known-hosts file for a cluster. */
export function knownHostsFile(cluster: string): string {
  return path.join(clusterStateDir(cluster), 'known_hosts');
}

/**
 * Creates a state dir 0700 and tightens it, the state root and every dir between to 0700 (they hold secrets and
 * host keys), whoever created them first. A dir outside the state root (a test's) is tightened alone.
 */
export async function ensureStateDir(dir: string): Promise<void> {
  await ensurePrivateDir(dir, stateRoot());
}
