import path from 'node:path';
import { v5 as uuidv5 } from 'uuid';
import type { Inventory, ServiceInstance } from '../../inventory/types.js';
import { InputError } from '../../util/errors.js';
import { PG_SECRET, PG_USER, pgUri, postgresInstance, servingDatabase } from '../postgresql/endpoints.js';
import { streamingJobsOf } from '../spark/sections.js';
import { hdfsUser } from '../hdfs/endpoints.js';
import { sparkSqlInstance, sqlAlchemyUri } from '../spark-sql/endpoints.js';
import { sparkSqlSettingsOf } from '../spark-sql/settings.js';
import { PROBES_TABLE } from '../spark/jobs/probes.js';
import { dashboardsIn, databasesOf, datasetsOf, type DatasetEntry } from './sections.js';
import { supersetSettings } from './settings.js';

// What the inventory asks of Superset, derived without touching it: its URL and admin, the serving database and
// the datasets to register, the dashboard bundles to import.

/** Secrets the Superset tier uses (generated once into the cluster state, 0600). */
export const SUPERSET_SECRET_KEY = 'superset-secret-key';
export const SUPERSET_ADMIN_SECRET = 'superset-admin-password';

/** Objects pyro registers get uuids derived from the cluster and their name: re-runs find them, never duplicate. */
const PYRO_NAMESPACE = 'a4f2b1c0-6d3e-4f58-9a7b-2c1d0e9f8a76';

/** The role's name (only this folder says it). */
export const SUPERSET = 'superset';

export function supersetInstance(inv: Inventory): ServiceInstance | undefined {
  return inv.instances.find((i) => i.def.role === SUPERSET);
}

export function supersetUrl(inst: ServiceInstance): string {
  return `http://${inst.host.address}:${inst.ports.http}`;
}

export function adminUser(inv: Inventory): string {
  return supersetSettings(inv).adminUser;
}

/** The database Superset's metadata lives in, when it is PostgreSQL. */
export const METADATA_DATABASE = 'superset';

export { pgUri, postgresInstance };

export interface DesiredDatabase {
  uuid: string;
  name: string;
  uri: string;
  /** The URI as Superset shows it (password masked), for comparison and messages. */
  maskedUri: string;
  /** host:port, for messages. */
  host: string;
  /** The serving store pyro runs (role postgresql), as opposed to a database the user points at. */
  serving: boolean;
}

export interface DesiredDataset {
  uuid: string;
  /** The name of its database (under databases:, or the serving store's). */
  database: string;
  schema: string;
  table: string;
  description?: string;
}

export interface DesiredDashboard {
  /** The template dir, absolute. */
  dir: string;
  /** As written in the inventory. */
  template: string;
}

export function databaseUuid(inv: Inventory, name: string): string {
  return uuidv5(`${inv.clusterName}/database/${name}`, PYRO_NAMESPACE);
}

export function datasetUuid(inv: Inventory, database: string, schema: string, table: string): string {
  return uuidv5(`${inv.clusterName}/dataset/${database}/${schema}.${table}`, PYRO_NAMESPACE);
}

const MASK = 'XXXXXXXXXX';

/** `scheme://user@host/db` with the password put in (URL-encoded) or masked the way Superset masks it. */
function withPassword(uri: string, password: string | undefined): { uri: string; maskedUri: string; host: string } {
  const m = /^([^:]+:\/\/)(?:([^@/]*)@)?([^/?]*)(.*)$/.exec(uri);
  if (!m) return { uri, maskedUri: uri, host: uri };
  const [, scheme, user, host, rest] = m as unknown as [string, string, string | undefined, string, string];
  const login = (pw: string | undefined) => (user === undefined ? '' : pw === undefined ? `${user}@` : `${user}:${pw}@`);
  return {
    uri: `${scheme}${login(password === undefined ? undefined : encodeURIComponent(password))}${host}${rest}`,
    maskedUri: `${scheme}${login(password === undefined ? undefined : MASK)}${host}${rest}`,
    host,
  };
}

/** The name the serving store has in Superset: its entry without `uri` under databases:, else its database name. */
export function servingName(inv: Inventory): string | undefined {
  if (!postgresInstance(inv)) return undefined;
  const listed = databasesOf(inv);
  if (!listed) return servingDatabase(inv);
  return listed.find((d) => !d.uri)?.name;
}

