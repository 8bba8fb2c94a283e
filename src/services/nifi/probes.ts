import { errorText } from '../../clients/http.js';
import type { ServiceInstance } from '../../inventory/types.js';
import { instancePaths, type ProbeContext, type ProbeResult } from '../runtime.js';
import { NifiApi } from './api.js';
import { nifiApiUrl } from './endpoints.js';
import { healthProblem, readFlows } from './health.js';
import { adminTls } from './tls.js';

/** Where to look when a node does not answer. */
export function nifiLogFile(inst: ServiceInstance): string {
  return `${instancePaths(inst).logs}/nifi-app.log`;
}

/** `nifi on node3: GET https://...: ECONNREFUSED (read /var/log/pyro/nifi/nifi-app.log on node3)`. */
export function unreachable(inst: ServiceInstance, e: unknown): string {
  return `nifi on ${inst.host.name}: ${nifiApiUrl(inst)}/flow/about: ${errorText(e)} (read ${nifiLogFile(inst)} on ${inst.host.name})`;
}

/** A client for a node, closed after `f`. */
export async function withApi<T>(inst: ServiceInstance, ctx: ProbeContext, f: (api: NifiApi) => Promise<T>): Promise<T> {
  const api = new NifiApi(inst, adminTls(ctx.secrets));
  try {
    return await f(api);
  } finally {
    api.close();
  }
}

/** Ready when the REST API answers the admin over mutual TLS. */
export async function nifiReady(inst: ServiceInstance, ctx: ProbeContext): Promise<ProbeResult> {
  try {
    const about = await withApi(inst, ctx, (api) => api.about(5000));
    return { ok: true, detail: `NiFi ${about.version} answers at ${nifiApiUrl(inst)}` };
  } catch (e) {
    return { ok: false, detail: unreachable(inst, e) };
  }
}

/**
 * A node passes when its API answers and each declared flow it already runs has every processor RUNNING and no
 * ERROR bulletin of the last two minutes. Flows not deployed yet are the flows step's (it runs after the tiers).
 */
export async function nodeGate(inst: ServiceInstance, ctx: ProbeContext): Promise<ProbeResult> {
  try {
    return await withApi(inst, ctx, async (api) => {
      await api.about(5000);
      const flows = await readFlows(api, inst);
      const problems = flows.map(healthProblem).filter((p): p is string => p !== undefined);
      if (problems.length) return { ok: false, detail: `nifi on ${inst.host.name}: ${problems.join('; ')}` };
      const running = flows.filter((f) => f.deployed).length;
      return { ok: true, detail: `${running} flow${running === 1 ? '' : 's'} running` };
    });
  } catch (e) {
    return { ok: false, detail: unreachable(inst, e) };
  }
}

export async function nifiGate(nodes: ServiceInstance[], ctx: ProbeContext): Promise<ProbeResult> {
  const results = await Promise.all(nodes.map((n) => nodeGate(n, ctx)));
  const failed = results.filter((r) => !r.ok);
  return {
    ok: !failed.length,
    detail: failed.length ? failed.map((r) => r.detail).join('; ') : `${nodes.length}/${nodes.length} nodes answer; ${results.map((r) => r.detail).join(', ')}`,
  };
}
