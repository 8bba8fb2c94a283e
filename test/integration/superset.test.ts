import { strict as assert } from 'node:assert';
import { chmodSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { SupersetClient } from '../../src/clients/superset.js';
import { viewDashboard } from '../helpers/browser.js';
import { ROOT, runPyro } from '../helpers/cli.js';
import { threeHostInventory } from '../helpers/stack-inventory.js';
import { createTestbed, type Testbed } from '../testbed/testbed.js';

// Issue 6 end to end on three simulated hosts: Superset deployed by `pyro up` on its own host (metadata in the
// serving PostgreSQL), the serving database, datasets and the page-views dashboard registered as code, the
// chart-data API and a real browser showing the counts of a known set of events, and the error cases.

const CLUSTER = 'superset-test';

/** `extraDatasets`: more lines under datasets:; `databases`: a databases: block. */
function inventoryYaml(tb: Testbed, extraDatasets: string[] = [], databases = ''): string {
  return threeHostInventory(
    tb,
    CLUSTER,
    [['postgresql'], ['flume'], ['superset']],
    `jobs:
  - name: page-views
    main: ${path.join(ROOT, 'jobs', 'page_views.py')}
    topics: [events]
${databases}datasets:
  - { table: page_views, description: page views per minute and page }
${extraDatasets.map((t) => `  - ${t}`).join('\n')}
dashboards:
  - template: ${path.join(ROOT, 'templates', 'superset', 'page-views')}
`,
    // An application posting page views to Flume on h2: the whole-flow check's path from a source to the dashboard.
    `  flume: { heap: 256m, sources: [{ name: web, type: http, topic: events, port: 8081 }] }\n`,
  );
}

interface SyncJson {
  databases: { name: string; action: string }[];
  datasets: { database: string; table: string; action: string }[];
  removed: { database: string; table: string; deleted: boolean }[];
  removedDatabases: string[];
  dashboards: { title: string; url: string; action: string }[];
}

describe('Superset: deployed by pyro, datasets and a dashboard as code, on three simulated hosts', function () {
  this.timeout(900_000);
  let tb: Testbed;
  let dir: string;
  let inv: string;
  let env: Record<string, string>;
  const expected: Record<string, number> = {};
  let total = 0;
  const pyro = (args: string[], timeoutMs = 600_000) => runPyro([...args, '-i', inv], { env, timeoutMs });
  const secretsFile = () => path.join(env.PYRO_STATE_DIR!, 'clusters', CLUSTER, 'secrets.json');
  const secrets = () => JSON.parse(readFileSync(secretsFile(), 'utf8')) as Record<string, string>;
  const base = () => `http://${tb.hosts[2]!.address}:8090`;
  const admin = async () => {
    const c = new SupersetClient(base());
    await c.login('admin', secrets()['superset-admin-password']!);
    return c;
  };
  const pgQuery = async (sql: string, database = 'serving'): Promise<pg.QueryResultRow[]> => {
    const client = new pg.Client({ host: tb.hosts[0]!.address, port: 5432, user: 'pyro', password: secrets()['postgresql-password'], database });
    await client.connect();
    try {
      return (await client.query(sql)).rows;
    } finally {
      await client.end();
    }
  };

  before(async () => {
    tb = await createTestbed(3);
    dir = mkdtempSync(path.join(os.tmpdir(), 'pyro-superset-test-'));
    chmodSync(dir, 0o755);
    inv = path.join(dir, 'cluster.yaml');
    writeFileSync(inv, inventoryYaml(tb));
    env = { PYRO_STATE_DIR: path.join(dir, 'state') };
  });
  after(async () => {
    await tb?.destroy();
  });

  it('pyro up installs Superset, registers the serving database and dataset, imports the dashboard and prints its URL', async () => {
    const r = await pyro(['up', '--trust-new-hosts']);
    assert.equal(r.exitCode, 0, `${r.stdout}\n${r.stderr}`);
    assert.match(r.stdout, /superset: formatted/);
    assert.match(r.stdout, /superset gate: API login as admin accepted/);
    assert.match(r.stdout, /\[superset\] database serving \(10\.213\.0\.11:5432\): created/);
    assert.match(r.stdout, /\[superset\] dataset serving\.public\.page_views: created/);
    assert.match(r.stdout, /Page views \(live\): http:\/\/10\.213\.0\.13:8090\/superset\/dashboard\/page-views\//);
    assert.match(r.stdout, /log in as admin; `pyro credentials superset/);
    // The run ends with the whole-flow check: an event posted to Flume on h2 followed to Superset's chart-data API.
    assert.match(
      r.stdout,
      /== verify\nok {3}flume h2\/web \(http :8081\) -> events \[probe [0-9a-f]+-1\]\n +kafka events \d+\.\d s\n +job page-views -> pyro_probes \d+\.\d s\n +superset chart-data pyro_probes \d+\.\d s/,
    );
    const s = secrets();
    for (const name of ['superset-admin-password', 'superset-secret-key', 'postgresql-password']) {
      assert.ok(!`${r.stdout}${r.stderr}`.includes(s[name]!), `${name} is never printed`);
    }
    const cred = await pyro(['credentials', 'superset', '--json'], 60_000);
    assert.equal(cred.exitCode, 0, cred.stderr);
    assert.deepEqual(JSON.parse(cred.stdout), { service: 'superset', url: `${base()}/`, user: 'admin', password: s['superset-admin-password'] });
    // The metadata lives in the serving PostgreSQL, in a database of its own.
    const dbs = await pgQuery("SELECT datname FROM pg_database WHERE datname = 'superset'");
    assert.equal(dbs.length, 1);
  });

  it('a known set of events: the second up changes nothing, each object exists once, the chart-data API returns the counts', async () => {
    const p = await pyro(['produce', '--count', '2000', '--rate', '1000', '--json'], 120_000);
    assert.equal(p.exitCode, 0, p.stderr);
    const sent = JSON.parse(p.stdout) as { sent: number; perPage: Record<string, number> };
    Object.assign(expected, sent.perPage);
    total = sent.sent;
    const end = Date.now() + 120_000;
    while (Date.now() < end) {
      const rows = await pgQuery('SELECT sum(views)::int AS n FROM page_views').catch(() => []);
      if (Number(rows[0]?.n) >= total) break;
      await new Promise((res) => setTimeout(res, 1000));
    }

    const again = await pyro(['up', '--json']);
    assert.equal(again.exitCode, 0, again.stderr);
    const up = JSON.parse(again.stdout) as { changes: string[]; superset: SyncJson };
    assert.deepEqual(up.changes, []);
    assert.deepEqual(
      up.superset.databases.map((d) => [d.name, d.action]),
      [['serving', 'unchanged']],
    );
    assert.deepEqual(
      up.superset.datasets.map((d) => [d.table, d.action]),
      [
        ['page_views', 'unchanged'],
        ['pyro_probes', 'unchanged'],
      ],
    );
    assert.deepEqual(
      up.superset.dashboards.map((d) => d.action),
      ['unchanged'],
    );

    const c = await admin();
    const databases = await c.get<{ result: { database_name: string }[] }>('/api/v1/database/?q=(page_size:100)');
    assert.deepEqual(
      databases.result.map((d) => d.database_name),
      ['serving'],
    );
    const datasets = await c.get<{ result: { table_name: string }[] }>('/api/v1/dataset/?q=(page_size:100)');
    assert.deepEqual(datasets.result.map((d) => d.table_name).sort(), ['page_views', 'pyro_probes']);
    const dashboards = await c.get<{ result: { dashboard_title: string }[] }>('/api/v1/dashboard/?q=(page_size:100)');
    assert.deepEqual(
      dashboards.result.map((d) => d.dashboard_title),
      ['Page views (live)'],
    );
    const board = await c.get<{ result: { json_metadata: string } }>('/api/v1/dashboard/page-views');
    assert.equal((JSON.parse(board.result.json_metadata) as { refresh_frequency: number }).refresh_frequency, 10);

    const charts = await c.get<{ result: { id: number; slice_name: string }[] }>('/api/v1/dashboard/page-views/charts');
    assert.deepEqual(charts.result.map((x) => x.slice_name).sort(), ['Total views', 'Views by page', 'Views per minute']);
    const main = charts.result.find((x) => x.slice_name === 'Views by page')!;
    const data = await c.get<{ result: { data: { page: string; views: number }[] }[] }>(`/api/v1/chart/${main.id}/data/?force=true`);
    assert.deepEqual(Object.fromEntries(data.result[0]!.data.map((r) => [r.page, r.views])), expected);
    const totalChart = charts.result.find((x) => x.slice_name === 'Total views')!;
    const totalData = await c.get<{ result: { data: { views: number }[] }[] }>(`/api/v1/chart/${totalChart.id}/data/?force=true`);
    assert.equal(totalData.result[0]!.data[0]!.views, total);
  });

  it('a real browser logs in, opens the dashboard and sees every chart with the expected numbers', async () => {
    const shot = path.join(ROOT, 'test-output', 'superset-dashboard.png');
    const v = await viewDashboard(base(), '/superset/dashboard/page-views/', 'admin', secrets()['superset-admin-password']!, shot);
    assert.equal(v.charts, 3, v.text);
    assert.deepEqual(v.errors, []);
    assert.ok(v.text.includes(total.toLocaleString('en-US')), `the total ${total} is shown:\n${v.text}`);
    for (const [page, n] of Object.entries(expected)) {
      assert.ok(v.text.includes(page) && v.text.includes(String(n)), `${page}: ${n} is shown:\n${v.text}`);
    }
  });

  it("status shows Superset's URL, health, database and datasets", async () => {
    const st = await pyro(['status', '--json'], 120_000);
    assert.equal(st.exitCode, 0, st.stdout);
    const json = JSON.parse(st.stdout) as {
      superset: {
        url: string;
        databases: { name: string; pyro: boolean }[];
        datasets: { table: string; pyro: boolean }[];
        dashboards: { title: string }[];
        missing: string[];
      };
      instances: { role: string; state: string }[];
      ui: Record<string, string>;
    };
    assert.equal(json.instances.find((i) => i.role === 'superset')?.state, 'healthy');
    assert.equal(json.superset.url, base());
    assert.deepEqual(json.superset.databases, [{ name: 'serving', pyro: true }]);
    assert.deepEqual(
      json.superset.datasets.map((d) => [d.table, d.pyro]),
      [
        ['page_views', true],
        ['pyro_probes', true],
      ],
    );
    assert.deepEqual(json.superset.missing, []);
    assert.equal(json.ui.Superset, `${base()}/`);
    const text = await pyro(['status'], 120_000);
    assert.match(text.stdout, /Superset {2}http:\/\/10\.213\.0\.13:8090\/ healthy; databases: serving; datasets: serving\.public\.page_views/);
  });

  it('whole flow: pyro verify names each hop; with the streaming job stopped it fails and names the job; up restores it', async () => {
    const ok = await pyro(['verify'], 180_000);
    assert.equal(ok.exitCode, 0, `${ok.stdout}\n${ok.stderr}`);
    assert.match(
      ok.stdout,
      /ok {3}flume h2\/web .*\n +kafka events [\d.]+ s\n +job page-views -> pyro_probes [\d.]+ s\n +superset chart-data pyro_probes [\d.]+ s/,
    );
    const stop = await pyro(['jobs', 'stop', 'page-views'], 180_000);
    assert.equal(stop.exitCode, 0, `${stop.stdout}\n${stop.stderr}`);
    const bad = await pyro(['verify', '--timeout', '20'], 120_000);
    assert.equal(bad.exitCode, 1, `${bad.stdout}\n${bad.stderr}`);
    assert.match(bad.stdout, /FAIL flume h2\/web .*\n +kafka events [\d.]+ s\n +job page-views -> pyro_probes: NOT REACHED/);
    assert.match(bad.stdout, /first hop missed: job page-views -> pyro_probes/);
    const up = await pyro(['up'], 400_000);
    assert.equal(up.exitCode, 0, `${up.stdout}\n${up.stderr}`);
    assert.match(up.stdout, /== verify\nok {3}flume h2\/web/);
    // The probes never count as page views: the known events' total is unchanged.
    const rows = await pgQuery("SELECT count(*)::int AS n FROM page_views WHERE page LIKE '/__pyro/%'");
    assert.equal(rows[0]!.n, 0);
  });

  it('declared databases and datasets: an external database with its password from the environment; dropped ones are reported, datasets deleted only with --prune', async () => {
    await pgQuery('CREATE TABLE IF NOT EXISTS extra_views (page text, views bigint)');
    if (!(await pgQuery("SELECT 1 FROM pg_database WHERE datname = 'warehouse'")).length) await pgQuery('CREATE DATABASE warehouse');
    await pgQuery('CREATE TABLE IF NOT EXISTS orders (id bigint, amount numeric)', 'warehouse');
    const databases = `databases:
  - name: serving
  - name: warehouse
    uri: postgresql+psycopg2://pyro@${tb.hosts[0]!.address}:5432/warehouse
    passwordEnv: PYRO_TEST_WAREHOUSE_PASSWORD
`;
    writeFileSync(inv, inventoryYaml(tb, ['{ table: extra_views }', '{ table: orders, database: warehouse }'], databases));
    const noEnv = await pyro(['superset', 'sync'], 120_000);
    assert.equal(noEnv.exitCode, 2, noEnv.stderr);
    assert.match(noEnv.stderr, /database warehouse: the environment variable PYRO_TEST_WAREHOUSE_PASSWORD is not set/);

    const withEnv = (args: string[]) =>
      runPyro([...args, '-i', inv], { env: { ...env, PYRO_TEST_WAREHOUSE_PASSWORD: secrets()['postgresql-password']! }, timeoutMs: 120_000 });
    const add = await withEnv(['superset', 'sync', '--json']);
    assert.equal(add.exitCode, 0, add.stderr);
    const added = JSON.parse(add.stdout) as SyncJson;
    assert.deepEqual(
      added.databases.map((d) => [d.name, d.action]),
      [
        ['serving', 'unchanged'],
        ['warehouse', 'created'],
      ],
    );
    assert.deepEqual(
      added.datasets.map((d) => [d.database, d.table, d.action]),
      [
        ['serving', 'page_views', 'unchanged'],
        ['serving', 'extra_views', 'created'],
        ['warehouse', 'orders', 'created'],
        ['serving', 'pyro_probes', 'unchanged'],
      ],
    );
    assert.ok(!add.stdout.includes(secrets()['postgresql-password']!), 'the password from the environment is not printed');
    const again = JSON.parse((await withEnv(['superset', 'sync', '--json'])).stdout) as SyncJson;
    assert.deepEqual(
      [...again.databases, ...again.datasets].map((x) => x.action),
      ['unchanged', 'unchanged', 'unchanged', 'unchanged', 'unchanged', 'unchanged'],
    );

    writeFileSync(inv, inventoryYaml(tb));
    const kept = await pyro(['superset', 'sync', '--json'], 120_000);
    assert.equal(kept.exitCode, 0, kept.stderr);
    const k = JSON.parse(kept.stdout) as SyncJson;
    assert.deepEqual(k.removed.map((d) => [d.database, d.table, d.deleted]).sort(), [
      ['serving', 'extra_views', false],
      ['warehouse', 'orders', false],
    ]);
    assert.deepEqual(k.removedDatabases, ['warehouse']);
    const c = await admin();
    const names = async () => (await c.get<{ result: { table_name: string }[] }>('/api/v1/dataset/?q=(page_size:100)')).result.map((d) => d.table_name).sort();
    assert.deepEqual(await names(), ['extra_views', 'orders', 'page_views', 'pyro_probes']);

    const pruned = await pyro(['superset', 'sync', '--prune', '--json'], 120_000);
    assert.equal(pruned.exitCode, 0, pruned.stderr);
    assert.deepEqual((JSON.parse(pruned.stdout) as SyncJson).removed.map((d) => [d.table, d.deleted]).sort(), [
      ['extra_views', true],
      ['orders', true],
    ]);
    assert.deepEqual(await names(), ['page_views', 'pyro_probes']);
  });

  it("a wrong admin password in the state gives a clear error; credentials --reset makes Superset take the state's", async () => {
    const good = readFileSync(secretsFile(), 'utf8');
    const s = JSON.parse(good) as Record<string, string>;
    writeFileSync(secretsFile(), JSON.stringify({ ...s, 'superset-admin-password': 'not-the-password' }), { mode: 0o600 });
    const r = await pyro(['superset', 'sync'], 120_000);
    assert.equal(r.exitCode, 1, r.stdout);
    assert.match(r.stderr, /Superset at http:\/\/10\.213\.0\.13:8090 rejected the admin login/);
    assert.match(r.stderr, /pyro credentials superset --reset/);
    assert.ok(!r.stderr.includes('not-the-password'));

    const reset = await pyro(['credentials', 'superset', '--reset'], 300_000);
    assert.equal(reset.exitCode, 0, reset.stderr);
    assert.match(reset.stdout, /admin password of admin set/);
    const ok = await pyro(['superset', 'sync'], 120_000);
    assert.equal(ok.exitCode, 0, ok.stderr);
  });

  it('Superset down gives a clear error from sync and status', async () => {
    const down = await pyro(['down', 'superset'], 120_000);
    assert.equal(down.exitCode, 0, down.stderr);
    const r = await pyro(['superset', 'sync'], 120_000);
    assert.equal(r.exitCode, 1, r.stdout);
    assert.match(r.stderr, /Superset at http:\/\/10\.213\.0\.13:8090 on h3 is not answering \(\/health: ECONNREFUSED\)/);
    assert.match(r.stderr, /pyro up/);
    const st = await pyro(['status', '--json'], 120_000);
    assert.equal(st.exitCode, 1);
    const json = JSON.parse(st.stdout) as { problems: string[] };
    assert.ok(
      json.problems.some((p) => /^superset on h3 is stopped/.test(p)),
      json.problems.join('\n'),
    );
    const up = await pyro(['up']);
    assert.equal(up.exitCode, 0, up.stderr);
  });

  it('an unreachable serving database gives a clear error naming it', async () => {
    // Superset's own metadata is in the same PostgreSQL: refuse only the serving database to Superset's host.
    const hba = '/opt/pyro/conf/postgresql/pg_hba.conf';
    await tb.ssh('h1', `sed -i '1i host serving all ${tb.hosts[2]!.address}/32 reject' ${hba}`);
    await pgQuery('SELECT pg_reload_conf()');
    const r = await pyro(['superset', 'sync'], 180_000);
    assert.equal(r.exitCode, 1, r.stdout);
    assert.match(
      r.stderr,
      /Superset cannot reach the serving database serving at 10\.213\.0\.11:5432: .*from this machine the same login works, so the Superset host cannot reach it/,
    );
    assert.match(r.stderr, /pg_hba\.conf lets it in/);
    assert.ok(!r.stderr.includes(secrets()['postgresql-password']!), 'the database password is not in the error');
  });
});
