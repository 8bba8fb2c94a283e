import { strict as assert } from 'node:assert';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { ROOT, runPyro } from '../helpers/cli.js';

// The README's first command on the single-host default: `connection: local`, no sshd. The inventory is
// inventories/local.yaml with its dirs moved under a temp dir, so the test never touches /opt/pyro.
describe('pyro up on this machine with the single-host default inventory (connection: local)', function () {
  this.timeout(600_000);
  let inv: string;
  let env: Record<string, string>;
  let dataDir: string;
  let accessLog: string;
  let dir: string;

  before(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'pyro-up-local-'));
    // PostgreSQL runs as the postgres user: it must be able to reach its data dir below this one.
    chmodSync(dir, 0o755);
    const text = readFileSync(path.join(ROOT, 'inventories', 'local.yaml'), 'utf8')
      .replace('name: local', 'name: local-test')
      .replace('installDir: /opt/pyro', `installDir: ${dir}/opt`)
      .replace('dataDir: /var/lib/pyro', `dataDir: ${dir}/data`)
      .replace('main: ../jobs/page_views.py', `main: ${path.join(ROOT, 'jobs', 'page_views.py')}`)
      .replace('template: ../templates/superset/page-views', `template: ${path.join(ROOT, 'templates', 'superset', 'page-views')}`)
      .replace('paths: [/var/log/pyro-demo/access.log]', `paths: [${dir}/weblog/access.log]`);
    accessLog = `${dir}/weblog/access.log`;
    dataDir = `${dir}/data`;
    inv = path.join(dir, 'local.yaml');
    writeFileSync(inv, text);
    env = { PYRO_STATE_DIR: path.join(dir, 'state') };
  });
  after(async () => {
    if (inv) await runPyro(['down', '-i', inv], { env, timeoutMs: 300_000 });
    // Its install and data dirs hold every distribution unpacked (about 2 GB): not left behind in /tmp.
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("brings the stack up, ends with the dashboard's URL and the way to log in, and a healthy status", async () => {
    const r = await runPyro(['up', '--status', '-i', inv], { env, timeoutMs: 540_000 });
    assert.equal(r.exitCode, 0, `${r.stdout}\n${r.stderr}`);
    assert.match(r.stdout, /\[local\] hdfs-namenode: formatted/);
    assert.match(r.stdout, /kafka-broker gate: 1\/1 brokers registered, 0 under-replicated/);
    assert.match(r.stdout, /\[kafka\] create topic events: 3 partitions, replication 1/);
    assert.match(r.stdout, /cluster local-test is healthy/);
    assert.doesNotMatch(r.stderr, /not started by pyro up yet/);
    assert.match(r.stdout, /local +flume +healthy/);
    // The access log's directory did not exist: the source says createDir, so the agent's pre-start made it.
    assert.ok(existsSync(path.dirname(accessLog)), 'the tailed directory was created');
    assert.match(r.stdout, /\[local\] superset: formatted/);
    assert.match(r.stdout, /superset gate: API login as admin accepted at http:\/\/127\.0\.0\.1:8090/);
    assert.match(r.stdout, /\[superset\] dataset serving\.public\.page_views: created/);
    assert.match(r.stdout, /Page views \(live\): http:\/\/127\.0\.0\.1:8090\/superset\/dashboard\/page-views\/\nlog in as admin; `pyro credentials superset/);
    assert.match(r.stdout, /local +superset +healthy/);
    // The single-host default keeps Superset's metadata in SQLite, in its home dir.
    assert.ok(existsSync(path.join(dataDir, 'superset', 'superset.db')), 'superset.db in the home dir');
    assert.match(r.stdout, /\[yarn\] job page-views running as application_/);
    assert.match(r.stdout, /Job {4}page-views: RUNNING/);
    assert.match(r.stdout, /local +postgresql +healthy/);
    // The run changed things: it ends with the whole-flow check, a tagged line through Flume, Kafka, the job and Superset.
    assert.match(r.stdout, /== verify\nok {3}flume local\/access \(taildir .*weblog\/access\.log\) -> access-log \[probe [0-9a-f]+-1\]/);
    assert.match(r.stdout, /kafka access-log \d+\.\d s\n +job page-views -> pyro_probes \d+\.\d s\n +superset chart-data pyro_probes \d+\.\d s/);
    const again = await runPyro(['up', '--json', '-i', inv], { env, timeoutMs: 120_000 });
    assert.equal(again.exitCode, 0, again.stderr);
    assert.deepEqual((JSON.parse(again.stdout) as { changes: string[] }).changes, []);
  });

  it("the README's data path: lines appended to the tailed access log reach the page_views table", async () => {
    const cred = await runPyro(['credentials', 'postgresql', '--json', '-i', inv], { env, timeoutMs: 60_000 });
    assert.equal(cred.exitCode, 0, cred.stderr);
    const c = JSON.parse(cred.stdout) as { host: string; port: number; database: string; user: string; password: string };
    const logViews = async (): Promise<number> => {
      const client = new pg.Client({ host: c.host, port: c.port, user: c.user, password: c.password, database: c.database });
      await client.connect();
      try {
        const rows = (await client.query<{ n: string }>("SELECT coalesce(sum(views), 0)::text AS n FROM page_views WHERE page LIKE '/%'")).rows;
        return Number(rows[0]!.n);
      } finally {
        await client.end();
      }
    };
    const before = await logViews().catch(() => 0);
    const r = await runPyro(['produce', '--to-file', '--rate', '200', '--count', '600', '-i', inv], { env, timeoutMs: 120_000 });
    assert.equal(r.exitCode, 0, `${r.stdout}\n${r.stderr}`);
    assert.match(r.stdout, /appended 600 access-log lines to .*weblog\/access\.log on local .*\(flume source access -> topic access-log\)/);
    // Besides the whole-flow check's own lines (marked pyro-verify), the 600 written.
    const written = readFileSync(accessLog, 'utf8')
      .split('\n')
      .filter((l) => l && !l.includes('pyro-verify'));
    assert.equal(written.length, 600);
    // Flume tails the file into access-log; the job parses each line into a page view (1-minute windows, 2 s trigger).
    const end = Date.now() + 150_000;
    let seen = before;
    while (Date.now() < end) {
      seen = await logViews().catch(() => seen);
      if (seen >= before + 600) break;
      await new Promise((res) => setTimeout(res, 2000));
    }
    assert.equal(seen - before, 600, `page views from the log: ${seen - before} of 600 after 150 s`);
  });

  it('pyro verify follows a tagged line to Superset; with the job stopped it fails and names the hop; the figures leave probes out', async () => {
    const ok = await runPyro(['verify', '--json', '-i', inv], { env, timeoutMs: 180_000 });
    assert.equal(ok.exitCode, 0, `${ok.stdout}\n${ok.stderr}`);
    const w = JSON.parse(ok.stdout) as { ok: boolean; paths: { path: string; hops: { name: string; reached: boolean; seconds: number }[] }[] };
    assert.deepEqual(
      w.paths[0]!.hops.map((h) => [h.name, h.reached]),
      [
        ['kafka access-log', true],
        ['job page-views -> pyro_probes', true],
        ['superset chart-data pyro_probes', true],
      ],
    );
    const stop = await runPyro(['jobs', 'stop', 'page-views', '-i', inv], { env, timeoutMs: 180_000 });
    assert.equal(stop.exitCode, 0, `${stop.stdout}\n${stop.stderr}`);
    const bad = await runPyro(['verify', '--timeout', '20', '-i', inv], { env, timeoutMs: 120_000 });
    assert.equal(bad.exitCode, 1, `${bad.stdout}\n${bad.stderr}`);
    assert.match(bad.stdout, /FAIL flume local\/access .*\n +kafka access-log \d+\.\d s\n +job page-views -> pyro_probes: NOT REACHED/);
    assert.match(bad.stdout, /first hop missed: job page-views -> pyro_probes/);
    // Probes are recorded in pyro_probes, never counted as page views.
    const cred = JSON.parse((await runPyro(['credentials', 'postgresql', '--json', '-i', inv], { env, timeoutMs: 60_000 })).stdout) as pg.ClientConfig;
    const client = new pg.Client({ ...cred });
    await client.connect();
    try {
      const views = await client.query("SELECT count(*)::int AS n FROM page_views WHERE page LIKE '/__pyro/%'");
      assert.equal(views.rows[0].n, 0);
      const probes = await client.query('SELECT count(*)::int AS n FROM pyro_probes');
      assert.ok(probes.rows[0].n >= 2, 'the probes of the up and of the first verify are recorded');
    } finally {
      await client.end();
    }
    // up brings the job back; the check passes again.
    const up = await runPyro(['up', '-i', inv], { env, timeoutMs: 400_000 });
    assert.equal(up.exitCode, 0, `${up.stdout}\n${up.stderr}`);
    assert.match(up.stdout, /== verify\nok {3}flume local\/access/);
  });

  it('pyro check counts the ports of the running services as theirs, not as clashes', async () => {
    const r = await runPyro(['check', '--json', '-i', inv], { env, timeoutMs: 120_000 });
    const rows = (JSON.parse(r.stdout) as { hosts: { checks: { check: string; status: string; detail: string }[] }[] }).hosts[0]!.checks;
    const ports = rows.find((x) => x.check === 'ports');
    assert.match(ports!.detail, /held by pyro's own running services/);
    // Only clashes on the running services' ports would be the bug.
    const running = [
      'hdfs-namenode',
      'hdfs-datanode',
      'yarn-resourcemanager',
      'yarn-nodemanager',
      'kafka-controller',
      'kafka-broker',
      'flume',
      'postgresql',
      'superset',
    ];
    const clashes = /already in use: ([^,]*(?:, (?!\d+ held)[^,]*)*)/.exec(ports!.detail)?.[1] ?? '';
    for (const role of running) assert.ok(!clashes.includes(`(${role} `), `${role}'s port reported as a clash: ${ports!.detail}`);
  });
});
