import type { ServiceStep, StepContext } from '../definition.js';
import { defaultFs } from '../hdfs/endpoints.js';
import { lakeTables, type LakeTableSpec } from '../lake/tables.js';
import { hdfs } from '../spark/jobs/submit.js';
import { runSql } from './beeline.js';
import { sparkSqlInstance, sparkSqlSettingsOf } from './settings.js';

/** The columns pyro's archive job writes (jobs/pyro_archive.py), partition columns last. */
export const ARCHIVE_COLUMNS =
  '`value` STRING, `page` STRING, `user` STRING, `event_time` TIMESTAMP, `kafka_time` TIMESTAMP, `kafka_partition` INT, `kafka_offset` BIGINT, `day` DATE, `hour` INT';

/**
 * The statement that registers a table: an archived topic's with the archive job's columns; a table of the user's
 * own jobs with what Spark reads from its files (so it needs files first).
 */
export function createTableSql(db: string, t: LakeTableSpec, fsUri: string): string {
  const location = `LOCATION '${fsUri}${t.dir}'`;
  return t.topic
    ? `CREATE TABLE IF NOT EXISTS \`${db}\`.\`${t.name}\` (${ARCHIVE_COLUMNS}) USING parquet PARTITIONED BY (\`day\`, \`hour\`) ${location}`
    : `CREATE TABLE IF NOT EXISTS \`${db}\`.\`${t.name}\` USING parquet ${location}`;
}

/** Registers each lake table in the Spark SQL server (once; its partitions are read from its dir). */
async function registerTables(ctx: StepContext): Promise<{ registered: string[]; waiting: string[] }> {
  const inst = sparkSqlInstance(ctx.inv)!;
  const db = sparkSqlSettingsOf(inst).lakeDatabase;
  const have = new Set(
    (await runSql(ctx.inv, inst, [`CREATE DATABASE IF NOT EXISTS \`${db}\``, `SHOW TABLES IN \`${db}\``], { signal: ctx.signal })).map((r) => r[1] ?? r[0]),
  );
  const toRegister: LakeTableSpec[] = [];
  const waiting: string[] = [];
  const fs = hdfs(ctx.inv);
  for (const t of lakeTables(ctx.inv)) {
    if (have.has(t.name)) continue;
    if (!t.topic && !((await fs.list(t.dir).catch(() => undefined)) ?? []).some((f) => !f.name.startsWith('_') && !f.name.startsWith('.'))) {
      waiting.push(t.name);
      ctx.log(`[spark-sql] ${db}.${t.name} is registered once its job has written files to ${t.dir}`);
      continue;
    }
    ctx.change(`register lake table ${db}.${t.name} in the Spark SQL server`);
    toRegister.push(t);
  }
  const registered = toRegister.map((t) => t.name);
  if (ctx.dryRun || !toRegister.length) return { registered, waiting };
  // One session for them all: each beeline run starts a JVM.
  await runSql(
    ctx.inv,
    inst,
    toRegister.map((t) => createTableSql(db, t, defaultFs(ctx.inv))),
    { signal: ctx.signal },
  );
  for (const t of toRegister) ctx.log(`[spark-sql] registered ${db}.${t.name} over ${t.dir}`);
  return { registered, waiting };
}

/** `up` registers the lake tables in the Spark SQL server. */
export const registerStep: ServiceStep = {
  name: 'spark-sql',
  shouldRun: (ctx) => !!sparkSqlInstance(ctx.inv) && lakeTables(ctx.inv).length > 0 && ctx.managedRoles.includes('spark-sql'),
  run: registerTables,
  notReachable: (e) => `lake tables not registered: the Spark SQL server is not reachable (${e}); they are once it is`,
};
