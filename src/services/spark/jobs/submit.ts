import { execFile } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { execa } from 'execa';
import { withAdmin } from '../../../clients/kafka-admin.js';
import { WebHdfs } from '../../../clients/webhdfs.js';
import type { Inventory } from '../../../inventory/types.js';
import { parseMemoryMb } from '../../../inventory/resolve.js';
import { renderHadoopXml } from '../../../render/hadoop-xml.js';
import { ensureStateDir } from '../../../state/paths.js';
import { InputError, PyroError } from '../../../util/errors.js';
import { defaultFs, hdfsUser, nameNodeHttp } from '../../hdfs/endpoints.js';
import { hdfsSettings } from '../../hdfs/settings.js';
import { bootstrapServers } from '../../kafka/endpoints.js';
import { servingJdbc } from '../../postgresql/endpoints.js';
import { endpoint } from '../../runtime.js';
import { resourceManager } from '../../yarn/endpoints.js';
import { JOB_HELPER, jobDirs } from './paths.js';
import { controlTree } from './spark-home.js';
import { sparkYarnArchive } from './spark-archive.js';
import type { JobSpec } from './spec.js';
import { driverLog, killApp, liveApp, yarnApp, yarnRoom, type YarnApp } from './yarn-apps.js';

const run = promisify(execFile);

export interface SubmitContext {
  inv: Inventory;
  stateDir: string;
  secrets: Record<string, string>;
  log: (line: string) => void;
  signal?: AbortSignal;
}

export interface Submitted {
  appId: string;
  trackingUrl: string;
  seconds: number;
}

export function hdfs(inv: Inventory): WebHdfs {
  return new WebHdfs(nameNodeHttp(inv), hdfsUser(inv));
}

/** The client-side Hadoop config spark-submit reads: where HDFS and the ResourceManager are. */
export function clientConfFiles(inv: Inventory): Record<string, string> {
  const rm = resourceManager(inv);
  return {
    'core-site.xml': renderHadoopXml({ 'fs.defaultFS': defaultFs(inv) }),
    // Files the client writes (staging, checkpoints, progress) get the cluster's replication, not the client default 3.
    'hdfs-site.xml': renderHadoopXml({ 'dfs.replication': hdfsSettings(inv).replication }),
    'yarn-site.xml': renderHadoopXml({
      'yarn.resourcemanager.hostname': rm.host.address,
      'yarn.resourcemanager.address': endpoint(rm, 'rpc'),
      'yarn.resourcemanager.scheduler.address': endpoint(rm, 'scheduler'),
      'yarn.resourcemanager.webapp.address': endpoint(rm, 'http'),
    }),
  };
}

async function clientConf(ctx: SubmitContext): Promise<string> {
  const dir = path.join(ctx.stateDir, 'client-conf');
  await ensureStateDir(dir);
  for (const [name, text] of Object.entries(clientConfFiles(ctx.inv))) await writeFile(path.join(dir, name), text);
  return dir;
}

/** What a submission needs from the control machine beyond the inventory and the job. */
export interface SubmitInputs {
  /** The HDFS path of Spark's jars (spark.yarn.archive). */
  archive: string;
  /** The JDBC driver's jar names, as localized into each container's working dir. */
  jdbcClassPath: string;
  secrets: Record<string, string>;
}

/**
 * The --conf pairs of a submission: pyro's, then the inventory's services.spark.config."spark-defaults.conf" (for
 * every job), then the job's own sparkConf.
 */
