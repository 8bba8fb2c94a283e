import { supersetSummary, type SupersetSummary } from '../superset/status.js';
import path from 'node:path';
import { ArtifactCache } from '../artifacts/cache.js';
import { recipeFor } from '../artifacts/catalog.js';
import type { Inventory } from '../inventory/types.js';
import { errorText, getJson } from '../clients/http.js';
import { describeQuorum } from '../clients/kafka-wire.js';
import { kafkaHealth, withAdmin, type KafkaHealth } from '../clients/kafka-admin.js';
import { runOnHosts } from '../hosts/parallel.js';
import { hdfsSummary, httpBase, type HdfsSummary } from '../probes/hdfs.js';
import { yarnSummary, type YarnSummary } from '../probes/yarn.js';
import { bootstrapServers, nodeId } from '../services/kafka-runtime.js';
import { artifactRootFor, countOf, probeContextOf } from '../services/runtime.js';
import type { Output } from '../ui/output.js';
import { desiredFor, managedInstances, unmanagedRoles } from './desired.js';
import { readHostState, watchProcess, type HostState } from './host-state.js';
import { openSession } from './open.js';
import { jobStatuses, type JobStatus } from '../jobs/progress.js';
import { LIVE_STATES, sparkApps } from '../jobs/yarn-apps.js';

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
  hdfs?: HdfsSummary | { error: string };
  yarn?: (YarnSummary & { expectedNodes: number; applications: { id: string; name: string; state: string; user: string }[] }) | { error: string };
  kafka?: (KafkaHealth & { expectedBrokers: number; controller?: { leaderId: number; voters: number[]; epoch: number } }) | { error: string };
  jobs: JobStatus[];
  superset?: SupersetSummary | { error: string; url?: string };
  ui: Record<string, string>;
  unmanaged: string[];
  seconds: number;
}

/** The sha256 of each cached distribution the inventory uses (what `up` pushed, unless the cache changed since). */
async function cachedBuilds(inv: Inventory): Promise<Record<string, string>> {
  const cache = new ArtifactCache();
  const out: Record<string, string> = {};
  for (const c of new Set(inv.instances.flatMap((i) => i.def.artifacts))) {
    const r = recipeFor(c, inv.raw.artifacts?.versions?.[c]);
    const e = await cache.peek(r.component, r.version).catch(() => undefined);
    if (e) out[c] = e.sha256;
  }
  return out;
}

async function safe<T>(f: () => Promise<T>): Promise<T | { error: string }> {
  try {
    return await f();
  } catch (e) {
    return { error: errorText(e) };
  }
}

