import { strict as assert } from 'node:assert';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import pg from 'pg';
import { SupersetClient } from '../../src/clients/superset.js';
import { loadInventory } from '../../src/services/catalog.js';
import { parseRows } from '../../src/services/spark-sql/beeline.js';
import { controlTree } from '../../src/services/spark/jobs/spark-home.js';
import { viewDashboard } from '../helpers/browser.js';
import { ROOT, runPyro } from '../helpers/cli.js';
import { threeHostInventory } from '../helpers/stack-inventory.js';
import { createTestbed, type Testbed } from '../testbed/testbed.js';

// Issue 13, the lake's first part on three simulated hosts: a topic archived to HDFS as Parquet by pyro's archive
// job, partitioned by the events' own day and hour, exactly once across a kill; `pyro lake` and retention.
// Counts come from Spark itself (local mode, test/fixtures/lake/count.py) reading the table's dir off HDFS.

const CLUSTER = 'lake-test';
const HOUR = 3_600_000;

interface LakeCount {
  rows: number;
  ids: number;
  partitions: Record<string, number>;
}

const partKey = (ms: number) => `${new Date(ms).toISOString().slice(0, 10)}/${new Date(ms).toISOString().slice(11, 13)}`;

describe('the lake: a topic archived to HDFS as Parquet, exactly once, on three simulated hosts', function () {
  this.timeout(900_000);
  let tb: Testbed;
  let inv: string;
  let env: Record<string, string>;
  let sparkHome: string;
  const pyro = (args: string[], timeoutMs = 600_000) => runPyro([...args, '-i', inv], { env, timeoutMs });
  const rm = () => `http://${tb.hosts[0]!.address}:8088`;
  const table = () => `hdfs://${tb.hosts[0]!.address}:8020/lake/events_raw`;
  const supersetBase = () => `http://${tb.hosts[2]!.address}:8090`;
  const secrets = () => JSON.parse(readFileSync(path.join(env.PYRO_STATE_DIR!, 'clusters', CLUSTER, 'secrets.json'), 'utf8')) as Record<string, string>;
  const adminPassword = () => secrets()['superset-admin-password']!;
  const pgQuery = async (sql: string): Promise<pg.QueryResultRow[]> => {
    const client = new pg.Client({ host: tb.hosts[0]!.address, port: 5432, user: 'pyro', password: secrets()['postgresql-password'], database: 'serving' });
    await client.connect();
    try {
      return (await client.query(sql)).rows;
    } finally {
      await client.end();
    }
  };
  let perPage: Record<string, number> = {};

  async function sparkCount(): Promise<LakeCount> {
    const r = await execa(
      path.join(sparkHome, 'bin', 'spark-submit'),
      ['--master', 'local[1]', '--driver-memory', '512m', path.join(ROOT, 'test', 'fixtures', 'lake', 'count.py'), table()],
      {
        reject: false,
        env: { PYSPARK_PYTHON: 'python3', SPARK_LOCAL_IP: '127.0.0.1' },
        timeout: 300_000,
      },
    );
    const line = r.stdout.split('\n').find((l) => l.startsWith('LAKE-COUNT '));
    // PySpark's driver output (a Python traceback included) comes on stdout; Spark's log on stderr.
    assert.ok(line, `spark-submit count.py printed no count (exit ${r.exitCode}):\n${r.stdout.slice(-3000)}\n${r.stderr.slice(-1500)}`);
    return JSON.parse(line.slice('LAKE-COUNT '.length)) as LakeCount;
  }

  /** A query through the Spark SQL server over JDBC, by Spark's own client (beeline): rows of tab-separated columns. */
  async function beeline(sql: string): Promise<string[][]> {
    const r = await execa(
      path.join(sparkHome, 'bin', 'beeline'),
      ['-u', `jdbc:hive2://${tb.hosts[1]!.address}:10000/lake`, '-n', 'root', '--silent=true', '--showHeader=false', '--outputformat=tsv2', '-e', sql],
      // stdin closed: with a pipe left open, beeline waits on it after the statement.
      { reject: false, env: { SPARK_HOME: sparkHome }, timeout: 180_000, stdin: 'ignore' },
    );
    assert.equal(r.exitCode, 0, `beeline: ${sql}\n${r.stdout.slice(-2000)}\n${r.stderr.slice(-2000)}`);
    return parseRows(r.stdout);
  }

  async function lakeJson(): Promise<{
    tables: { name: string; partitions: number; bytes: number; files: number; newest?: { day: string; hour: number; rows: number } }[];
  }> {
    const r = await pyro(['lake', '--json'], 120_000);
    assert.equal(r.exitCode, 0, r.stderr);
    return JSON.parse(r.stdout) as Awaited<ReturnType<typeof lakeJson>>;
  }

  /** Waits until Spark counts `rows` rows (the archive job's trigger is 2 s; a resubmitted job first replays). */
  async function untilRows(rows: number, timeoutMs = 240_000): Promise<LakeCount> {
    const end = Date.now() + timeoutMs;
    let last: LakeCount | undefined;
    while (Date.now() < end) {
      // A count racing the archive job (a replayed batch replaces its files) may fail: say so, count again.
      const got = await sparkCount().catch((e: Error) => {
        console.log(`      (a count failed, counting again: ${e.message.split('\n').slice(0, 40).join('\n')})`);
        return undefined;
      });
      if (got) last = got;
      if (got && got.rows >= rows) return got;
      await new Promise((r) => setTimeout(r, 3000));
    }
    assert.fail(`the lake held ${last?.rows} rows after ${timeoutMs / 1000} s, expected ${rows}`);
  }

  before(async () => {
    tb = await createTestbed(3);
    const dir = mkdtempSync(path.join(os.tmpdir(), 'pyro-lake-test-'));
    inv = path.join(dir, 'cluster.yaml');
    writeFileSync(
      inv,
      threeHostInventory(
        tb,
        CLUSTER,
        [['postgresql'], ['spark-sql'], ['superset']],
        `lake:
  - { name: events_raw, topic: events, trigger: 2 seconds, retention: 2 days }
  - { name: hourly_pages, retention: 30 days }
jobs:
  - name: lake-rollup
    kind: batch
    main: ${path.join(ROOT, 'jobs', 'lake_daily_rollup.py')}
    args: [/lake/events_raw, daily_page_events, '0']
  - name: hourly-pages
    kind: batch
    main: ${path.join(ROOT, 'jobs', 'lake_hourly_pages.py')}
    args: [/lake/events_raw, /lake/hourly_pages, '0']
datasets:
  - { table: events_raw, database: spark-sql }
dashboards:
  - template: ${path.join(ROOT, 'templates', 'superset', 'events-lake')}
`,
        // Room on YARN's 6 GB for the server (2 GB), the archive job (2 GB) and a batch job (2 GB) side by side.
        '  spark-sql: { executorMemory: 512m }\n',
      ),
    );
    env = { PYRO_STATE_DIR: path.join(dir, 'state') };
    process.env.PYRO_STATE_DIR = env.PYRO_STATE_DIR;
    sparkHome = await controlTree((await loadInventory(inv)).inventory, 'spark');
  });
  after(async () => {
    await tb?.destroy();
  });

  it('pyro up makes the table dir and runs the archive job; a second up changes nothing', async () => {
    const r = await pyro(['up', '--trust-new-hosts']);
    assert.equal(r.exitCode, 0, `${r.stdout}\n${r.stderr}`);
    assert.match(r.stdout, /\[lake\] events -> \/lake\/events_raw: lake-events-raw running as application_\d+_\d+/);
    const again = await pyro(['up']);
    assert.equal(again.exitCode, 0, `${again.stdout}\n${again.stderr}`);
    assert.doesNotMatch(again.stdout, /lake-events-raw running as/);
    const listed = await lakeJson();
    assert.deepEqual(
      listed.tables.map((t) => [t.name, t.partitions]),
      [
        ['events_raw', 0],
        ['hourly_pages', 0],
      ],
    );
    // A table a user's job writes is registered once it holds files.
    assert.match(r.stdout, /lake\.hourly_pages is registered once its job has written files to \/lake\/hourly_pages/);
    const status = await pyro(['status'], 120_000);
    assert.match(status.stdout, /Lake {3}events_raw: \d+\.\d MiB, archive job lake-events-raw RUNNING/);
    // The Spark SQL server: its executors on YARN, the lake table registered in it.
    assert.match(
      status.stdout,
      /SQL {4}jdbc:hive2:\/\/[\d.]+:10000\/lake: \d+ sessions?, 0 statements running; application_\d+_\d+ RUNNING, 1 executor, \d+ MB on YARN/,
    );
    assert.deepEqual(
      (await beeline('SHOW TABLES IN lake')).map((r) => r[1]),
      ['events_raw'],
    );
    assert.match(r.stdout, /\[spark-sql\] registered lake\.events_raw over \/lake\/events_raw/);
    // Superset holds the Spark SQL server as a second database, the lake dataset and the lake dashboard.
    const c = new SupersetClient(supersetBase());
    await c.login('admin', adminPassword());
    const dbs = await c.get<{ result: { database_name: string; backend: string }[] }>('/api/v1/database/?q=(page_size:100)');
    assert.deepEqual(dbs.result.map((d) => [d.database_name, d.backend]).sort(), [
      ['serving', 'postgresql'],
      ['spark-sql', 'hive'],
    ]);
    const boards = await c.get<{ result: { dashboard_title: string }[] }>('/api/v1/dashboard/?q=(page_size:100)');
    assert.deepEqual(
      boards.result.map((d) => d.dashboard_title),
      ['Events (lake)'],
    );
  });

  it("pyro status counts the Spark SQL server's open sessions and running statements", async () => {
    const sqlStatus = async () => {
      const st = await pyro(['status', '--json'], 120_000);
      return (JSON.parse(st.stdout) as { sparkSql: { sessions: number; statements: number } }).sparkSql;
    };
    const idle = await sqlStatus();
    assert.equal(idle.statements, 0);
    // A statement that runs for 25 s (a sleep on an executor), from a client pyro did not start.
    const slow = beeline("SELECT reflect('java.lang.Thread', 'sleep', 25000L)");
    let busy = idle;
    const end = Date.now() + 20_000;
    while (Date.now() < end && busy.statements === 0) {
      await new Promise((r) => setTimeout(r, 1000));
      busy = await sqlStatus();
    }
    assert.ok(busy.sessions >= idle.sessions + 1, `sessions: ${JSON.stringify(busy)} while idle ${JSON.stringify(idle)}`);
    assert.equal(busy.statements, 1);
    await slow;
    const after = await sqlStatus();
    assert.deepEqual([after.sessions, after.statements], [idle.sessions, 0]);
  });

  it('10,000 events with the archive job killed through YARN midway, then brought back by pyro up: 10,000 rows, each id once', async () => {
    const produced = pyro(['produce', '--count', '10000', '--rate', '800', '--json'], 180_000);
    await new Promise((r) => setTimeout(r, 5000));
    const apps = (await (await fetch(`${rm()}/ws/v1/cluster/apps?states=RUNNING`)).json()) as { apps: { app: { id: string; name: string }[] } | null };
    const app = apps.apps?.app.find((a) => a.name === 'lake-events-raw');
    assert.ok(app, 'the archive job runs');
    const kill = await fetch(`${rm()}/ws/v1/cluster/apps/${app.id}/state`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: '{"state":"KILLED"}',
    });
    assert.ok(kill.status === 200 || kill.status === 202, `kill: HTTP ${kill.status}`);
    const p = await produced;
    assert.equal(p.exitCode, 0, p.stderr);
    const sent = JSON.parse(p.stdout) as { sent: number; perPage: Record<string, number> };
    assert.equal(sent.sent, 10_000);
    perPage = sent.perPage;

    const up = await pyro(['up']);
    assert.equal(up.exitCode, 0, `${up.stdout}\n${up.stderr}`);
    assert.match(up.stdout, /lake-events-raw running as application_/);
    const c = await untilRows(10_000);
    // Settled: a replayed batch must not add rows after the count was reached.
    await new Promise((r) => setTimeout(r, 8000));
    const settled = await sparkCount();
    assert.equal(settled.rows, 10_000);
    assert.equal(settled.ids, 10_000);
    assert.deepEqual(settled.partitions, c.partitions);
    // pyro lake agrees with Spark on the newest partition.
    const listed = (await lakeJson()).tables[0]!;
    const newestKey = Object.keys(settled.partitions).sort().at(-1)!;
    assert.equal(listed.partitions, Object.keys(settled.partitions).length);
    assert.equal(`${listed.newest!.day}/${String(listed.newest!.hour).padStart(2, '0')}`, newestKey);
    assert.equal(listed.newest!.rows, settled.partitions[newestKey]);
    assert.ok(listed.bytes > 0 && listed.files > 0);
    // The same count through the Spark SQL server over JDBC (its listing of the table lives 10 s).
    const end = Date.now() + 60_000;
    let sql: string[][] = [];
    while (Date.now() < end) {
      sql = await beeline("SELECT count(*), count(DISTINCT get_json_object(value, '$.id')) FROM events_raw");
      if (sql[0]?.[0] === '10000') break;
      await new Promise((r) => setTimeout(r, 3000));
    }
    assert.deepEqual(sql, [['10000', '10000']]);
    const hours = await beeline("SELECT date_format(day, 'yyyy-MM-dd'), hour, count(*) FROM events_raw GROUP BY day, hour");
    assert.deepEqual(Object.fromEntries(hours.map(([d, h, n]) => [`${d}/${h!.padStart(2, '0')}`, Number(n)])), settled.partitions);

    // And through Superset's chart-data API on the lake dataset (cache bypassed): the dashboard's charts.
    const ss = new SupersetClient(supersetBase());
    await ss.login('admin', adminPassword());
    const charts = await ss.get<{ result: { id: number; slice_name: string }[] }>('/api/v1/dashboard/events-lake/charts');
    assert.deepEqual(charts.result.map((x) => x.slice_name).sort(), ['Events by page', 'Events in the lake', 'Events per hour']);
    const total = charts.result.find((x) => x.slice_name === 'Events in the lake')!;
    const totalData = await ss.get<{ result: { data: { events: number }[] }[] }>(`/api/v1/chart/${total.id}/data/?force=true`);
    assert.equal(totalData.result[0]!.data[0]!.events, 10_000);
    const byPage = charts.result.find((x) => x.slice_name === 'Events by page')!;
    const pageData = await ss.get<{ result: { data: { page: string; events: number }[] }[] }>(`/api/v1/chart/${byPage.id}/data/?force=true`);
    assert.deepEqual(Object.fromEntries(pageData.result[0]!.data.map((x) => [x.page, x.events])), perPage);
  });

  it('a real browser opens the lake dashboard: every chart rendered, the total and each page shown', async () => {
    const shot = path.join(ROOT, 'test-output', 'superset-lake-dashboard.png');
    const v = await viewDashboard(supersetBase(), '/superset/dashboard/events-lake/', 'admin', adminPassword(), shot);
    assert.equal(v.charts, 3, v.text);
    assert.deepEqual(v.errors, []);
    assert.ok(v.text.includes('10,000'), `the total 10,000 is shown:\n${v.text}`);
    for (const [page, n] of Object.entries(perPage)) {
      assert.ok(v.text.includes(page) && v.text.includes(n.toLocaleString('en-US')), `${page}: ${n} is shown:\n${v.text}`);
    }
  });

  it("a batch job: the daily rollup from the lake into PostgreSQL holds what was produced; a failing one exits with the job's code", async () => {
    const r = await pyro(['submit-job', 'lake-rollup', '--json'], 600_000);
    assert.equal(r.exitCode, 0, `${r.stdout}\n${r.stderr}`);
    const done = JSON.parse(r.stdout) as { kind: string; finalStatus: string; exitCode: number };
    assert.deepEqual([done.kind, done.finalStatus, done.exitCode], ['batch', 'SUCCEEDED', 0]);
    const rows = await pgQuery('SELECT page, sum(events)::int AS n FROM daily_page_events GROUP BY page');
    assert.deepEqual(Object.fromEntries(rows.map((x) => [x.page as string, x.n as number])), perPage);
    // Run again: the days it covers are replaced, not added to.
    assert.equal((await pyro(['submit-job', 'lake-rollup'], 600_000)).exitCode, 0);
    assert.equal((await pgQuery('SELECT sum(events)::int AS n FROM daily_page_events'))[0]!.n, 10_000);
    // Up leaves a batch job alone: it is not a streaming job to keep running.
    const jobs = await pyro(['jobs', '--json'], 120_000);
    assert.ok(!(JSON.parse(jobs.stdout) as { jobs: { name: string; state: string }[] }).jobs.some((j) => j.name === 'lake-rollup' && j.state === 'RUNNING'));

    const dir = mkdtempSync(path.join(os.tmpdir(), 'pyro-batch-'));
    const failing = path.join(dir, 'fails.py');
    writeFileSync(failing, 'import sys\nfrom pyspark.sql import SparkSession\nSparkSession.builder.getOrCreate()\nprint("giving up")\nsys.exit(3)\n');
    const f = await pyro(['submit-job', failing, '--batch'], 600_000);
    assert.equal(f.exitCode, 3, `${f.stdout}\n${f.stderr}`);
    assert.match(f.stderr, /batch job fails \(application_\d+_\d+\) ended FINISHED\/FAILED after \d+ s, exit code 3/);
  });

  it("a user's job writes a lake table of its own: up registers it, and the Spark SQL server reads what was produced", async () => {
    const r = await pyro(['submit-job', 'hourly-pages'], 600_000);
    assert.equal(r.exitCode, 0, `${r.stdout}\n${r.stderr}`);
    const up = await pyro(['up']);
    assert.equal(up.exitCode, 0, `${up.stdout}\n${up.stderr}`);
    assert.match(up.stdout, /\[spark-sql\] registered lake\.hourly_pages over \/lake\/hourly_pages/);
    assert.deepEqual((await beeline('SHOW TABLES IN lake')).map((x) => x[1]).sort(), ['events_raw', 'hourly_pages']);
    const pages = await beeline('SELECT page, sum(events) FROM hourly_pages GROUP BY page');
    assert.deepEqual(Object.fromEntries(pages.map(([p, n]) => [p!, Number(n)])), perPage);
    // Its partition column (day) comes from its dirs, as the job wrote them.
    const days = await beeline("SELECT date_format(day, 'yyyy-MM-dd'), sum(events) FROM hourly_pages GROUP BY day");
    assert.equal(
      days.reduce((n, [, x]) => n + Number(x), 0),
      10_000,
    );
    const listed = (await lakeJson()).tables.find((t) => t.name === 'hourly_pages')!;
    assert.equal(listed.partitions, days.length);
    assert.ok(listed.bytes > 0);
  });

  it('late events land in the hour they happened; pyro lake prune drops the hours past the retention, and only those', async () => {
    const now = Date.now();
    const old = now - 3 * 24 * HOUR; // past the 2-day retention
    const late = now - 5 * HOUR; // late, but kept
    const lines = [
      ...Array.from({ length: 7 }, (_, k) => JSON.stringify({ id: 900_000 + k, page: '/old', user: 'u', ts: old })),
      ...Array.from({ length: 5 }, (_, k) => JSON.stringify({ id: 910_000 + k, page: '/late', user: 'u', ts: late })),
    ];
    const brokers = tb.hosts.map((h) => `${h.address}:9092`).join(',');
    await execa('kcat', ['-P', '-b', brokers, '-t', 'events', '-X', 'acks=all'], { input: `${lines.join('\n')}\n` });
    const c = await untilRows(10_012);
    assert.equal(c.partitions[partKey(old)], 7);
    assert.equal(c.partitions[partKey(late)], 5);

    const dry = await pyro(['lake', 'prune', '--dry-run', '--json'], 120_000);
    assert.equal(dry.exitCode, 0, dry.stderr);
    const plan = JSON.parse(dry.stdout) as { tables: { table: string; partitions: number; paths: string[] }[] };
    assert.deepEqual(plan.tables, [
      { table: 'events_raw', partitions: 1, paths: [`/lake/events_raw/day=${partKey(old).slice(0, 10)}`] },
      { table: 'hourly_pages', partitions: 0, paths: [] },
    ]);
    assert.equal((await sparkCount()).rows, 10_012, 'a dry run drops nothing');

    const pruned = await pyro(['lake', 'prune'], 120_000);
    assert.equal(pruned.exitCode, 0, pruned.stderr);
    assert.match(pruned.stdout, /events_raw: dropped 1 partition older than 48 h/);
    const after = await sparkCount();
    assert.equal(after.rows, 10_005);
    assert.equal(after.partitions[partKey(old)], undefined);
    assert.equal(after.partitions[partKey(late)], 5);
    // The Spark SQL server stops seeing the dropped day once its listing expires (10 s), with nothing to refresh.
    const end = Date.now() + 60_000;
    let sql: string[][] = [];
    while (Date.now() < end) {
      sql = await beeline("SELECT count(*), count(IF(page = '/old', 1, NULL)), count(IF(page = '/late', 1, NULL)) FROM events_raw");
      if (sql[0]?.[0] === '10005') break;
      await new Promise((r) => setTimeout(r, 3000));
    }
    assert.deepEqual(sql, [['10005', '0', '5']]);
    const again = await pyro(['lake', 'prune'], 120_000);
    assert.match(again.stdout, /events_raw: nothing older than its retention/);
  });
});
