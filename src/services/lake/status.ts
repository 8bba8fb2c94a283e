import type { ServiceInstance } from '../../inventory/types.js';
import type { ComponentSummary } from '../definition.js';
import { NAMENODE } from '../hdfs/endpoints.js';
import type { ProbeContext } from '../runtime.js';
import { jobStatuses } from '../spark/jobs/progress.js';
import { hdfs } from '../spark/jobs/submit.js';
import { LIVE_STATES, sparkApps } from '../spark/jobs/yarn-apps.js';
import { RESOURCEMANAGER } from '../yarn/endpoints.js';
import { lakeTables } from './tables.js';

/** The lake in `pyro status`: each table's size and, for an archived topic, its job; a job not running is a problem. */
export async function lakeStatus(ctx: ProbeContext, managed: readonly ServiceInstance[]): Promise<ComponentSummary | undefined> {
  const tables = lakeTables(ctx.inv);
  if (!tables.length || !managed.some((i) => i.def.role === NAMENODE)) return undefined;
  const yarn = managed.some((i) => i.def.role === RESOURCEMANAGER);
  const apps = yarn ? await sparkApps(ctx.inv, LIVE_STATES).catch(() => []) : [];
  const fs = hdfs(ctx.inv);
  const jobs = yarn
    ? await jobStatuses(
        ctx.inv,
        tables.flatMap((t) => (t.job ? [t.job] : [])),
        apps,
      )
    : [];
  const rows = await Promise.all(
    tables.map(async (t) => ({
      table: t.name,
      dir: t.dir,
      topic: t.topic,
      bytes: (await fs.summary(t.dir).catch(() => undefined))?.bytes,
      job: jobs.find((j) => j.name === t.job),
    })),
  );
  const mib = (n: number | undefined) => (n === undefined ? 'no dir yet' : `${(n / 1048576).toFixed(1)} MiB`);
  return {
    key: 'lake',
    data: rows,
    lines: rows.map(
      (r) =>
        `Lake   ${r.table}: ${mib(r.bytes)}${r.job ? `, archive job ${r.job.name} ${r.job.state}${r.job.inputRowsPerSecond !== undefined ? ` (${r.job.inputRowsPerSecond.toFixed(1)} rows/s in)` : ''}` : ''}`,
    ),
    problems: rows
      .filter((r) => r.job && r.job.state !== 'RUNNING')
      .map((r) => `archive job ${r.job!.name} of lake table ${r.table} is ${r.job!.state.toLowerCase()}`),
    ui: {},
  };
}
