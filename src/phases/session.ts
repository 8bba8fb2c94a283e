import type { Host } from '../hosts/host.js';
import type { Inventory } from '../inventory/types.js';
import type { ProbeContext } from '../services/runtime.js';
import type { ClusterIds, ClusterState } from '../state/cluster-state.js';
import type { Output } from '../ui/output.js';

/** One run of a verb against a cluster: inventory, state, connected hosts and the run's options. */
export interface Session {
  inv: Inventory;
  state: ClusterState;
  ids: ClusterIds;
  /** Generated secrets the inventory's services need, by name. Never printed. */
  secrets: Record<string, string>;
  hosts: Map<string, Host>;
  out: Output;
  signal: AbortSignal;
  dryRun: boolean;
  /** Quiet human output (under --json). */
  quiet: boolean;
  /** Seconds a service may take to become ready, and a gate to pass. */
  readyTimeoutSec: number;
  /** One line per change made (or planned), for the history and --json. */
  changes: string[];
}

export function probeContext(s: Session): ProbeContext {
  return { inv: s.inv, ids: s.ids, secrets: s.secrets };
}

export function hostOf(s: Session, name: string): Host {
  const h = s.hosts.get(name);
  if (!h) throw new Error(`no connection to ${name}`);
  return h;
}

/** A line about a host, unless quiet. */
export function say(s: Session, host: string, line: string): void {
  if (!s.quiet) s.out.host(host, line);
}

export function note(s: Session, line: string): void {
  if (!s.quiet) s.out.info(line);
}

export const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason as Error);
    const t = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(t);
      reject(signal!.reason as Error);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
