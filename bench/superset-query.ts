// bench/superset-query: the dashboard's main chart ("Views by page") through Superset's chart-data API with the
// cache bypassed (force=true), against the very SQL Superset runs for it sent straight to PostgreSQL over one
// open connection, on three simulated hosts (Superset on h3, PostgreSQL on h1, control machine here).
// Last line: `superset-overhead: X` = p95_superset / (p95_direct + 0.2 s) (goal <= 1.5).
import pg from 'pg';
import { SupersetClient } from '../src/clients/superset.js';
import { benchCluster, secretsOf } from './lib/cluster.js';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 60);
const WARMUP = 5;

const p95 = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.ceil(xs.length * 0.95) - 1]!;
const p50 = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function timed(f: () => Promise<unknown>): Promise<number> {
  const t0 = process.hrtime.bigint();
  await f();
  return Number(process.hrtime.bigint() - t0) / 1e9;
}

async function main(): Promise<void> {
  const c = await benchCluster({ withJob: true, withSuperset: true });
  try {
    await c.pyro(['up', '--trust-new-hosts']);
    await c.pyro(['produce', '--count', '20000', '--rate', '5000', '--pages', '20']);
    const secrets = secretsOf(c);
    const db = new pg.Client({ host: c.tb.hosts[0]!.address, port: 5432, user: 'pyro', password: secrets['postgresql-password'], database: 'serving' });
    await db.connect();
    try {
      // Wait for the job to have written every event, so both sides read the same rows.
      for (const end = Date.now() + 180_000; Date.now() < end; await new Promise((r) => setTimeout(r, 1000))) {
        const n = Number(
          (await db.query<{ n: string }>('SELECT coalesce(sum(views), 0)::text AS n FROM page_views').catch(() => ({ rows: [{ n: '0' }] }))).rows[0]!.n,
        );
        if (n >= 20000) break;
      }
      const ss = new SupersetClient(`http://${c.tb.hosts[2]!.address}:8090`);
      await ss.login('admin', secrets['superset-admin-password']!);
      const charts = await ss.get<{ result: { id: number; slice_name: string }[] }>('/api/v1/dashboard/page-views/charts');
      const main = charts.result.find((x) => x.slice_name === 'Views by page')!;
      const sql = (await ss.get<{ result: { query: string }[] }>(`/api/v1/chart/${main.id}/data/?type=query`)).result[0]!.query;
      const viaSuperset = () => ss.get(`/api/v1/chart/${main.id}/data/?force=true`);
      const direct = () => db.query(sql);
      for (let i = 0; i < WARMUP; i++) {
        await viaSuperset();
        await direct();
      }
      // Interleaved, so a noisy moment on the shared machine hits both sides alike.
      const s: number[] = [];
      const d: number[] = [];
      for (let i = 0; i < ROUNDS; i++) {
        s.push(await timed(viaSuperset));
        d.push(await timed(direct));
      }
      const rows = (await direct()).rowCount;
      console.log(`query (${rows} rows): ${sql.replace(/\s+/g, ' ')}`);
      console.log(`superset chart-data: p50 ${(p50(s) * 1000).toFixed(1)} ms, p95 ${(p95(s) * 1000).toFixed(1)} ms (${ROUNDS} requests, force=true)`);
      console.log(`direct PostgreSQL:   p50 ${(p50(d) * 1000).toFixed(1)} ms, p95 ${(p95(d) * 1000).toFixed(1)} ms`);
      console.log(`superset-overhead: ${(p95(s) / (p95(d) + 0.2)).toFixed(2)}`);
    } finally {
      await db.end();
    }
  } finally {
    await c.destroy();
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
