import path from 'node:path';
import { errorText } from '../../clients/http.js';
import type { ServiceInstance } from '../../inventory/types.js';
import type { ProbeResult } from '../runtime.js';
import { chainsOf } from './components.js';
import { declaredStates, describeState, fetchMetrics, metricsUrl, type ComponentState, type FlumeMetrics } from './metrics.js';

/** Why a component may not run, where it helps: a taildir source's directories must exist before it starts. */
function because(inst: ServiceInstance, s: ComponentState): string {
  const chain = chainsOf(inst).find((c) => c.source.name === s.name);
  if (s.kind !== 'source' || s.running || chain?.source.type !== 'taildir') return '';
  const dirs = [...new Set((chain.source.paths ?? []).map((p) => path.posix.dirname(p)))];
  return ` (Flume retries it; ${dirs.join(', ')} must exist)`;
}

function chainWords(inst: ServiceInstance): string {
  const kinds = new Set(chainsOf(inst).map((c) => c.kind));
  if (kinds.size > 1) return 'each with its file channel and Kafka sink, or its Kafka channel';
  return kinds.has('kafka') ? 'each writing into its topic through a Kafka channel' : 'each with its file channel and Kafka sink';
}

/** Ready when every declared source, channel and sink of the agent is running, from its captured /metrics. */
export function probeFromMetrics(inst: ServiceInstance, m: FlumeMetrics): ProbeResult {
  const states = declaredStates(inst, m);
  const down = states.filter((s) => !s.running);
  if (down.length) {
    return { ok: false, detail: `flume on ${inst.host.name}: ${down.map((s) => `${describeState(s)}${because(inst, s)}`).join('; ')}` };
  }
  const n = chainsOf(inst).length;
  return {
    ok: true,
    detail: n ? `${n} source${n === 1 ? '' : 's'} running, ${chainWords(inst)}` : 'running, no sources declared',
    data: { components: states.length },
  };
}

export async function flumeReady(inst: ServiceInstance): Promise<ProbeResult> {
  try {
    return probeFromMetrics(inst, await fetchMetrics(inst));
  } catch (e) {
    return { ok: false, detail: `flume on ${inst.host.name}: GET ${metricsUrl(inst)}: ${errorText(e)}` };
  }
}

/** Every agent of the inventory is ready. */
export async function flumeGate(agents: ServiceInstance[]): Promise<ProbeResult> {
  const results = await Promise.all(agents.map((a) => flumeReady(a)));
  const failed = results.filter((r) => !r.ok);
  return {
    ok: failed.length === 0,
    detail: failed.length ? failed.map((r) => r.detail).join('; ') : `${agents.length}/${agents.length} agents running every declared source, channel and sink`,
  };
}