export function submitConf(inv: Inventory, job: JobSpec, inputs: SubmitInputs): Record<string, string> {
  const dirs = jobDirs(job.name);
  const pg = servingJdbc(inv, inputs.secrets);
  const cluster = Object.fromEntries(Object.entries(inv.config.spark?.['spark-defaults.conf'] ?? {}).map(([k, v]) => [k, String(v)]));
  return {
    'spark.yarn.archive': inputs.archive,
    'spark.yarn.submit.waitAppCompletion': 'false',
    'spark.pyspark.python': 'python3',
    'spark.yarn.maxAppAttempts': '1',
    'spark.yarn.submit.file.replication': String(hdfsSettings(inv).replication),
'spark.sql.shuffle.partitions': '2',
    'spark.sql.streaming.stateStore.providerClass': 'org.apache.spark.sql.execution.streaming.state.HDFSBackedStateStoreProvider',
    // The job's HDFS client rides through a NameNode restart (an upgrade, a config change): a refused connection
    // and the start-up safe mode are retried every 2 s for up to 2 minutes, where the default fails the query (and
    // with it the job) after about 10 s.
    'spark.hadoop.dfs.client.retry.policy.enabled': 'true',
    'spark.hadoop.dfs.client.retry.policy.spec': '2000,60',
    // --jars files are localized into the container's working dir: the JDBC driver by its bare name on the class path.
    'spark.driver.extraClassPath': inputs.jdbcClassPath,
    'spark.executor.extraClassPath': inputs.jdbcClassPath,
    'spark.pyro.job': job.name,
    'spark.pyro.jobDir': `${defaultFs(inv)}${dirs.dir}`,
    'spark.pyro.checkpoint': `${defaultFs(inv)}${dirs.checkpoint}`,
    'spark.pyro.trigger': `${job.triggerMs} milliseconds`,
    'spark.pyro.kafka.bootstrap': bootstrapServers(inv).join(','),
    ...(job.topics.length ? { 'spark.pyro.topics': job.topics.join(',') } : {}),
    ...(pg ? { 'spark.pyro.pg.url': pg.url, 'spark.pyro.pg.user': pg.user, 'spark.pyro.pg.password': pg.password } : {}),
    ...cluster,
    ...job.sparkConf,
  };
}

/** YARN's container size for a JVM of `heapMb`: Spark adds max(384, 10%) of overhead, YARN rounds up to 256. */
function containerMb(heapMb: number): number {
  const raw = heapMb + Math.max(384, Math.ceil(heapMb * 0.1));
  return Math.ceil(raw / 256) * 256;
}

/** Checks what can be checked before YARN is asked: the file compiles, its topics exist, YARN has room. */
export async function preflight(ctx: SubmitContext, job: JobSpec): Promise<void> {
  if (job.main.endsWith('.py')) {
    try {
      await run('python3', ['-c', 'import sys; f = sys.argv[1]; compile(open(f, encoding="utf-8").read(), f, "exec")', job.main]);
    } catch (e) {
      const text = String((e as { stderr?: string }).stderr ?? (e as Error).message).trim();
      const m = [...text.matchAll(/File "([^"]+)", line (\d+)/g)].filter((x) => x[1] !== '<string>').at(-1);
      throw new InputError('JOB_SYNTAX', `${m ? `${m[1]}:${m[2]}` : job.main}: the job does not compile:\n${text.split('\n').slice(-4).join('\n')}`, {
        hint: 'fix the file and submit again; nothing was sent to YARN',
      });
    }
  }
  if (job.topics.length) {
    const have = new Set(await withAdmin(bootstrapServers(ctx.inv), (a) => a.listTopics()));
    const missing = job.topics.filter((t) => !have.has(t));
    if (missing.length) {
      throw new InputError('JOB_TOPIC_MISSING', `job ${job.name} reads ${missing.join(', ')}, which Kafka does not have`, {
        hint: `declare ${missing.length === 1 ? 'it' : 'them'} under topics: in ${ctx.inv.file} and run \`pyro up\``,
      });
    }
  }
  const room = await yarnRoom(ctx.inv);
  const driver = containerMb(parseMemoryMb(job.resources.driverMemory));
  const executor = containerMb(parseMemoryMb(job.resources.executorMemory));
  const need = driver + executor * job.resources.executors;
  if (driver > room.maxContainerMB || executor > room.maxContainerMB || need > room.availableMB) {
    throw new PyroError('YARN_NO_ROOM', `job ${job.name} needs ${need} MB from YARN (driver ${driver} MB + ${job.resources.executors} x ${executor} MB executors); YARN has ${room.availableMB} MB free, at most ${room.maxContainerMB} MB on one node`, {
      hint: 'lower resources.driverMemory / executorMemory / executors of the job, stop another job (`pyro jobs`), or give the NodeManagers more memory',
    });
  }
}

/** Submits a job in cluster mode and waits until YARN runs it and its query reports; shows why when it fails. */
export async function submitJob(ctx: SubmitContext, job: JobSpec, opts: { replace?: boolean; waitSeconds?: number } = {}): Promise<Submitted> {
  const t0 = Date.now();
  const live = await liveApp(ctx.inv, job.name);
  if (live && !opts.replace) {
    throw new InputError('JOB_RUNNING', `job ${job.name} is already running as ${live.id} (${live.state})`, { hint: `\`pyro submit-job ${job.name} --replace\` stops it and starts it again from its checkpoint` });
  }
  await preflight(ctx, job);
  if (live) {
    ctx.log(`stopping ${live.id} first (--replace)`);
    await stopJob(ctx, job.name);
  }
  const appId = await sparkSubmit(ctx, job);
  const app = await waitRunning(ctx, job, appId, opts.waitSeconds ?? 240);
  return { appId, trackingUrl: app.trackingUrl ?? '', seconds: (Date.now() - t0) / 1000 };
}

