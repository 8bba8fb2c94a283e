import { risonList, SupersetClient, SupersetError } from '../../clients/superset.js';
import type { Inventory, ServiceInstance } from '../../inventory/types.js';
import type { ClusterIds } from '../../state/cluster-state.js';
import { InputError } from '../../util/errors.js';
import { postgresReady } from '../postgresql/probes.js';
import { supersetSettings } from './settings.js';
import { dashboardsOf, importBundles, readTemplate, STAMP_KEY, templateStamp } from './bundle.js';
import {
  adminUser,
  databaseUuid,
  datasetUuid,
  desiredDashboards,
  desiredDatabases,
  desiredDatasets,
  postgresInstance,
  SUPERSET_ADMIN_SECRET,
  supersetInstance,
  supersetUrl,
  type DesiredDatabase,
} from './registry.js';

export type Action = 'created' | 'updated' | 'unchanged' | 'would create' | 'would update';

export interface SyncReport {
  url: string;
  databases: { name: string; host: string; action: Action }[];
  datasets: { database: string; schema: string; table: string; action: Action | 'table missing' | "not pyro's" }[];
  /** Datasets pyro registered that the inventory no longer declares. */
  removed: { database: string; schema: string; table: string; id: number; deleted: boolean }[];
  /** Databases pyro registered that the inventory no longer declares (reported only: their datasets may be in use). */
  removedDatabases: string[];
  dashboards: { title: string; url: string; charts: number; action: 'imported' | 'would import' | 'unchanged' }[];
}

interface DbRow {
  id: number;
  uuid: string;
  database_name: string;
}
interface DatasetRow {
  id: number;
  uuid: string;
  table_name: string;
  schema: string | null;
  description: string | null;
  database: { id: number };
}

function requireSuperset(inv: Inventory): ServiceInstance {
  const inst = supersetInstance(inv);
  if (!inst) throw new InputError('NO_SUCH_ROLE', `${inv.file} has no host with the role superset`, { hint: "add superset to one host's roles" });
  return inst;
}

/** Connects to Superset and logs in as the admin; a down Superset or a wrong password gives a clear error. */
export async function connectSuperset(inv: Inventory, secrets: Record<string, string>): Promise<SupersetClient> {
  const inst = requireSuperset(inv);
  const client = new SupersetClient(supersetUrl(inst));
  const health = await client.healthy();
  if (!health.ok) {
    throw new SupersetError(
      0,
      `Superset at ${client.baseUrl} on ${inst.host.name} is not answering (${health.detail})`,
      '`pyro up` starts it; `pyro logs superset` shows why it stopped',
    );
  }
  try {
    await client.login(adminUser(inv), secrets[SUPERSET_ADMIN_SECRET] ?? '');
  } catch (e) {
    // A login that fails inside Superset is almost always its metadata database.
    if (e instanceof SupersetError && e.status >= 500 && supersetSettings(inv).metadata === 'postgresql') {
      const pg = postgresInstance(inv);
      throw new SupersetError(
        e.status,
        `Superset at ${client.baseUrl} cannot log in (HTTP ${e.status}): its metadata database (PostgreSQL on ${pg?.host.name} at ${pg?.host.address}:${pg?.ports.pg}) is probably down`,
        "check PostgreSQL with `pyro status`; `pyro up` starts it; `pyro logs superset` shows Superset's traceback",
      );
    }
    throw e;
  }
  return client;
}

/** Every row of a list endpoint (Superset pages at 100). */
async function listAll<T>(c: SupersetClient, resource: string, columns: string[]): Promise<T[]> {
  const out: T[] = [];
  for (let page = 0; ; page++) {
    const r = await c.get<{ result: T[]; count: number }>(`/api/v1/${resource}/?q=${risonList(columns, { page, page_size: 100 })}`);
    out.push(...r.result);
    if (out.length >= r.count || !r.result.length) return out;
  }
}

/**
 * Superset's own connection test, so an unreachable database is named before anything depends on it. Superset's
 * reason is often empty, so for the serving store the same login is tried from this machine too: that tells a
 * database that is down from one the Superset host alone cannot reach.
 */
