import path from 'node:path';
import { v5 as uuidv5 } from 'uuid';
import type { Inventory, ServiceInstance } from '../inventory/types.js';
import { PG_SECRET, PG_USER, servingDatabase } from '../services/postgresql-runtime.js';

// What the inventory asks of Superset, derived without touching it: its URL and admin, the serving database and
// the datasets to register, the dashboard bundles to import.

/** Secrets the Superset tier uses (generated once into the cluster state, 0600). */
export const SUPERSET_SECRET_KEY = 'superset-secret-key';
export const SUPERSET_ADMIN_SECRET = 'superset-admin-password';

/** Objects pyro registers get uuids derived from the cluster and their name: re-runs find them, never duplicate. */
const PYRO_NAMESPACE = 'a4f2b1c0-6d3e-4f58-9a7b-2c1d0e9f8a76';

export function supersetInstance(inv: Inventory): ServiceInstance | undefined {
  return inv.instances.find((i) => i.def.role === 'superset');
}

export function supersetUrl(inst: ServiceInstance): string {
  return `http://${inst.host.address}:${inst.ports.http}`;
}

export function adminUser(inv: Inventory): string {
  return ((inv.raw.services?.superset ?? {}) as { adminUser?: string }).adminUser ?? 'admin';
}

/** Where Superset keeps its metadata: PostgreSQL when the inventory runs it (unless told sqlite). */
export function metadataBackend(inv: Inventory): 'postgresql' | 'sqlite' {
  const set = ((inv.raw.services?.superset ?? {}) as { metadata?: 'postgresql' | 'sqlite' }).metadata;
  return set ?? (inv.instances.some((i) => i.def.role === 'postgresql') ? 'postgresql' : 'sqlite');
}

/** The database Superset's metadata lives in, when it is PostgreSQL. */
export const METADATA_DATABASE = 'superset';

export function postgresInstance(inv: Inventory): ServiceInstance | undefined {
  return inv.instances.find((i) => i.def.role === 'postgresql');
}

export function pgUri(inv: Inventory, secrets: Record<string, string>, database: string): string {
  const pg = postgresInstance(inv);
  if (!pg) throw new Error('the inventory has no postgresql');
  const pw = secrets[PG_SECRET];
  if (!pw) throw new Error('the PostgreSQL password is missing from the cluster state');
  return `postgresql+psycopg2://${PG_USER}:${encodeURIComponent(pw)}@${pg.host.address}:${pg.ports.pg}/${database}`;
}

export interface DesiredDatabase {
  uuid: string;
  name: string;
  uri: string;
  /** The URI as Superset shows it (password masked), for comparison. */
  maskedUri: string;
  host: string;
}

export interface DesiredDataset {
  uuid: string;
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

export function datasetUuid(inv: Inventory, database: string, schema: string, table: string): string {
  return uuidv5(`${inv.clusterName}/dataset/${database}/${schema}.${table}`, PYRO_NAMESPACE);
}

/** The serving database as Superset should know it. */
export function desiredDatabase(inv: Inventory, secrets: Record<string, string>): DesiredDatabase {
  const name = servingDatabase(inv);
  const uri = pgUri(inv, secrets, name);
  const pg = postgresInstance(inv)!;
  return {
    uuid: uuidv5(`${inv.clusterName}/database/${name}`, PYRO_NAMESPACE),
    name,
    uri,
    maskedUri: uri.replace(/:[^:@/]*@/, ':XXXXXXXXXX@'),
    host: `${pg.host.address}:${pg.ports.pg}`,
  };
}

export function desiredDatasets(inv: Inventory): DesiredDataset[] {
  const db = servingDatabase(inv);
  return inv.datasets.map((d) => {
    const schema = d.schema ?? 'public';
    return { uuid: datasetUuid(inv, db, schema, d.table), schema, table: d.table, description: d.description };
  });
}

export function desiredDashboards(inv: Inventory): DesiredDashboard[] {
  const base = path.dirname(path.resolve(inv.file));
  return (inv.raw.dashboards ?? []).map((d) => ({ template: d.template, dir: path.resolve(base, d.template) }));
}
