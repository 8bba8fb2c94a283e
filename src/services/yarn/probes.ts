import { errorText, getJson } from '../../clients/http.js';
import type { Inventory, ServiceInstance } from '../../inventory/types.js';
import { httpBase, type ProbeResult } from '../runtime.js';
import { resourceManagerHttp } from './endpoints.js';

export async function resourceManagerReady(inst: ServiceInstance): Promise<ProbeResult> {
  try {
    const { clusterInfo: c } = await getJson<{ clusterInfo: Record<string, unknown> }>(`${httpBase(inst)}/ws/v1/cluster/info`);
    return { ok: c.state === 'STARTED', detail: `ResourceManager ${String(c.state)} (${String(c.haState)})` };
  } catch (e) {
    return { ok: false, detail: `ResourceManager REST at ${httpBase(inst)}: ${errorText(e)}` };
  }
}

export async function nodeManagerReady(inst: ServiceInstance): Promise<ProbeResult> {
  try {
    const { nodeInfo: n } = await getJson<{ nodeInfo: Record<string, unknown> }>(`${httpBase(inst)}/ws/v1/node/info`);
    return { ok: n.nodeHealthy !== false, detail: n.nodeHealthy === false ? `unhealthy: ${String(n.healthReport)}` : 'NodeManager healthy' };
  } catch (e) {
    return { ok: false, detail: `NodeManager REST at ${httpBase(inst)}: ${errorText(e)}` };
  }
}

export interface YarnSummary {
  activeNodes: number;
  unhealthyNodes: number;
  lostNodes: number;
  appsRunning: number;
  appsPending: number;
  totalMB: number;
  allocatedMB: number;
  totalVirtualCores: number;
}

export async function yarnSummary(inv: Inventory): Promise<YarnSummary> {
  const { clusterMetrics: m } = await getJson<{ clusterMetrics: Record<string, number> }>(`${resourceManagerHttp(inv)}/ws/v1/cluster/metrics`);
  return {
    activeNodes: m.activeNodes ?? 0,
    unhealthyNodes: m.unhealthyNodes ?? 0,
    lostNodes: m.lostNodes ?? 0,
    appsRunning: m.appsRunning ?? 0,
    appsPending: m.appsPending ?? 0,
    totalMB: m.totalMB ?? 0,
    allocatedMB: m.allocatedMB ?? 0,
    totalVirtualCores: m.totalVirtualCores ?? 0,
  };
}

/** YARN can schedule: every NodeManager of the inventory is active at the ResourceManager. */
export async function yarnGate(nodeManagers: ServiceInstance[], ctx: { inv: Inventory }): Promise<ProbeResult> {
  try {
    const s = await yarnSummary(ctx.inv);
    return { ok: s.activeNodes === nodeManagers.length, detail: `${s.activeNodes}/${nodeManagers.length} NodeManagers active`, data: { ...s } };
  } catch (e) {
    return { ok: false, detail: `ResourceManager REST: ${errorText(e)}` };
  }
}
