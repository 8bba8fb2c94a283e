import { PG_SECRET } from '../services/postgresql-runtime.js';
import { SUPERSET_ADMIN_SECRET, SUPERSET_SECRET_KEY } from '../superset/registry.js';
import { createHosts } from '../hosts/connect.js';
import type { Host } from '../hosts/host.js';
import { runOnHosts, valuesOrThrow } from '../hosts/parallel.js';
import { formatDiagnostic } from '../inventory/diagnostics.js';
import { loadInventory } from '../inventory/load.js';
import type { HostSpec, Inventory } from '../inventory/types.js';
import { nodeKey } from '../services/kafka-runtime.js';
import { ClusterState } from '../state/cluster-state.js';
import { acquireLock, type ClusterLock } from '../state/lock.js';
import { knownHostsFile } from '../state/paths.js';
import type { Output } from '../ui/output.js';
import { managedInstances } from './desired.js';
import type { Session } from './session.js';

export interface OpenOptions {
  inventory: string;
  command: string;
  out: Output;
  signal: AbortSignal;
  dryRun?: boolean;
  quiet?: boolean;
  readyTimeoutSec?: number;
  /** Take the cluster lock (verbs that change the cluster). */
  lock?: boolean;
  trustNewHosts?: boolean;
  /** Hosts to connect to (default: every host running a managed service). */
  hostFilter?: (spec: HostSpec) => boolean;
}

export interface OpenSession extends Session {
  lock?: ClusterLock;
  close(): Promise<void>;
}

/** Loads the inventory (warnings printed), takes the lock if asked, reads the ids and connects the hosts in parallel. */
export async function openSession(o: OpenOptions): Promise<OpenSession> {
  const { inventory: inv, warnings } = await loadInventory(o.inventory);
  if (!o.quiet) for (const w of warnings) o.out.diagnostic(formatDiagnostic(w), 'warning');
  const state = new ClusterState(inv.clusterName, undefined, { readOnly: o.dryRun });
  const lock = o.lock && !o.dryRun ? await acquireLock(state.dir, o.command) : undefined;
  if (lock?.recovered && !o.quiet) o.out.warn(`took over a stale lock left by \`${lock.recovered.command}\` (pid ${lock.recovered.pid}, ${lock.recovered.started})`);
  const hosts = new Map<string, Host>();
  const close = async () => {
    await Promise.allSettled([...hosts.values()].map((h) => h.close()));
    await lock?.release();
  };
  try {
    const ids = await state.ids();
    const kafka = inv.instances.filter((i) => i.def.component === 'kafka');
    if (kafka.length) ids.kafkaNodeIds = { ...ids.kafkaNodeIds, ...(await state.kafkaNodeIds(kafka.map(nodeKey))) };
    const secrets: Record<string, string> = {};
    for (const name of secretNames(inv)) secrets[name] = await state.secret(name);
    const wanted = managedHostSpecs(inv).filter(o.hostFilter ?? (() => true));
    const created = createHosts(wanted, { knownHostsFile: knownHostsFile(inv.clusterName), trustNewHosts: Boolean(o.trustNewHosts) });
    wanted.forEach((spec, i) => hosts.set(spec.name, created[i]!));
    valuesOrThrow(await runOnHosts(created, (h) => h.connect(), { signal: o.signal }), 'connecting');
    return {
      inv, state, ids, secrets, hosts, out: o.out, signal: o.signal, dryRun: Boolean(o.dryRun), quiet: Boolean(o.quiet),
      readyTimeoutSec: o.readyTimeoutSec ?? 180, changes: [], lock, close,
    };
  } catch (e) {
    await close();
    throw e;
  }
}

/** Secrets the inventory's services use (generated on first use, kept 0600 in the cluster state). */
export function secretNames(inv: Inventory): string[] {
  const has = (role: string) => inv.instances.some((i) => i.def.role === role);
  return [...(has('postgresql') ? [PG_SECRET] : []), ...(has('superset') ? [SUPERSET_SECRET_KEY, SUPERSET_ADMIN_SECRET] : [])];
}

/** Hosts that run at least one role pyro manages. */
export function managedHostSpecs(inv: Inventory): HostSpec[] {
  const names = new Set(managedInstances(inv).map((i) => i.host.name));
  return inv.hosts.filter((h) => names.has(h.name));
}