/** How a batch job ended: YARN's final status and the exit code of its driver (0 when it succeeded). */
export interface BatchResult extends Submitted {
  finalStatus: string;
  exitCode: number;
}

/**
 * Runs a batch job in cluster mode and waits for its end, saying each state it passes. A job that fails gives its
 * driver's exit code (from YARN's diagnostics, else 1) with the driver log's tail; one of the same name running
 * is refused.
 */
export async function submitBatch(ctx: SubmitContext, job: JobSpec): Promise<BatchResult> {
  const t0 = Date.now();
  const live = await liveApp(ctx.inv, job.name);
  if (live) {
    throw new InputError('JOB_RUNNING', `job ${job.name} is already running as ${live.id} (${live.state})`, { hint: `wait for it, or \`pyro jobs stop ${job.name}\`` });
  }
  await preflight(ctx, job);
  const appId = await sparkSubmit(ctx, job);
  let said = '';
  for (;;) {
    const app = await yarnApp(ctx.inv, appId);
    if (app.state !== said) {
      ctx.log(`${appId}: ${app.state}${app.trackingUrl && app.state === 'RUNNING' ? ` (${app.trackingUrl})` : ''}`);
      said = app.state;
    }
    if (['FAILED', 'KILLED', 'FINISHED'].includes(app.state)) {
      const seconds = (Date.now() - t0) / 1000;
      if (app.finalStatus === 'SUCCEEDED') return { appId, trackingUrl: app.trackingUrl ?? '', seconds, finalStatus: app.finalStatus, exitCode: 0 };
      const code = Number(/exit(?:ed)? with (?:status|code) (\d+)/i.exec(app.diagnostics)?.[1] ?? 1) || 1;
      const log = await failureLog(ctx.inv, appId);
      throw new PyroError(
        'JOB_FAILED',
        `batch job ${job.name} (${appId}) ended ${app.state}/${app.finalStatus} after ${seconds.toFixed(0)} s, exit code ${code}: ${app.diagnostics.split('\n')[0] ?? ''}\n--- driver log ---\n${log.split('\n').slice(-30).join('\n')}`,
        { hint: `\`pyro jobs logs ${job.name}\` shows the whole driver log`, exitCode: code },
      );
    }
    await new Promise((res) => setTimeout(res, 1000));
  }
}

/** spark-submit in cluster mode, not waiting for the application; returns its id. */
async function sparkSubmit(ctx: SubmitContext, job: JobSpec): Promise<string> {
  const inv = ctx.inv;
  const spark = await controlTree(inv, 'spark', ctx.log);
  const jdbcTree = await controlTree(inv, 'postgresql-jdbc', ctx.log);
  const jars = [
    ...readdirSync(path.join(spark, 'connectors')).filter((f) => f.endsWith('.jar')).map((f) => path.join(spark, 'connectors', f)),
    ...readdirSync(path.join(jdbcTree, 'jars')).filter((f) => f.endsWith('.jar')).map((f) => path.join(jdbcTree, 'jars', f)),
  ];
  const jdbcClassPath = jars.filter((j) => j.startsWith(jdbcTree)).map((j) => path.basename(j)).join(':');
  const fs = hdfs(inv);
  const dirs = jobDirs(job.name);
  await fs.mkdirs(dirs.dir);
  await fs.delete(`${dirs.dir}/stop`).catch(() => undefined);
  await fs.delete(`${dirs.dir}/progress.json`).catch(() => undefined);
  const conf = submitConf(inv, job, { archive: await sparkYarnArchive(inv, fs, spark, ctx.log), jdbcClassPath, secrets: ctx.secrets });
  const args = [
    '--master', 'yarn', '--deploy-mode', 'cluster', '--name', job.name,
    '--driver-memory', job.resources.driverMemory, '--executor-memory', job.resources.executorMemory,
    '--num-executors', String(job.resources.executors), '--executor-cores', String(job.resources.executorCores),
    '--jars', jars.join(','),
    ...Object.entries(conf).flatMap(([k, v]) => ['--conf', `${k}=${v}`]),
    ...(job.main.endsWith('.py') ? ['--py-files', JOB_HELPER] : ['--class', job.mainClass!]),
    job.main, ...job.args,
  ];
  ctx.log(`submitting ${job.name} to YARN at ${resourceManager(inv).host.address}`);
  const r = await execa(path.join(spark, 'bin', 'spark-submit'), args, {
    env: { SPARK_HOME: spark, HADOOP_CONF_DIR: await clientConf(ctx), YARN_CONF_DIR: path.join(ctx.stateDir, 'client-conf'), HADOOP_USER_NAME: hdfsUser(inv), SPARK_PRINT_LAUNCH_COMMAND: '' },
    reject: false, all: true, stdin: 'ignore', cancelSignal: ctx.signal, timeout: 300_000,
  });
  const out = String(r.all ?? '');
  const appId = /(application_\d+_\d+)/.exec(out)?.[1];
  if (r.exitCode !== 0 || !appId) {
    throw new PyroError('JOB_SUBMIT_FAILED', `spark-submit for ${job.name} failed (exit ${r.exitCode}):\n${out.trim().split('\n').slice(-15).join('\n')}`, { hint: 'is YARN up? `pyro status`' });
  }
  return appId;
}

