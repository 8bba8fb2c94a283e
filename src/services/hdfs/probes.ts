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

export async function dataNodeReady(inst: ServiceInstance): Promise<ProbeResult> {
  try {
    const s = await jmxBean(httpBase(inst), 'Hadoop:service=DataNode,name=DataNodeInfo');
    return { ok: true, detail: `DataNode ${String(s.Version ?? '').split(',')[0]}`.trim() };
  } catch (e) {
    return { ok: false, detail: `DataNode JMX at ${httpBase(inst)}: ${errorText(e)}` };
  }
}

/** What the NameNode reports about the file system (status's HDFS summary). */
export interface HdfsSummary {
  state: string;
  safeMode: boolean;
  liveDataNodes: number;
  deadDataNodes: number;
  capacityBytes: number;
  remainingBytes: number;
  usedBytes: number;
  underReplicatedBlocks: number;
  missingBlocks: number;
  files: number;
  version: string;
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
    liveDataNodes: Number(fs.NumLiveDataNodes),
    deadDataNodes: Number(fs.NumDeadDataNodes),
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