/** Gathers status: one exec per host for the processes, probes and cluster summaries from here, all in parallel. */
export async function gatherStatus(inventory: string, out: Output, signal: AbortSignal): Promise<ClusterStatus> {
  const t0 = Date.now();
  const s = await openSession({ inventory, command: 'pyro status', out, signal, quiet: true });
  try {
    const inv = s.inv;
    const managed = managedInstances(inv);
    const has = (role: string) => managed.some((i) => i.def.role === role);
    const problems: string[] = [];
    const builds = await cachedBuilds(inv);
    const states = new Map<string, HostState | Error>();
    const hostsRun = runOnHosts([...s.hosts.values()], async (h) => {
      const spec = inv.hosts.find((x) => x.name === h.name)!;
      // Processes only (pid files, markers): nothing needs rendering to read them.
      const pre = managed.filter((i) => i.host === spec).map((i) => watchProcess(i, inv.clusterName));
      try {
        states.set(h.name, await readHostState(h, spec, pre, [], { signal, withFiles: false }));
      } catch (e) {
        states.set(h.name, e as Error);
      }
    });
    const ctx = probeContextOf(inv, s.ids, s.secrets);
    const probes = Promise.all(managed.map((i) => i.def.runtime!.ready(i, ctx).catch((e: unknown) => ({ ok: false, detail: errorText(e) }))));
    const hdfs = has('hdfs-namenode') ? safe(() => hdfsSummary(inv)) : Promise.resolve(undefined);
    const yarn = has('yarn-resourcemanager')
      ? safe(async () => {
          const base = httpBase(managed.find((i) => i.def.role === 'yarn-resourcemanager')!);
          const [sum, apps] = await Promise.all([yarnSummary(inv), getJson<{ apps: { app?: { id: string; name: string; state: string; user: string }[] } | null }>(`${base}/ws/v1/cluster/apps?states=RUNNING,ACCEPTED`)]);
          return { ...sum, expectedNodes: countOf(inv, 'yarn-nodemanager'), applications: (apps.apps?.app ?? []).map((a) => ({ id: a.id, name: a.name, state: a.state, user: a.user })) };
        })
      : Promise.resolve(undefined);
    const kafka = has('kafka-broker')
      ? safe(async () => {
          const h = await withAdmin(bootstrapServers(inv), kafkaHealth);
          const health = { ...h, topicNames: h.topicNames.filter((t) => !t.startsWith('__')).sort() };
          let controller: { leaderId: number; voters: number[]; epoch: number } | undefined;
          for (const c of managed.filter((i) => i.def.role === 'kafka-controller')) {
            try {
              const q = await describeQuorum(c.host.address, c.ports.controller!);
              if (q.errorCode !== 0) continue;
              controller = { leaderId: q.leaderId, voters: q.voters.map((v) => v.id), epoch: q.leaderEpoch };
              break;
            } catch {
              // try the next controller
            }
          }
          return { ...health, expectedBrokers: countOf(inv, 'kafka-broker'), controller };
        })
      : Promise.resolve(undefined);
    const jobsP = inv.jobs.length && has('yarn-resourcemanager')
      ? sparkApps(inv, LIVE_STATES).catch(() => []).then((apps) => jobStatuses(inv, inv.jobs.map((j) => j.name), apps))
      : Promise.resolve([]);
    const supersetP = has('superset') ? supersetSummary(inv, s.secrets) : Promise.resolve(undefined);
    const [, probeResults, hdfsR, yarnR, kafkaR, jobs, supersetR] = await Promise.all([hostsRun, probes, hdfs, yarn, kafka, jobsP, supersetP]);

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
        return { ...base, state: probe.ok ? 'healthy' : 'degraded', pid: svc.pid, uptimeSec: svc.uptimeSec, probe: probe.detail, pendingRestart: svc.hash !== undefined && svc.hash !== d.hash };
      }
      return { ...base, state: svc?.state === 'dead' ? 'dead' : 'stopped', probe: svc?.state === 'dead' ? `process gone (pid file left); ${probe.detail}` : 'not running', pendingRestart: false };
    });
    for (const st of states.values()) if (st instanceof Error) problems.push(st.message.split('\n')[0]!);
    for (const i of instances) if (i.state !== 'healthy' && i.state !== 'unknown') problems.push(`${i.role} on ${i.host} is ${i.state}: ${i.probe}`);
    if (hdfsR && 'error' in hdfsR) problems.push(`HDFS: ${hdfsR.error}`);
    else if (hdfsR) {
      const want = countOf(inv, 'hdfs-datanode');
      if (hdfsR.safeMode) problems.push('HDFS is in safe mode');
      if (hdfsR.liveDataNodes < want) problems.push(`HDFS: ${hdfsR.liveDataNodes}/${want} DataNodes live`);
      if (hdfsR.deadDataNodes) problems.push(`HDFS: ${hdfsR.deadDataNodes} dead DataNodes`);
      if (hdfsR.underReplicatedBlocks) problems.push(`HDFS: ${hdfsR.underReplicatedBlocks} under-replicated blocks`);
    }
    if (yarnR && 'error' in yarnR) problems.push(`YARN: ${yarnR.error}`);
    else if (yarnR && yarnR.activeNodes < yarnR.expectedNodes) problems.push(`YARN: ${yarnR.activeNodes}/${yarnR.expectedNodes} NodeManagers active`);
    if (kafkaR && 'error' in kafkaR) problems.push(`Kafka: ${kafkaR.error}`);
    else if (kafkaR) {
      if (kafkaR.brokers.length < kafkaR.expectedBrokers) problems.push(`Kafka: ${kafkaR.brokers.length}/${kafkaR.expectedBrokers} brokers registered`);
      if (kafkaR.underReplicated) problems.push(`Kafka: ${kafkaR.underReplicated} under-replicated partitions`);
      if (kafkaR.offline) problems.push(`Kafka: ${kafkaR.offline} offline partitions`);
      if (!kafkaR.controller || kafkaR.controller.leaderId < 0) problems.push('Kafka: no metadata quorum leader');
    }
    for (const j of jobs) if (j.state !== 'RUNNING') problems.push(`job ${j.name} is ${j.state.toLowerCase()}`);
    if (supersetR && 'error' in supersetR) problems.push(`Superset: ${supersetR.error.split('\n')[0]}`);
    else if (supersetR?.missing.length) problems.push(`Superset: declared datasets not registered: ${supersetR.missing.join(', ')} (\`pyro superset sync\`)`);
    const ui: Record<string, string> = {};
    for (const i of managed) {
      if (i.def.role === 'hdfs-namenode') ui['HDFS NameNode'] = `${httpBase(i)}/dfshealth.html`;
      if (i.def.role === 'yarn-resourcemanager') ui['YARN ResourceManager'] = `${httpBase(i)}/cluster`;
    }
    // Kafka brokers' node ids are only in the state, so show them beside the bootstrap list.
    if (supersetR?.url) ui.Superset = `${supersetR.url}/`;
    if (has('kafka-broker')) ui['Kafka bootstrap'] = managed.filter((i) => i.def.role === 'kafka-broker').map((b) => `${b.host.address}:${b.ports.client} (id ${nodeId(s.ids, b)})`).join(', ');
    return {
      cluster: inv.clusterName, healthy: problems.length === 0, problems, instances,
      hdfs: hdfsR, yarn: yarnR, kafka: kafkaR, jobs, superset: supersetR, ui, unmanaged: unmanagedRoles(inv), seconds: (Date.now() - t0) / 1000,
    };
  } finally {
    await s.close();
  }
}
