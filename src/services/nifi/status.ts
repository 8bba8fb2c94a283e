import type { ServiceInstance } from '../../inventory/types.js';
import type { ComponentSummary } from '../definition.js';
import { orError, type ProbeContext } from '../runtime.js';
import { NIFI, nifiUiUrl } from './endpoints.js';
import { healthProblem, readFlows, type FlowHealth } from './health.js';
import { unreachable, withApi } from './probes.js';

/** A connection fuller than this against its back-pressure threshold is a problem: its sources are about to be held. */
export const QUEUE_FULL_PERCENT = 80;

export interface NodeReport {
  host: string;
  url: string;
  flows: FlowHealth[];
}

const rate = (n: number) => (n >= 10 ? n.toFixed(0) : n.toFixed(2));

/** A flow as one status line: `web RUNNING 2/2, 1.20/s in, 1.20/s out, 3 queued (0% of back-pressure)`. */
export function flowLine(f: FlowHealth): string {
  if (!f.deployed) return `${f.flow} not deployed (\`pyro up\` deploys it)`;
  const state = f.running === f.processors ? 'RUNNING' : f.running ? 'PARTLY RUNNING' : 'STOPPED';
  const errors = f.errors.length ? `, ${f.errors.length} ERROR bulletin${f.errors.length === 1 ? '' : 's'}` : '';
  return `${f.flow} ${state} ${f.running}/${f.processors}, ${rate(f.inPerSec)}/s in, ${rate(f.outPerSec)}/s out, ${f.queued} queued (${f.fillPercent}% of back-pressure)${errors}`;
}

/** NiFi in `pyro status` from each node's report (or why it could not be read): a line per node, problems. */
export function nifiSummary(nodes: readonly (NodeReport | { host: string; url: string; error: string })[]): ComponentSummary {
  const lines: string[] = [];
  const problems: string[] = [];
  for (const n of nodes) {
    if ('error' in n) {
      problems.push(n.error);
      lines.push(`NiFi   ${n.host}: unreachable: ${n.error}`);
      continue;
    }
    for (const f of n.flows) {
      const p = healthProblem(f);
      if (p) problems.push(`NiFi on ${n.host}: ${p}`);
      if (!f.deployed) problems.push(`NiFi on ${n.host}: flow ${f.flow} is not deployed (\`pyro up\` deploys it)`);
      if (f.fillPercent >= QUEUE_FULL_PERCENT)
        problems.push(
          `NiFi on ${n.host}: flow ${f.flow}: ${f.fullest ?? 'a connection'} is ${f.fillPercent}% of its back-pressure threshold (what it feeds does not keep up)`,
        );
    }
    lines.push(`NiFi   ${n.host}: ${n.flows.map(flowLine).join('; ') || 'no flows declared'}`);
  }
  return { key: 'nifi', data: { nodes }, lines, problems, ui: { NiFi: nodes.map((n) => n.url).join(', ') } };
}

/** NiFi in `pyro status`: each node's declared flows, their rates, queues and ERROR bulletins. */
export async function nifiStatus(ctx: ProbeContext, managed: readonly ServiceInstance[]): Promise<ComponentSummary | undefined> {
  const nodes = managed.filter((i) => i.def.role === NIFI);
  if (!nodes.length) return undefined;
  const reports = await Promise.all(
    nodes.map(async (inst) => {
      const r = await orError(
        () => withApi(inst, ctx, async (api) => ({ host: inst.host.name, url: nifiUiUrl(inst), flows: await readFlows(api, inst) })),
        (e) => unreachable(inst, e),
      );
      return 'error' in r ? { host: inst.host.name, url: nifiUiUrl(inst), error: r.error } : r;
    }),
  );
  return nifiSummary(reports);
}
