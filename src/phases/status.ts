import path from 'node:path';
import { ArtifactCache } from '../artifacts/cache.js';
import { recipeFor } from '../artifacts/catalog.js';
import type { Inventory } from '../inventory/types.js';
import { errorText } from '../clients/http.js';
import { runOnHosts } from '../hosts/parallel.js';
import { MODULES, serviceOf } from '../services/catalog.js';
import { artifactRootFor, probeContextOf, type StatusContext } from '../services/runtime.js';
import type { Output } from '../ui/output.js';
import { desiredFor, managedInstances, unmanagedRoles } from './desired.js';
import { readHostState, watchProcess, type HostState } from './host-state.js';
import { openSession } from './open.js';

export interface InstanceStatus {
  host: string;
  role: string;
  state: 'healthy' | 'degraded' | 'dead' | 'stopped' | 'unknown';
  pid?: number;
  uptimeSec?: number;
  ports: Record<string, number>;
  version: string;
  probe: string;
  /** Running with other files than the ones pyro would write now (`pyro up` would restart it). */
  pendingRestart: boolean;
}

export interface ClusterStatus {
  cluster: string;
  healthy: boolean;
  problems: string[];
  instances: InstanceStatus[];
  /** Declared jobs (also when none: an empty list). */
  jobs: unknown[];
  /** Each service's summary lines, in catalogue order (its data is under its own key: hdfs, yarn, kafka, superset). */
  summary: string[];
  ui: Record<string, string>;
  unmanaged: string[];
  seconds: number;
  [service: string]: unknown;
}

/** The sha256 of each cached distribution the inventory uses (what `up` pushed, unless the cache changed since). */
async function cachedBuilds(inv: Inventory): Promise<Record<string, string>> {
  const cache = new ArtifactCache();
  const out: Record<string, string> = {};
  for (const c of new Set(inv.instances.flatMap((i) => i.def.artifacts))) {
    const r = recipeFor(c, inv.artifacts.versions?.[c]);
    const e = await cache.peek(r.component, r.version).catch(() => undefined);
    if (e) out[c] = e.sha256;
  }
  return out;
}

/** Gathers status: one exec per host for the processes, probes and cluster summaries from here, all in parallel. */
export async function gatherStatus(inventory: string, out: Output, signal: AbortSignal): Promise<ClusterStatus> {
  const t0 = Date.now();
  const s = await openSession({ inventory, command: 'pyro status', out, signal, quiet: true });
  try {
    const inv = s.inv;
    const managed = managedInstances(inv);
    const problems: string[] = [];
    const builds = await cachedBuilds(inv);
    const states = new Map<string, HostState | Error>();
    const hostsRun = runOnHosts([...s.hosts.values()], async (h) => {
      const spec = inv.hosts.find((x) => x.name === h.name)!;
      // Processes only (pid files, markers) and facts: nothing needs rendering to read them.
      const pre = managed.filter((i) => i.host === spec).map((i) => watchProcess(i, inv.clusterName, true));
      try {
        states.set(h.name, await readHostState(h, spec, pre, [], { signal, withFiles: false }));
      } catch (e) {
        states.set(h.name, e as Error);
      }
    });
    const ctx = probeContextOf(inv, s.ids, s.secrets);
    const statusCtx: StatusContext = {
      ...ctx,
      factsOf: async (inst) => {
        await hostsRun.catch(() => undefined);
        const st = states.get(inst.host.name);
        return st instanceof Error ? undefined : st?.facts[inst.def.role];
      },
    };
    const probes = Promise.all(
      managed.map((i) =>
        serviceOf(i)
          .runtime!.ready(i, ctx)
          .catch((e: unknown) => ({ ok: false, detail: errorText(e) })),
      ),
    );
    const summariesP = Promise.all(
      MODULES.map((m) =>
        m.summary?.(statusCtx, managed).catch((e: unknown) => ({
          key: m.name,
          data: { error: errorText(e) },
          lines: [`${m.name}: ${errorText(e)}`],
          problems: [`${m.name}: ${errorText(e)}`],
          ui: {},
        })),
      ),
    );
    const [, probeResults, summaryResults] = await Promise.all([hostsRun, probes, summariesP]);
    const summaries = summaryResults.filter((x) => x !== undefined);

    const instances: InstanceStatus[] = managed.map((inst, k) => {
      const st = states.get(inst.host.name);
      const component = inst.def.artifacts[0];
      // OS-packaged services (PostgreSQL) report their version in the probe detail.
      const version = component ? path.posix.basename(artifactRootFor(inv, inst.host)(component)) : 'os';
      const base = { host: inst.host.name, role: inst.def.role, ports: inst.ports, version };
      if (!st || st instanceof Error) return { ...base, state: 'unknown', probe: st ? st.message : 'not reached', pendingRestart: false };
      const svc = st.services[inst.def.role];
      const probe = probeResults[k]!;
      const d = desiredFor(inv, inst, s.ids, st.resources, builds, s.secrets);
      if (svc?.state === 'running') {
        return {
          ...base,
          state: probe.ok ? 'healthy' : 'degraded',
          pid: svc.pid,
          uptimeSec: svc.uptimeSec,
          probe: probe.detail,
          pendingRestart: svc.hash !== undefined && svc.hash !== d.hash,
        };
      }
      return {
        ...base,
        state: svc?.state === 'dead' ? 'dead' : 'stopped',
        probe: svc?.state === 'dead' ? `process gone (pid file left); ${probe.detail}` : 'not running',
        pendingRestart: false,
      };
    });
    for (const st of states.values()) if (st instanceof Error) problems.push(st.message.split('\n')[0]!);
    for (const i of instances) if (i.state !== 'healthy' && i.state !== 'unknown') problems.push(`${i.role} on ${i.host} is ${i.state}: ${i.probe}`);
    const ui: Record<string, string> = {};
    const sections: Record<string, unknown> = { jobs: [] };
    for (const sum of summaries) {
      problems.push(...sum.problems);
      Object.assign(ui, sum.ui);
      sections[sum.key] = sum.data;
    }
    return {
      cluster: inv.clusterName,
      healthy: problems.length === 0,
      problems,
      instances,
      jobs: [],
      ...sections,
      summary: summaries.flatMap((x) => x.lines),
      ui,
      unmanaged: unmanagedRoles(inv),
      seconds: (Date.now() - t0) / 1000,
    };
  } finally {
    await s.close();
  }
}
