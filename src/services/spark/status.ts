import type { ServiceInstance } from '../../inventory/types.js';
import type { ComponentSummary } from '../definition.js';
import type { ProbeContext } from '../runtime.js';
import { RESOURCEMANAGER } from '../yarn/endpoints.js';
import { jobStatuses } from './jobs/progress.js';
import { LIVE_STATES, sparkApps } from './jobs/yarn-apps.js';
import { streamingJobsOf } from './sections.js';

/** Declared jobs in `pyro status`: each one's YARN state and progress; one not running is a problem. */
export async function jobsStatus(ctx: ProbeContext, managed: readonly ServiceInstance[]): Promise<ComponentSummary | undefined> {
  const names = streamingJobsOf(ctx.inv).map((j) => j.name);
  if (!names.length || !managed.some((i) => i.def.role === RESOURCEMANAGER)) return undefined;
  const apps = await sparkApps(ctx.inv, LIVE_STATES).catch(() => []);
  const jobs = await jobStatuses(ctx.inv, names, apps);
  return {
    key: 'jobs',
    data: jobs,
    lines: jobs.map(
      (j) =>
        `Job    ${j.name}: ${j.state}${j.appId ? ` (${j.appId}, up ${j.uptimeSec}s${j.inputRowsPerSecond !== undefined ? `, ${j.inputRowsPerSecond.toFixed(1)} rows/s in` : ''}${j.batchDurationMs !== undefined ? `, batch ${j.batchDurationMs} ms` : ''})` : ''}`,
    ),
    problems: jobs.filter((j) => j.state !== 'RUNNING').map((j) => `job ${j.name} is ${j.state.toLowerCase()}`),
    ui: {},
  };
}
