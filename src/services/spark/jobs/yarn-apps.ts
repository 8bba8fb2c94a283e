import { errorText, getJson } from '../../../clients/http.js';
import type { Inventory } from '../../../inventory/types.js';
import { resourceManager, resourceManagerHttp } from '../../yarn/endpoints.js';

export interface YarnApp {
  id: string;
  name: string;
  state: string;
  finalStatus: string;
  diagnostics: string;
  trackingUrl?: string;
  startedTime: number;
  elapsedTime: number;
  amContainerLogs?: string;
  allocatedMB: number;
  runningContainers?: number;
}

export function rmBase(inv: Inventory): string {
  return resourceManagerHttp(inv);
}

/**
 * YARN's tracking URL with the ResourceManager's host as the inventory gives it, port and path kept: YARN reports
 * its own hostname, which the machine running pyro may not resolve, and every other URL pyro prints uses the
 * inventory's address. Only a URL on the RM's web port is the RM's (its proxy); any other, and a placeholder such
 * as `N/A`, is left as it is.
 */
export function trackingUrlViaInventory(inv: Inventory, url: string | undefined): string | undefined {
  if (!url) return url;
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return url;
  }
  const rm = resourceManager(inv);
  if (Number(u.port || (u.protocol === 'https:' ? 443 : 80)) !== rm.ports.http) return url;
  const address = rm.host.address;
  u.hostname = address.includes(':') && !address.startsWith('[') ? `[${address}]` : address;
  return u.toString();
}

function withInventoryUrls(inv: Inventory, app: YarnApp): YarnApp {
  return app.trackingUrl ? { ...app, trackingUrl: trackingUrlViaInventory(inv, app.trackingUrl) } : app;
}

/** Spark applications the ResourceManager knows, newest first (optionally only in the given states). */
export async function sparkApps(inv: Inventory, states?: string[]): Promise<YarnApp[]> {
  const q = new URLSearchParams({ applicationTypes: 'SPARK', ...(states ? { states: states.join(',') } : {}) });
  const doc = await getJson<{ apps: { app?: YarnApp[] } | null }>(`${rmBase(inv)}/ws/v1/cluster/apps?${q}`);
  return (doc.apps?.app ?? []).map((a) => withInventoryUrls(inv, a)).sort((a, b) => b.startedTime - a.startedTime);
}

export async function yarnApp(inv: Inventory, id: string): Promise<YarnApp> {
  return withInventoryUrls(inv, (await getJson<{ app: YarnApp }>(`${rmBase(inv)}/ws/v1/cluster/apps/${id}`)).app);
}

/** YARN states of an application that is running or on its way to. */
export const LIVE_STATES = ['NEW', 'NEW_SAVING', 'SUBMITTED', 'ACCEPTED', 'RUNNING'];

/** The running (or accepted) application of a job, if any. */
export async function liveApp(inv: Inventory, name: string): Promise<YarnApp | undefined> {
  return (await sparkApps(inv, LIVE_STATES)).find((a) => a.name === name);
}

export async function killApp(inv: Inventory, id: string): Promise<void> {
  const res = await fetch(`${rmBase(inv)}/ws/v1/cluster/apps/${id}/state`, {
    method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ state: 'KILLED' }), signal: AbortSignal.timeout(15_000),
  });
  if (!res.ok && res.status !== 202) throw new Error(`killing ${id}: HTTP ${res.status} ${(await res.text()).slice(0, 200)}`);
}

/** The tail of the driver's (ApplicationMaster's) log, read through its NodeManager. */
export async function driverLog(inv: Inventory, id: string, file = 'stderr', bytes = 6000): Promise<string> {
  const attempts = await getJson<{ appAttempts: { appAttempt: { containerId: string; nodeHttpAddress: string }[] } }>(`${rmBase(inv)}/ws/v1/cluster/apps/${id}/appattempts`);
  const last = attempts.appAttempts.appAttempt.at(-1);
  if (!last) return '(no application attempt yet)';
  const url = `http://${last.nodeHttpAddress}/ws/v1/node/containerlogs/${last.containerId}/${file}?size=-${bytes}`;
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(15_000) });
    if (!res.ok) return `(driver log not available: HTTP ${res.status} from ${last.nodeHttpAddress})`;
    return (await res.text()).trimEnd();
  } catch (e) {
    return `(driver log not available from ${url}: ${errorText(e)})`;
  }
}

/** What YARN can still give: the largest container a node allows and the memory free across the cluster. */
export async function yarnRoom(inv: Inventory): Promise<{ availableMB: number; maxContainerMB: number }> {
  const base = rmBase(inv);
  const [{ clusterMetrics: m }, sched] = await Promise.all([
    getJson<{ clusterMetrics: { availableMB: number; activeNodes: number } }>(`${base}/ws/v1/cluster/metrics`),
    getJson<{ nodes: { node?: { availMemoryMB: number; state: string }[] } | null }>(`${base}/ws/v1/cluster/nodes`),
  ]);
  const nodes = (sched.nodes?.node ?? []).filter((n) => n.state === 'RUNNING');
  return { availableMB: m.availableMB, maxContainerMB: Math.max(0, ...nodes.map((n) => n.availMemoryMB)) };
}