async function testConnection(c: SupersetClient, inv: Inventory, secrets: Record<string, string>, db: DesiredDatabase): Promise<void> {
  try {
    await c.post('/api/v1/database/test_connection/', { sqlalchemy_uri: db.uri, database_name: db.name });
  } catch (e) {
    if (!(e instanceof SupersetError) || e.status === 0 || e.status === 401) throw e;
    // The message may quote the URI; the password must not reach the terminal.
    const said = e.message
      .replace(/^Superset POST \S+: HTTP \d+: /, '')
      .replaceAll(db.uri, db.maskedUri)
      .split('\n')[0]!;
    const reason = /^\(builtins\.NoneType\) None$/.test(said.trim()) ? 'Superset gives no reason' : `Superset says: ${said}`;
    let fromHere = '';
    if (db.serving) {
      const here = await postgresReady(postgresInstance(inv)!, { inv, ids: {} as ClusterIds, secrets });
      fromHere = here.ok ? '; from this machine the same login works, so the Superset host cannot reach it' : `; from this machine: ${here.detail}`;
    }
    throw new SupersetError(
      e.status,
      `Superset cannot reach the ${db.serving ? 'serving ' : ''}database ${db.name} at ${db.host}: ${reason}${fromHere}`,
      db.serving
        ? 'check that PostgreSQL runs (`pyro status`), that the Superset host reaches its port and that pg_hba.conf lets it in'
        : 'check the uri and password (passwordEnv) under databases:, and that the Superset host reaches that database',
    );
  }
}

async function syncDatabase(c: SupersetClient, rows: DbRow[], want: DesiredDatabase, dryRun: boolean): Promise<{ id: number; action: Action }> {
  const mine = rows.find((r) => r.uuid === want.uuid);
  if (!mine) {
    const clash = rows.find((r) => r.database_name === want.name);
    if (clash) {
      throw new SupersetError(
        409,
        `Superset already has a database named ${want.name} (id ${clash.id}) that pyro did not register`,
        'rename or delete it in Superset (Settings > Database Connections), then sync again',
      );
    }
    if (dryRun) return { id: -1, action: 'would create' };
    const r = await c.post<{ id: number }>('/api/v1/database/', {
      database_name: want.name,
      sqlalchemy_uri: want.uri,
      uuid: want.uuid,
      expose_in_sqllab: true,
    });
    return { id: r.id, action: 'created' };
  }
  const shown = await c.get<{ result: { sqlalchemy_uri: string; database_name: string } }>(`/api/v1/database/${mine.id}/connection`).catch(() => undefined);
  const same = shown?.result.sqlalchemy_uri === want.maskedUri && shown.result.database_name === want.name;
  if (same) return { id: mine.id, action: 'unchanged' };
  if (dryRun) return { id: mine.id, action: 'would update' };
  await c.put(`/api/v1/database/${mine.id}`, { database_name: want.name, sqlalchemy_uri: want.uri });
  return { id: mine.id, action: 'updated' };
}

/**
 * Makes Superset hold what the inventory declares: the databases (the serving store by default), the datasets
 * (created once, by a uuid derived from the cluster, database and table) and the dashboards from their templates.
 * Datasets pyro registered that the inventory dropped are reported, and deleted only with `prune`.
 */
