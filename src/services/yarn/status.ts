import { errorText, getJson } from '../../clients/http.js';
import type { ServiceInstance } from '../../inventory/types.js';
import type { ComponentSummary } from '../definition.js';
import { httpBase, orError, type ProbeContext } from '../runtime.js';
import { nodeManagerCount, RESOURCEMANAGER } from './endpoints.js';
import { yarnSummary } from './probes.js';

type App = { id: string; name: string; state: string; user: string };

/** YARN in `pyro status`: nodes, memory and the applications running or waiting. */
export async function yarnStatus(ctx: ProbeContext, managed: readonly ServiceInstance[]): Promise<ComponentSummary | undefined> {
  const rm = managed.find((i) => i.def.role === RESOURCEMANAGER);
  if (!rm) return undefined;
  const y = await orError(async () => {
    const [sum, apps] = await Promise.all([
      yarnSummary(ctx.inv),
      getJson<{ apps: { app?: App[] } | null }>(`${httpBase(rm)}/ws/v1/cluster/apps?states=RUNNING,ACCEPTED`),
    ]);
    return {
      ...sum,
      expectedNodes: nodeManagerCount(ctx.inv),
      applications: (apps.apps?.app ?? []).map((a) => ({ id: a.id, name: a.name, state: a.state, user: a.user })),
    };
  }, errorText);
  const problems: string[] = [];
  let line: string;
  if ('error' in y) {
    problems.push(`YARN: ${y.error}`);
    line = `YARN   unreachable: ${y.error}`;
  } else {
    if (y.activeNodes < y.expectedNodes) problems.push(`YARN: ${y.activeNodes}/${y.expectedNodes} NodeManagers active`);
    line = `YARN   ${y.activeNodes}/${y.expectedNodes} NodeManagers active, ${y.allocatedMB}/${y.totalMB} MB allocated, ${y.appsRunning} running and ${y.appsPending} pending applications${y.applications.length ? `: ${y.applications.map((a) => `${a.name} (${a.id}, ${a.state})`).join(', ')}` : ''}`;
  }
  return { key: 'yarn', data: y, lines: [line], problems, ui: { 'YARN ResourceManager': `${httpBase(rm)}/cluster` } };
}
