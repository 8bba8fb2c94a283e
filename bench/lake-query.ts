// bench/lake-query: a lake chart through Superset against the same SQL sent straight to the Spark SQL server. Three
// simulated hosts: PostgreSQL on h1, the Spark SQL server on h2 (executors on YARN), Superset on h3; pyro's archive
// job writes BENCH_EVENTS events (default 1,000,000) into lake table events_raw. The chart is the lake dashboard's
// "Events by page" (every row of the last 7 days, grouped by page), fetched with the cache bypassed (force=true);
// the direct side is the SQL Superset runs for it, timed by beeline (Spark's JDBC client) in one open session, as
// beeline reports each statement. Rounds alternate in blocks, so a noisy moment on the shared machine hits both.
// Last line: `lake-overhead: X` = p95 through Superset / p95 direct (goal <= 1.3).
import path from 'node:path';
import { execa } from 'execa';
import { SupersetClient } from '../src/clients/superset.js';
import { parseRows } from '../src/services/spark-sql/beeline.js';
import { controlTree } from '../src/services/spark/jobs/spark-home.js';
import { loadInventory } from '../src/services/catalog.js';
import { ROOT } from '../test/helpers/cli.js';
import { threeHostInventory } from '../test/helpers/stack-inventory.js';
import { benchCluster, percentile, secretsOf } from './lib/cluster.js';

const EVENTS = Number(process.env.BENCH_EVENTS ?? 1_000_000);
const BLOCKS = Number(process.env.BENCH_BLOCKS ?? 8);
const PER_BLOCK = 5;

async function timed(f: () => Promise<unknown>): Promise<number> {
  const t0 = process.hrtime.bigint();
  await f();
  return Number(process.hrtime.bigint() - t0) / 1e9;
}

async function main(): Promise<void> {
  const c = await benchCluster({
    cluster: 'bench-lake',
    inventory: (tb, cluster) =>
      threeHostInventory(
        tb,
        cluster,
        [['postgresql'], ['spark-sql'], ['superset']],
        `lake:
  - { name: events_raw, topic: events, trigger: 5 seconds }
datasets:
  - { table: events_raw, database: spark-sql }
dashboards:
  - template: ${path.join(ROOT, 'templates', 'superset', 'events-lake')}
`,
      ),
  });
  const tb = c.tb;
  try {
    await c.pyro(['up']);
    console.log(`producing ${EVENTS} events`);
    await c.pyro(['produce', '--rate', '0', '--count', String(EVENTS), '--pages', '20']);
    const spark = await controlTree((await loadInventory(c.inventory)).inventory, 'spark');
    const url = `jdbc:hive2://${tb.hosts[1]!.address}:10000/lake`;
    /** Runs statements in one beeline session; returns each one's rows and time as beeline reports them. */
    const beeline = async (statements: string[]) => {
      const r = await execa(
        path.join(spark, 'bin', 'beeline'),
        ['-u', url, '-n', 'root', '--silent=false', '--showHeader=false', '--outputformat=tsv2', '-e', statements.join(';\n')],
        { env: { SPARK_HOME: spark }, stdin: 'ignore', all: true },
      );
      const all = String(r.all);
      const times = [...all.matchAll(/(\d+|No) rows? selected \(([\d.]+) seconds\)/g)].map((m) => Number(m[2]));
      if (times.length !== statements.length) throw new Error(`beeline reported ${times.length} of ${statements.length} statements:\n${all.slice(-2000)}`);
      return { times, stdout: String(r.stdout) };
    };
    // Until the archive job has written every event.
    let rows = 0;
    for (const end = Date.now() + 600_000; Date.now() < end; await new Promise((r) => setTimeout(r, 5000))) {
      const out = (await beeline(['SELECT count(*) FROM events_raw WHERE day >= date_sub(current_date(), 7)']).catch(() => ({ stdout: '0' }))).stdout;
      rows = Number(parseRows(out)[0]?.[0] ?? 0);
      if (rows >= EVENTS) break;
    }
    if (rows < EVENTS) throw new Error(`the lake holds ${rows} of ${EVENTS} events after 10 minutes`);
    const secrets = secretsOf(c);
    const ss = new SupersetClient(`http://${tb.hosts[2]!.address}:8090`);
    await ss.login('admin', secrets['superset-admin-password']!);
    const charts = await ss.get<{ result: { id: number; slice_name: string }[] }>('/api/v1/dashboard/events-lake/charts');
    const chart = charts.result.find((x) => x.slice_name === 'Events by page')!;
    const sql = (await ss.get<{ result: { query: string }[] }>(`/api/v1/chart/${chart.id}/data/?type=query`)).result[0]!.query.replace(/;\s*$/, '');
    const viaSuperset = () => ss.get(`/api/v1/chart/${chart.id}/data/?force=true`);
    await viaSuperset();
    await beeline([sql, sql]);
    const s: number[] = [];
    const d: number[] = [];
    for (let b = 0; b < BLOCKS; b++) {
      for (let i = 0; i < PER_BLOCK; i++) s.push(await timed(viaSuperset));
      d.push(...(await beeline(Array.from({ length: PER_BLOCK }, () => sql))).times);
    }
    const ms = (x: number) => `${(x * 1000).toFixed(0)} ms`;
    console.log(`query: ${sql.replace(/\s+/g, ' ')}`);
    console.log(`rows scanned: ${rows} (the last 7 days of events_raw)`);
    console.log(`superset chart-data: p50 ${ms(percentile(s, 0.5))}, p95 ${ms(percentile(s, 0.95))} (${s.length} requests, force=true)`);
    console.log(`direct (beeline):    p50 ${ms(percentile(d, 0.5))}, p95 ${ms(percentile(d, 0.95))} (${d.length} statements)`);
    console.log(`lake-overhead: ${(percentile(s, 0.95) / percentile(d, 0.95)).toFixed(2)}`);
  } finally {
    await c.destroy();
  }
}

await main();
