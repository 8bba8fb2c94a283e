import pg from 'pg';
import { postgresInstance, PG_USER } from '../postgresql/endpoints.js';
import { servingConnection } from '../postgresql/probes.js';
import type { PrepareContext } from '../runtime.js';
import { hdfs } from '../spark/jobs/submit.js';
import { controlTree } from '../spark/jobs/spark-home.js';
import { sparkYarnArchive } from '../spark/jobs/spark-archive.js';
import { sparkSqlInstance, sparkSqlSettingsOf } from './settings.js';

/**
 * Before the server starts: its metastore's database in the serving PostgreSQL, and Spark's jars in HDFS (the
 * archive its executors start from, shared with the jobs).
 */
export async function prepareSparkSql(ctx: PrepareContext): Promise<void> {
  const inst = sparkSqlInstance(ctx.inv);
  const server = postgresInstance(ctx.inv);
  if (!inst || !server) return;
  const db = sparkSqlSettingsOf(inst).metastoreDatabase;
  const client = new pg.Client(servingConnection(server, ctx));
  await client.connect();
  try {
    const have = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [db]);
    if (!have.rowCount) {
      ctx.log(`creating the metastore database ${db} in PostgreSQL`);
      // The name passed the inventory's pattern (lowercase, digits, dashes): quoted, it is taken as is.
      await client.query(`CREATE DATABASE "${db}" OWNER ${PG_USER}`);
    }
  } finally {
    await client.end().catch(() => undefined);
  }
  await sparkYarnArchive(ctx.inv, hdfs(ctx.inv), await controlTree(ctx.inv, 'spark', ctx.log), ctx.log);
}
