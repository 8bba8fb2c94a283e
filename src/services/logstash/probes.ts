import { errorText } from '../../clients/http.js';
import type { ServiceInstance } from '../../inventory/types.js';
import type { ProbeResult } from '../runtime.js';
import { LOG_FILE } from './files.js';
import { apiBase, declaredStates, describeState, fetchApi, type LogstashApi } from './monitoring-api.js';

/** Ready when every pipeline declared for the instance runs, from its captured monitoring API. */
export function probeFromApi(inst: ServiceInstance, api: LogstashApi): ProbeResult {
  const states = declaredStates(inst, api);
  const down = states.filter((s) => !s.running);
  if (down.length) {
    const failed = down.some((s) => s.why?.startsWith('failed'));
    return {
      ok: false,
      detail: `logstash on ${inst.host.name}: ${down.map(describeState).join('; ')}${failed ? ` (see ${LOG_FILE})` : ''}`,
    };
  }
  return {
    ok: true,
    detail: `${states.length} pipeline${states.length === 1 ? '' : 's'} running (${states.map((s) => s.name).join(', ')})`,
    data: { pipelines: states.length },
  };
}

export async function logstashReady(inst: ServiceInstance): Promise<ProbeResult> {
  try {
    return probeFromApi(inst, await fetchApi(inst));
  } catch (e) {
    return { ok: false, detail: `logstash on ${inst.host.name}: ${apiBase(inst)}/_node/stats/pipelines: ${errorText(e)}` };
  }
}

/** Every Logstash of the inventory runs every pipeline declared for it. */
export async function logstashGate(instances: ServiceInstance[]): Promise<ProbeResult> {
  const results = await Promise.all(instances.map((i) => logstashReady(i)));
  const failed = results.filter((r) => !r.ok);
  return {
    ok: failed.length === 0,
    detail: failed.length
      ? failed.map((r) => r.detail).join('; ')
      : `${instances.length}/${instances.length} Logstash instances running every declared pipeline`,
  };
}
