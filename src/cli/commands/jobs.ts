import { jobsOf } from '../../services/spark/sections.js';
import { openJobContext } from '../../phases/cluster-context.js';
import { jobStatuses } from '../../services/spark/jobs/progress.js';
import type { Inventory } from '../../inventory/types.js';
import { archiveJob, lakeTables } from '../../services/lake/tables.js';
import { adHocJob, jobFromInventory, type JobSpec } from '../../services/spark/jobs/spec.js';
import { driverLog, liveApp, sparkApps } from '../../services/spark/jobs/yarn-apps.js';
import { stopJob, submitBatch, submitJob } from '../../services/spark/jobs/submit.js';
import { renderTable } from '../../ui/table.js';
import { InputError } from '../../util/errors.js';
import type { RunContext } from '../context.js';

export interface SubmitOptions {
  inventory: string;
  name?: string;
  class?: string;
  topic?: string[];
  replace?: boolean;
  batch?: boolean;
  json?: boolean;
}

/** A job the inventory declares: under jobs:, or the archive job of a lake table (lake-<table>). */
function declaredJob(inv: Inventory, name: string): JobSpec {
  const table = lakeTables(inv).find((t) => t.job === name);
  return table ? archiveJob(inv, table.name) : jobFromInventory(inv, name);
}

const declaredNames = (inv: Inventory) => [...jobsOf(inv).map((j) => j.name), ...lakeTables(inv).flatMap((t) => (t.job ? [t.job] : []))];

/** `pyro submit-job JOB|FILE [-- args]`: a declared job by name, or a .py/.jar file. */
export async function submitJobCommand(target: string, args: string[], o: SubmitOptions, ctx: RunContext): Promise<void> {
  const jc = await openJobContext(o.inventory, ctx.out, { quiet: o.json, signal: ctx.signal });
  const isFile = /\.(py|jar)$/.test(target);
  const job = isFile ? adHocJob(target, { name: o.name, mainClass: o.class, args, topics: o.topic, batch: o.batch }) : declaredJob(jc.inv, target);
  if (!isFile && args.length) job.args = args;
  if (o.batch) job.kind = 'batch';
  if (job.kind === 'batch') {
    if (o.replace) throw new InputError('BAD_OPTION', `--replace applies to streaming jobs; ${job.name} is a batch job`, { hint: 'leave --replace out' });
    const b = await submitBatch(jc, job);
    if (o.json) ctx.out.data({ ok: true, job: job.name, kind: 'batch', ...b });
    else ctx.out.info(`${job.name} (${b.appId}) finished: ${b.finalStatus} in ${b.seconds.toFixed(1)} s`);
    return;
  }
  const r = await submitJob(jc, job, { replace: o.replace });
  if (o.json) ctx.out.data({ ok: true, job: job.name, ...r });
  else ctx.out.info(`${job.name} is running as ${r.appId} (${r.seconds.toFixed(1)} s): ${r.trackingUrl}`);
}

const age = (ms: number) => (ms < 120_000 ? `${Math.round(ms / 1000)}s` : ms < 7_200_000 ? `${Math.round(ms / 60_000)}m` : `${(ms / 3_600_000).toFixed(1)}h`);

/** `pyro jobs`: every Spark application YARN runs or ran for the declared jobs, with the query's progress. */
export async function jobsListCommand(o: { inventory: string; json?: boolean; all?: boolean }, ctx: RunContext): Promise<void> {
  const jc = await openJobContext(o.inventory, ctx.out, { quiet: true });
  const apps = await sparkApps(jc.inv, o.all ? undefined : ['ACCEPTED', 'RUNNING']);
  const declared = declaredNames(jc.inv);
  const names = [...new Set([...declared, ...apps.map((a) => a.name)])];
  const rows = (await jobStatuses(jc.inv, names, apps)).map((r) => ({ ...r, declared: declared.includes(r.name) }));
  if (o.json) {
    ctx.out.data({ jobs: rows });
    return;
  }
  if (!rows.length) {
    ctx.out.info('no jobs declared or running');
    return;
  }
  ctx.out.info(
    renderTable(
      ['JOB', 'STATE', 'APPLICATION', 'UPTIME', 'INPUT/S', 'BATCH', 'LAST BATCH'],
      rows.map((r) => [
        r.name,
        r.state,
        r.appId ?? '-',
        r.uptimeSec !== undefined ? age(r.uptimeSec * 1000) : '-',
        r.inputRowsPerSecond !== undefined ? r.inputRowsPerSecond.toFixed(1) : '-',
        r.batchDurationMs !== undefined ? `${r.batchDurationMs} ms` : '-',
        r.lastBatch !== undefined ? String(r.lastBatch) : '-',
      ]),
      ctx.out.isTTY,
    ),
  );
}

export async function jobsStopCommand(name: string, o: { inventory: string; json?: boolean }, ctx: RunContext): Promise<void> {
  const jc = await openJobContext(o.inventory, ctx.out, { quiet: o.json });
  const r = await stopJob(jc, name);
  if (o.json) ctx.out.data({ ok: true, job: name, ...r });
  else
    ctx.out.info(
      r.how === 'not-running'
        ? `${name} is not running`
        : `${name} (${r.appId}) stopped ${r.how === 'graceful' ? 'between batches' : 'by a YARN kill after the grace period'}`,
    );
}

export async function jobsLogsCommand(name: string, o: { inventory: string; bytes?: number }, ctx: RunContext): Promise<void> {
  const jc = await openJobContext(o.inventory, ctx.out, { quiet: true });
  const app = (await liveApp(jc.inv, name)) ?? (await sparkApps(jc.inv)).find((a) => a.name === name);
  if (!app) throw new InputError('UNKNOWN_JOB', `YARN has no application named ${name}`, { hint: '`pyro jobs --all` lists what YARN knows' });
  ctx.out.info(await driverLog(jc.inv, app.id, 'stderr', o.bytes ?? 20_000));
}

export async function jobsRestartCommand(name: string, o: { inventory: string; json?: boolean }, ctx: RunContext): Promise<void> {
  const jc = await openJobContext(o.inventory, ctx.out, { quiet: o.json, signal: ctx.signal });
  const r = await submitJob(jc, declaredJob(jc.inv, name), { replace: true });
  if (o.json) ctx.out.data({ ok: true, job: name, ...r });
  else ctx.out.info(`${name} restarted as ${r.appId} from its checkpoint`);
}
