import { errorText, jmxBean } from '../../clients/http.js';
import type { Inventory, ServiceInstance } from '../../inventory/types.js';
import { httpBase, type ProbeResult } from '../runtime.js';
import { nameNodeHttp } from './endpoints.js';

export async function nameNodeReady(inst: ServiceInstance): Promise<ProbeResult> {
  try {
    const s = await jmxBean(httpBase(inst), 'Hadoop:service=NameNode,name=NameNodeStatus');
    return { ok: s.State === 'active', detail: `NameNode ${String(s.State)}`, data: { state: s.State } };
  } catch (e) {
    return { ok: false, detail: `NameNode JMX at ${httpBase(inst)}: ${errorText(e)}` };
  }
}

/**
 * A DataNode serves once it has registered with its NameNode: each block-pool actor (one per NameNode) RUNNING,
 * which it is only after the handshake and registration.
 */
export async function dataNodeReady(inst: ServiceInstance): Promise<ProbeResult> {
  try {
    const s = await jmxBean(httpBase(inst), 'Hadoop:service=DataNode,name=DataNodeInfo');
    const version = `DataNode ${String(s.Version ?? '').split(',')[0]}`.trim();
    const actors = parseActors(s.BPServiceActorInfo);
    if (actors === undefined) return { ok: true, detail: version };
    const waiting = actors.filter((a) => a.ActorState !== 'RUNNING');
    if (!actors.length || waiting.length)
      return {
        ok: false,
        detail: `${version}, not registered with ${waiting.map((a) => `${a.NamenodeAddress} (${a.ActorState})`).join(', ') || 'its NameNode'} yet`,
      };
    return { ok: true, detail: `${version}, registered with ${actors.map((a) => a.NamenodeAddress).join(', ')}` };
  } catch (e) {
    return { ok: false, detail: `DataNode JMX at ${httpBase(inst)}: ${errorText(e)}` };
  }
}

/** The DataNode's block-pool actors, from the JSON string JMX holds them in (undefined: not reported). */
function parseActors(raw: unknown): { NamenodeAddress?: string; ActorState?: string }[] | undefined {
  if (typeof raw !== 'string') return undefined;
  try {
    const v = JSON.parse(raw) as unknown;
    return Array.isArray(v) ? (v as { NamenodeAddress?: string; ActorState?: string }[]) : undefined;
  } catch {
    return undefined;
  }
}

/** What the NameNode reports about the file system (status's HDFS summary). */
export interface HdfsSummary {
  state: string;
  safeMode: boolean;
  /** In service: decommissioning and decommissioned ones are counted apart. */
  liveDataNodes: number;
  /** Lost without being decommissioned. */
  deadDataNodes: number;
  /** Being drained (`pyro up --decommission`), or drained and not stopped yet. */
  decommissioningDataNodes: number;
  capacityBytes: number;
  remainingBytes: number;
  usedBytes: number;
  underReplicatedBlocks: number;
  missingBlocks: number;
  files: number;
  version: string;
}

/** A DataNode as the NameNode lists it (LiveNodes, DeadNodes and DecomNodes are JSON strings keyed by `host:port`). */
export interface ListedNode {
  adminState?: string;
  decommissioned?: boolean;
  underReplicatedBlocks?: number;
}

export function parseNodes(raw: unknown): Record<string, ListedNode> {
  if (typeof raw !== 'string') return {};
  try {
    return JSON.parse(raw) as Record<string, ListedNode>;
  } catch {
    return {};
  }
}

const draining = (n: ListedNode) => n.adminState === 'Decommission In Progress' || n.adminState === 'Decommissioned';

/**
 * DataNodes by what they mean to the cluster, from the NameNode's lists (which leave out a node on neither host
 * list): its own JMX counters would still count a drained node live until its heartbeats expire (~10 min).
 */
export function countNodes(live: Record<string, ListedNode>, dead: Record<string, ListedNode>) {
  const l = Object.values(live);
  const d = Object.values(dead);
  return {
    liveDataNodes: l.filter((n) => !draining(n)).length,
    deadDataNodes: d.filter((n) => !n.decommissioned && !draining(n)).length,
    decommissioningDataNodes: l.filter(draining).length,
  };
}

export async function hdfsSummary(inv: Inventory): Promise<HdfsSummary> {
  const base = nameNodeHttp(inv);
  const [fs, info] = await Promise.all([
    jmxBean(base, 'Hadoop:service=NameNode,name=FSNamesystemState'),
    jmxBean(base, 'Hadoop:service=NameNode,name=NameNodeInfo'),
  ]);
  return {
    state: String(fs.FSState),
    safeMode: Boolean(info.Safemode),
    ...countNodes(parseNodes(info.LiveNodes), parseNodes(info.DeadNodes)),
    capacityBytes: Number(fs.CapacityTotal),
    remainingBytes: Number(fs.CapacityRemaining),
    usedBytes: Number(fs.CapacityUsed),
    underReplicatedBlocks: Number(fs.UnderReplicatedBlocks),
    missingBlocks: Number(info.NumberOfMissingBlocks ?? 0),
    files: Number(fs.FilesTotal),
    version: String(info.Version ?? '').split(',')[0] ?? '',
  };
}

/** HDFS is usable: out of safe mode with every DataNode of the inventory live. */
export async function hdfsGate(dataNodes: ServiceInstance[], ctx: { inv: Inventory }): Promise<ProbeResult> {
  try {
    const s = await hdfsSummary(ctx.inv);
    const ok = !s.safeMode && s.liveDataNodes === dataNodes.length;
    return { ok, detail: `${s.liveDataNodes}/${dataNodes.length} DataNodes live, safe mode ${s.safeMode ? 'on' : 'off'}`, data: { ...s } };
  } catch (e) {
    return { ok: false, detail: `NameNode JMX: ${errorText(e)}` };
  }
}

/**
 * Between two DataNodes of a rolling restart: HDFS usable, and every block at its full replication, so that the
 * next DataNode to go down takes no block's last spare copy with it.
 */
export async function hdfsRollingGate(dataNodes: ServiceInstance[], ctx: { inv: Inventory }): Promise<ProbeResult> {
  const g = await hdfsGate(dataNodes, ctx);
  if (!g.ok || !g.data) return g;
  const s = g.data as unknown as HdfsSummary;
  const ok = s.underReplicatedBlocks === 0 && s.missingBlocks === 0;
  return { ok, detail: `${g.detail}, ${s.underReplicatedBlocks} under-replicated and ${s.missingBlocks} missing blocks`, data: g.data };
}