/** The serving store as Superset should know it. */
export function desiredDatabase(inv: Inventory, secrets: Record<string, string>, name = servingName(inv) ?? servingDatabase(inv)): DesiredDatabase {
  // pgUri checks that the serving store and its password exist; the URI is then built like any declared one.
  pgUri(inv, secrets, servingDatabase(inv));
  const pg = postgresInstance(inv)!;
  const bare = `postgresql+psycopg2://${PG_USER}@${pg.host.address}:${pg.ports.pg}/${servingDatabase(inv)}`;
  return { uuid: databaseUuid(inv, name), name, ...withPassword(bare, secrets[PG_SECRET]), serving: true };
}

/**
 * Every database Superset should hold: those under databases: (the one without uri is the serving store; the
 * others take their password from the environment variable they name), or the serving store alone; then the
 * Spark SQL server, when the inventory runs one.
 */
export function desiredDatabases(inv: Inventory, secrets: Record<string, string>, env: NodeJS.ProcessEnv = process.env): DesiredDatabase[] {
  const listed = databasesOf(inv);
  const lake = lakeDatabase(inv);
  if (!listed) return [...(postgresInstance(inv) ? [desiredDatabase(inv, secrets)] : []), ...(lake ? [lake] : [])];
  return [...listed.map((d) => declaredDatabase(inv, secrets, d, env)), ...(lake ? [lake] : [])];
}

/** The name the Spark SQL server has in Superset (a `databases:` entry may not take it). */
export const SPARK_SQL_DATABASE = 'spark-sql';

/** The Spark SQL server as Superset should know it (PyHive's hive:// dialect), when the inventory runs one. */
export function lakeDatabase(inv: Inventory): DesiredDatabase | undefined {
  const inst = sparkSqlInstance(inv);
  if (!inst) return undefined;
  const uri = sqlAlchemyUri(inst, hdfsUser(inv));
  return {
    uuid: databaseUuid(inv, SPARK_SQL_DATABASE),
    name: SPARK_SQL_DATABASE,
    uri,
    maskedUri: uri,
    host: `${inst.host.address}:${inst.ports.thrift}`,
    serving: false,
  };
}

function declaredDatabase(
  inv: Inventory,
  secrets: Record<string, string>,
  d: NonNullable<ReturnType<typeof databasesOf>>[number],
  env: NodeJS.ProcessEnv,
): DesiredDatabase {
  if (!d.uri) return desiredDatabase(inv, secrets, d.name);
  const password = d.passwordEnv ? env[d.passwordEnv] : undefined;
  if (d.passwordEnv && password === undefined) {
    throw new InputError('MISSING_PASSWORD', `database ${d.name}: the environment variable ${d.passwordEnv} is not set`, {
      hint: `export ${d.passwordEnv}=... before running pyro (the password is never written to the inventory or the state)`,
    });
  }
  return { uuid: databaseUuid(inv, d.name), name: d.name, ...withPassword(d.uri, password), serving: false };
}

/** A dataset's schema: as declared, else public; in the Spark SQL server a schema is a database, the lake's. */
export function datasetSchema(inv: Inventory, d: DatasetEntry): string {
  const sql = sparkSqlInstance(inv);
  return d.schema ?? (d.database === SPARK_SQL_DATABASE && sql ? sparkSqlSettingsOf(sql).lakeDatabase : 'public');
}

export function desiredDatasets(inv: Inventory): DesiredDataset[] {
  const serving = servingName(inv) ?? servingDatabase(inv);
  const declared = datasetsOf(inv).map((d) => {
    const schema = datasetSchema(inv, d);
    const database = d.database ?? serving;
    return { uuid: datasetUuid(inv, database, schema, d.table), database, schema, table: d.table, description: d.description };
  });
  return probesDataset(inv) && !declared.some((d) => d.database === serving && d.table === PROBES_TABLE) ? [...declared, probesDataset(inv)!] : declared;
}

/**
 * Where the whole-flow check reads its tagged records back through Superset's chart-data API: the jobs' probe
 * table in the serving store, registered whenever jobs write there. No dashboard uses it.
 */
export function probesDataset(inv: Inventory): DesiredDataset | undefined {
  if (!streamingJobsOf(inv).length || !postgresInstance(inv)) return undefined;
  const database = servingName(inv) ?? servingDatabase(inv);
  return {
    uuid: datasetUuid(inv, database, 'public', PROBES_TABLE),
    database,
    schema: 'public',
    table: PROBES_TABLE,
    description: "pyro verify's tagged records, one per check and ingestion path (not data: the jobs leave them out of their figures)",
  };
}

export function desiredDashboards(inv: Inventory): DesiredDashboard[] {
  const base = path.dirname(path.resolve(inv.file));
  return dashboardsIn(inv).map((d) => ({ template: d.template, dir: path.resolve(base, d.template) }));
}
