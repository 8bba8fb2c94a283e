import type { ServiceStep, StepContext } from '../definition.js';
import { hdfs, submitJob } from '../spark/jobs/submit.js';
import { liveApp } from '../spark/jobs/yarn-apps.js';
import { canRunContainers } from '../yarn/endpoints.js';
import { pruneTable } from './partitions.js';
import { archiveJob, lakeTables } from './tables.js';

/** Makes each table's dir, drops partitions past their retention, and submits the archive jobs YARN does not run. */
async function syncLake(ctx: StepContext): Promise<{ tables: string[]; pruned: number; submitted: string[] }> {
  const fs = hdfs(ctx.inv);
  const tables = lakeTables(ctx.inv);
  let pruned = 0;
  for (const t of tables) {
    if (!(await fs.exists(t.dir))) {
      ctx.change(`create lake table dir ${t.dir}`);
      if (!ctx.dryRun) await fs.mkdirs(t.dir);
    }
    const p = await pruneTable(fs, t, Date.now(), ctx.dryRun);
    if (p.partitions) {
      ctx.change(`drop ${p.partitions} partition${p.partitions === 1 ? '' : 's'} of ${t.name} older than its retention`);
      ctx.log(`[lake] ${ctx.dryRun ? 'would drop' : 'dropped'} ${p.paths.join(', ')}`);
      pruned += p.partitions;
    }
  }
  const submitted: string[] = [];
  if (canRunContainers(ctx.managedRoles)) {
    const submit = { inv: ctx.inv, stateDir: ctx.stateDir, secrets: ctx.secrets, log: (l: string) => ctx.log(`   ${l}`), signal: ctx.signal };
    for (const t of tables.filter((x) => x.job)) {
      if (await liveApp(ctx.inv, t.job!)) continue;
      submitted.push(t.job!);
      if (ctx.dryRun) {
        ctx.change(`submit archive job ${t.job} (topic ${t.topic} into ${t.dir})`);
        continue;
      }
      const r = await submitJob(submit, archiveJob(ctx.inv, t.name));
      ctx.change(`submit archive job ${t.job} (${r.appId})`);
      ctx.log(`[lake] ${t.topic} -> ${t.dir}: ${t.job} running as ${r.appId}`);
    }
  }
  return { tables: tables.map((t) => t.name), pruned, submitted };
}

/** `up` keeps the lake: dirs, retention, and the jobs that archive topics into it. */
export const lakeStep: ServiceStep = {
  name: 'lake',
  shouldRun: (ctx) => lakeTables(ctx.inv).length > 0 && ctx.managedRoles.includes('hdfs-namenode'),
  run: syncLake,
  notReachable: (e) => `lake not checked: HDFS or YARN is not reachable (${e}); the lake is set up once they are`,
};
