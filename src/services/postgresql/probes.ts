import pg from 'pg';
import type { ServiceInstance } from '../../inventory/types.js';
import type { ProbeContext, ProbeResult } from '../runtime.js';
import { PG_SECRET, PG_USER, servingDatabase } from './endpoints.js';

/** Connection settings for the serving database, from the control machine. */
export function servingConnection(inst: ServiceInstance, ctx: ProbeContext): pg.ClientConfig {
  return {
    host: inst.host.address,
    port: inst.ports.pg,
    user: PG_USER,
    password: ctx.secrets[PG_SECRET],
    database: servingDatabase(ctx.inv),
    connectionTimeoutMillis: 3000,
    statement_timeout: 10_000,
  };
}

/** Logs in to the serving database with the generated password and asks for the server version. */
export async function postgresReady(inst: ServiceInstance, ctx: ProbeContext): Promise<ProbeResult> {
  const client = new pg.Client(servingConnection(inst, ctx));
  try {
    await client.connect();
    const r = await client.query<{ v: string }>("SELECT current_setting('server_version') AS v");
    return { ok: true, detail: `PostgreSQL ${r.rows[0]?.v ?? '?'}, database ${servingDatabase(ctx.inv)}` };
  } catch (e) {
    return { ok: false, detail: `login to ${inst.host.address}:${inst.ports.pg} as ${PG_USER}: ${(e as Error).message}` };
  } finally {
    await client.end().catch(() => undefined);
  }
}