export async function syncSuperset(
  inv: Inventory,
  secrets: Record<string, string>,
  opts: { prune?: boolean; dryRun?: boolean; log?: (line: string) => void } = {},
): Promise<SyncReport> {
  const log = opts.log ?? (() => undefined);
  const dryRun = Boolean(opts.dryRun);
  requireSuperset(inv);
  const wantDbs = desiredDatabases(inv, secrets);
  if (!wantDbs.length) {
    throw new InputError(
      'NO_SERVING_DATABASE',
      `${inv.file} has no host with the role postgresql and declares no databases: there is no database to register`,
      {
        hint: "add postgresql to one host's roles (the jobs write their tables there), or declare one under databases:",
      },
    );
  }
  const c = await connectSuperset(inv, secrets);
  const report: SyncReport = { url: c.baseUrl, databases: [], datasets: [], removed: [], removedDatabases: [], dashboards: [] };
  const dbRows = await listAll<DbRow>(c, 'database', ['id', 'uuid', 'database_name']);
  const dbIds = new Map<string, number>();
  for (const want of wantDbs) {
    await testConnection(c, inv, secrets, want);
    const db = await syncDatabase(c, dbRows, want, dryRun);
    dbIds.set(want.name, db.id);
    report.databases.push({ name: want.name, host: want.host, action: db.action });
    log(`database ${want.name} (${want.host}): ${db.action}`);
  }
  for (const r of dbRows) {
    if (r.uuid === databaseUuid(inv, r.database_name) && !dbIds.has(r.database_name)) {
      report.removedDatabases.push(r.database_name);
      log(`database ${r.database_name}: no longer in the inventory (kept: delete it in Superset once nothing uses it)`);
    }
  }

  // Datasets are looked at in pyro's databases, dropped ones included: their datasets are stale too.
  const ours = new Map([...dbIds].filter(([, id]) => id >= 0).map(([name, id]) => [id, name]));
  for (const r of dbRows) if (report.removedDatabases.includes(r.database_name)) ours.set(r.id, r.database_name);
  const rows = ours.size
    ? (await listAll<DatasetRow>(c, 'dataset', ['id', 'uuid', 'table_name', 'schema', 'description', 'database.id'])).filter((r) => ours.has(r.database.id))
    : [];
  const registered = new Map<string, { id: number; uuid: string }>();
  const wantSets = desiredDatasets(inv);
  for (const d of wantSets) {
    const key = `${d.schema}.${d.table}`;
    const dbId = dbIds.get(d.database) ?? -1;
    const inDb = rows.filter((r) => r.database.id === dbId);
    const mine = inDb.find((r) => r.uuid === d.uuid);
    const other = inDb.find((r) => r.uuid !== d.uuid && r.table_name === d.table && (r.schema ?? 'public') === d.schema);
    let action: SyncReport['datasets'][number]['action'];
    if (mine) {
      registered.set(key, mine);
      action = 'unchanged';
      if ((d.description ?? null) !== (mine.description ?? null)) {
        action = dryRun ? 'would update' : 'updated';
        if (!dryRun) await c.put(`/api/v1/dataset/${mine.id}`, { description: d.description ?? null });
      }
    } else if (other) {
      // Made by hand over the same table: Superset allows one dataset per table, so use it as it is.
      registered.set(key, other);
      action = "not pyro's";
    } else if (dryRun || dbId < 0) {
      action = 'would create';
    } else {
      try {
        const r = await c.post<{ id: number }>('/api/v1/dataset/', { database: dbId, schema: d.schema, table_name: d.table, uuid: d.uuid });
        if (d.description) await c.put(`/api/v1/dataset/${r.id}`, { description: d.description });
        registered.set(key, { id: r.id, uuid: d.uuid });
        action = 'created';
      } catch (e) {
        if (!(e instanceof SupersetError) || !/could not be found/i.test(e.message)) throw e;
        action = 'table missing';
      }
    }
    report.datasets.push({ database: d.database, schema: d.schema, table: d.table, action });
    log(`dataset ${d.database}.${key}: ${action === 'table missing' ? `table missing (the job that writes it creates it; run the sync again then)` : action}`);
  }

  // pyro's own datasets carry the uuid derived from their database and table; one no longer declared is stale.
  const declared = new Set(wantSets.map((d) => d.uuid));
  for (const r of rows) {
    const schema = r.schema ?? 'public';
    const database = ours.get(r.database.id)!;
    if (declared.has(r.uuid) || r.uuid !== datasetUuid(inv, database, schema, r.table_name)) continue;
    const deleted = Boolean(opts.prune) && !dryRun;
    if (deleted) await c.delete(`/api/v1/dataset/${r.id}`);
    report.removed.push({ database, schema, table: r.table_name, id: r.id, deleted });
    log(
      `dataset ${database}.${schema}.${r.table_name}: no longer in the inventory${deleted ? ', deleted' : opts.prune ? ', would delete' : ' (kept; --prune deletes it)'}`,
    );
  }

  for (const d of desiredDashboards(inv)) {
    const t = await readTemplate(d.dir);
    const keys = new Set(
      t.charts.flatMap((ch) => {
        const ref = t.tables.get(String(ch.config.dataset_uuid));
        return ref ? [`${ref.schema}.${ref.table}`] : [];
      }),
    );
    const pending = [...keys].filter((k) => !registered.has(k) && report.datasets.some((x) => `${x.schema}.${x.table}` === k));
    if (pending.length) {
      log(`dashboard ${d.template}: waits for its datasets (${pending.join(', ')})`);
      continue;
    }
    const tables = new Map([...registered].map(([k, v]) => [k, v.uuid]));
    const stamp = templateStamp(t, tables);
    const infos = dashboardsOf(t);
    const current = await Promise.all(
      infos.map(async (info) => {
        if (!info.slug) return false;
        const got = await c.get<{ result: { json_metadata?: string } }>(`/api/v1/dashboard/${info.slug}`).catch(() => undefined);
        try {
          return (JSON.parse(got?.result.json_metadata ?? '{}') as Record<string, unknown>)[STAMP_KEY] === stamp;
        } catch {
          return false;
        }
      }),
    );
    const fresh = current.every(Boolean);
    const action = fresh ? 'unchanged' : dryRun ? 'would import' : 'imported';
    for (const info of infos) {
      report.dashboards.push({ title: info.title, url: `${c.baseUrl}/superset/dashboard/${info.slug ?? info.uuid}/`, charts: t.charts.length, action });
      log(`dashboard ${info.title}: ${action}${action === 'imported' ? ` (${t.charts.length} charts)` : ''}`);
    }
    if (fresh || dryRun) continue;
    const ids = [...keys].flatMap((k) => (registered.has(k) ? [registered.get(k)!.id] : []));
    const exported = await c.bytes(`/api/v1/dataset/export/?q=${encodeURIComponent(`!(${ids.join(',')})`)}`);
    const zips = importBundles(t, exported, tables, stamp);
    await c.upload('/api/v1/chart/import/', zips.charts, { overwrite: 'true' });
    await c.upload('/api/v1/dashboard/import/', zips.dashboards, { overwrite: 'true' });
  }
  return report;
}