/** Waits until the app is RUNNING and its query has reported once; a failure brings YARN's reason and the driver log. */
async function waitRunning(ctx: SubmitContext, job: JobSpec, appId: string, seconds: number): Promise<YarnApp> {
  const deadline = Date.now() + seconds * 1000;
  const fs = hdfs(ctx.inv);
  let said = '';
  for (;;) {
    const app = await yarnApp(ctx.inv, appId);
    if (app.state !== said) {
      ctx.log(`${appId}: ${app.state}${app.trackingUrl ? ` (${app.trackingUrl})` : ''}`);
      said = app.state;
    }
    if (['FAILED', 'KILLED', 'FINISHED'].includes(app.state)) {
      const log = await failureLog(ctx.inv, appId);
      throw new PyroError('JOB_FAILED', `job ${job.name} (${appId}) ended ${app.state}/${app.finalStatus}: ${app.diagnostics.split('\n')[0] ?? ''}\n--- driver log ---\n${log.split('\n').slice(-30).join('\n')}`, {
        hint: `\`pyro jobs logs ${job.name}\` shows the whole driver log`,
      });
    }
    if (app.state === 'RUNNING') {
      const progress = await fs.get(`${jobDirs(job.name).dir}/progress.json`).catch(() => undefined);
      if (progress || job.main.endsWith('.jar')) return app;
    }
    if (Date.now() > deadline) {
      const why = app.state === 'ACCEPTED' ? `still ACCEPTED: ${app.diagnostics}` : `RUNNING but its query has not reported yet`;
      throw new PyroError('JOB_NOT_RUNNING', `job ${job.name} (${appId}) is not running after ${seconds} s: ${why}`, { hint: `\`pyro jobs logs ${job.name}\`; \`pyro jobs stop ${job.name}\` to give up` });
    }
    await new Promise((res) => setTimeout(res, 1000));
  }
}

/** The driver's stdout when it holds a Python traceback (that is where PySpark prints it), else stderr's tail. */
async function failureLog(inv: Inventory, appId: string): Promise<string> {
  const out = await driverLog(inv, appId, 'stdout', 20_000).catch(() => '');
  const tb = out.lastIndexOf('Traceback (most recent call last)');
  if (tb >= 0) return out.slice(tb).split('\n').filter((l) => !/^(End of LogType|\*{10})/.test(l)).join('\n');
  return driverLog(inv, appId).catch((e: Error) => `(driver log not available: ${e.message})`);
}

/** Asks a job to stop between batches (its stop marker), waits for it to finish; kills it after `graceSeconds`. */
export async function stopJob(ctx: SubmitContext, name: string, graceSeconds = 90): Promise<{ appId?: string; how: 'graceful' | 'killed' | 'not-running' }> {
  const app = await liveApp(ctx.inv, name);
  if (!app) return { how: 'not-running' };
  const fs = hdfs(ctx.inv);
  await fs.put(`${jobDirs(name).dir}/stop`, Buffer.from(`${new Date().toISOString()}\n`));
  const deadline = Date.now() + graceSeconds * 1000;
  while (Date.now() < deadline) {
    const now = await yarnApp(ctx.inv, app.id);
    if (['FINISHED', 'FAILED', 'KILLED'].includes(now.state)) return { appId: app.id, how: 'graceful' };
    await new Promise((res) => setTimeout(res, 1000));
  }
  await killApp(ctx.inv, app.id);
  return { appId: app.id, how: 'killed' };
}
