import type { Inventory, ServiceInstance } from '../../inventory/types.js';
import { endpoint } from '../runtime.js';
import { postgresqlSettings } from './settings.js';

// How other services and verbs reach the serving store.

export const POSTGRESQL = 'postgresql';

/** The login pyro creates; its password is the cluster secret `postgresql-password`. */
export const PG_USER = 'pyro';
export const PG_SECRET = 'postgresql-password';

export function postgresInstance(inv: Inventory): ServiceInstance | undefined {
  return inv.instances.find((i) => i.def.role === POSTGRESQL);
}

/** The serving database's name (`services.postgresql.database`). */
export function servingDatabase(inv: Inventory): string {
  return postgresqlSettings(inv).database;
}

/** JDBC URL and login of the serving store, when the inventory runs one. */
export function servingJdbc(inv: Inventory, secrets: Record<string, string>): { url: string; user: string; password: string } | undefined {
  const pg = postgresInstance(inv);
  if (!pg) return undefined;
  return { url: `jdbc:postgresql://${endpoint(pg, 'pg')}/${servingDatabase(inv)}`, user: PG_USER, password: secrets[PG_SECRET] ?? '' };
}

/** A SQLAlchemy URI for a database on the serving store, the password put in (URL-encoded). */
export function pgUri(inv: Inventory, secrets: Record<string, string>, database: string): string {
  const pg = postgresInstance(inv);
  if (!pg) throw new Error('the inventory has no postgresql');
  const pw = secrets[PG_SECRET];
  if (!pw) throw new Error('the PostgreSQL password is missing from the cluster state');
  return `postgresql+psycopg2://${PG_USER}:${encodeURIComponent(pw)}@${pg.host.address}:${pg.ports.pg}/${database}`;
}
