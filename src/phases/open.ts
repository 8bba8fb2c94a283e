import { setMaxListeners } from 'node:events';
import { createHosts, knownHostsFor } from '../hosts/connect.js';
import type { Host } from '../hosts/host.js';
import { acceptedKeyLine } from '../hosts/known-hosts.js';
import { runOnHosts, valuesOrThrow } from '../hosts/parallel.js';
import { formatDiagnostic } from '../inventory/diagnostics.js';
import type { HostSpec, Inventory } from '../inventory/types.js';
import { loadInventory, MODULES } from '../services/catalog.js';
import { ClusterState, type ClusterIds } from '../state/cluster-state.js';
import { startHistory } from '../state/history.js';
import { acquireLock, type ClusterLock } from '../state/lock.js';
import { ensureStateDir, knownHostsFile } from '../state/paths.js';
import type { Output } from '../ui/output.js';
import type { HostError } from '../util/errors.js';
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
  /** With the lock: record the run's start in the cluster's history (the verb records its end with lock.run). */
  history?: boolean;
  trustNewHosts?: boolean;
  /** Hosts to connect to (default: every host running a managed service). */
  hostFilter?: (spec: HostSpec) => boolean;
  /** Hosts the inventory no longer names that the run must reach too (instances leaving the cluster). */
  extraHosts?: HostSpec[];
}

export interface OpenSession extends Session {
  lock?: ClusterLock;
  close(): Promise<void>;
}

/** Loads the inventory, printing its warnings unless quiet. */
export async function loadForVerb(file: string, out: Output, quiet?: boolean): Promise<Inventory> {
  const { inventory, warnings } = await loadInventory(file);
  if (!quiet) for (const w of warnings) out.diagnostic(formatDiagnostic(w), 'warning');
  return inventory;
}

/**
 * Takes the cluster lock (warning when a stale one is taken over); with `record`, notes the run's start in the
 * history, so that a run killed before its end still shows there (interrupted).
 */
export async function lockCluster(state: ClusterState, command: string, out: Output, quiet?: boolean, record = false): Promise<ClusterLock> {
  const lock = await acquireLock(state.dir, command);
  if (lock.recovered && !quiet) out.warn(`took over a stale lock left by \`${lock.recovered.command}\` (pid ${lock.recovered.pid}, ${lock.recovered.started})`);
  if (record) {
    lock.run = await startHistory(state.dir, command.replace(/^pyro /, '')).catch((e: Error) => {
      out.warn(`could not record this run in the history: ${e.message}`);
      return undefined;
    });
  }
  return lock;
}

/** Reads the ids and secrets, then connects the hosts in parallel; on failure, closes what was opened. */
export async function connectSession(
  inv: Inventory,
  state: ClusterState,
  lock: ClusterLock | undefined,
  o: Omit<OpenOptions, 'inventory' | 'command' | 'lock'>,
): Promise<OpenSession> {
  const hosts = new Map<string, Host>();
  // The run's signal: the caller's (Ctrl-C), and a host that stops answering, which stops the whole run at once
  // (its work cannot finish, and waiting on the others' gates would hide why).
  const run = new AbortController();
  // Every command of the run listens on it (hosts in parallel, each with its channels): no leak warning at 30 hosts.
  setMaxListeners(0, run.signal);
  const follow = () => run.abort(o.signal.reason);
  if (o.signal.aborted) follow();
  else o.signal.addEventListener('abort', follow, { once: true });
  const onLost = (e: HostError) => {
    if (run.signal.aborted) return;
    if (!o.quiet) o.out.warn(`${e.message}: stopping this run`);
    run.abort(e);
  };
  const close = async () => {
    o.signal.removeEventListener('abort', follow);
    await Promise.allSettled([...hosts.values()].map((h) => h.close()));
    await lock?.release();
  };
  try {
    const { ids, secrets } = await clusterSecrets(inv, state);
    const named = managedHostSpecs(inv).filter(o.hostFilter ?? (() => true));
    const wanted = [...named, ...(o.extraHosts ?? []).filter((h) => !named.some((n) => n.name === h.name))];
    // New keys go to known_hosts in the state dir, which even a dry run then creates: private from the start.
    if (o.trustNewHosts) await ensureStateDir(state.dir);
    const hostCtx = { knownHostsFile: knownHostsFile(inv.clusterName), trustNewHosts: Boolean(o.trustNewHosts), onLost };
    const knownHosts = knownHostsFor(hostCtx);
    const created = createHosts(wanted, { ...hostCtx, knownHosts });
    wanted.forEach((spec, i) => hosts.set(spec.name, created[i]!));
    const connected = await runOnHosts(created, (h) => h.connect(), { signal: run.signal });
    // A trusted key is in known_hosts from now on, whatever fails next: its fingerprint is shown, and kept as a change
    // (not in a dry run, whose changes are what would be done).
    const accepted = knownHosts.accepted.map(acceptedKeyLine);
    if (!o.quiet) for (const line of accepted) o.out.info(o.out.color.yellow(line));
    valuesOrThrow(connected, 'connecting');
    return {
      inv,
      state,
      ids,
      secrets,
      hosts,
      out: o.out,
      signal: run.signal,
      dryRun: Boolean(o.dryRun),
      quiet: Boolean(o.quiet),
      readyTimeoutSec: o.readyTimeoutSec ?? 180,
      changes: o.dryRun ? [] : accepted,
      lock,
      close,
    };
  } catch (e) {
    await close();
    throw e;
  }
}

/** Loads the inventory (warnings printed), takes the lock if asked, reads the ids and connects the hosts in parallel. */
export async function openSession(o: OpenOptions): Promise<OpenSession> {
  const inv = await loadForVerb(o.inventory, o.out, o.quiet);
  const state = new ClusterState(inv.clusterName, undefined, { readOnly: o.dryRun });
  const lock = o.lock && !o.dryRun ? await lockCluster(state, o.command, o.out, o.quiet, o.history) : undefined;
  return connectSession(inv, state, lock, o);
}

/** Modules with at least one instance in the inventory. */
function present(inv: Inventory) {
  return MODULES.filter((m) => m.roles.some((r) => inv.instances.some((i) => i.def.role === r.role)));
}

/** Secrets the inventory's services use (generated on first use, kept 0600 in the cluster state). */
export function secretNames(inv: Inventory): string[] {
  return present(inv).flatMap((m) => m.secrets ?? []);
}

/** The cluster's ids (with what each service keeps in the state, e.g. Kafka node ids) and its services' secrets. */
export async function clusterSecrets(inv: Inventory, state: ClusterState): Promise<{ ids: ClusterIds; secrets: Record<string, string> }> {
  const ids = await state.ids();
  for (const m of present(inv)) await m.loadIds?.(inv, state, ids);
  const secrets: Record<string, string> = {};
  for (const name of secretNames(inv)) secrets[name] = await state.secret(name);
  for (const m of present(inv)) Object.assign(secrets, await m.loadSecrets?.(inv, state));
  return { ids, secrets };
}

/** Hosts that run at least one role pyro manages. */
export function managedHostSpecs(inv: Inventory): HostSpec[] {
  const names = new Set(managedInstances(inv).map((i) => i.host.name));
  return inv.hosts.filter((h) => names.has(h.name));
}
