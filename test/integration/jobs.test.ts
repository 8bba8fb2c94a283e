import { strict as assert } from 'node:assert';
import { chmodSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { ROOT, runPyro } from '../helpers/cli.js';
import { threeHostInventory } from '../helpers/stack-inventory.js';
import { createTestbed, type Testbed } from '../testbed/testbed.js';

// Issue 5 end to end on three simulated hosts: PostgreSQL deployed by `pyro up`, the sample PySpark job submitted
// to YARN by `pyro up`, events from `pyro produce`, exact counts in PostgreSQL across a stop and a resubmit.

/** The Hadoop release HDFS and YARN start on; the upgrade test moves them to 3.4.3 (pyro's default). */
let hadoopRelease = '3.4.2';

function inventoryYaml(tb: Testbed, extraJobs = ''): string {
  return threeHostInventory(
    tb,
    'jobs-test',
    [['postgresql'], [], []],
    `artifacts:
  versions: { hadoop: ${hadoopRelease} }
jobs:
  - name: page-views
    main: ${path.join(ROOT, 'jobs', 'page_views.py')}
    topics: [events]
${extraJobs}`,
  );
}

interface Sent {
  sent: number;
  perPage: Record<string, number>;
}

describe('streaming jobs on YARN (submit-job, jobs, produce) on three simulated hosts', function () {
  this.timeout(900_000);
  let tb: Testbed;
  let dir: string;
  let inv: string;
  let env: Record<string, string>;
  const expected: Record<string, number> = {};
  const pyro = (args: string[], timeoutMs = 600_000) => runPyro([...args, '-i', inv], { env, timeoutMs });

  const pgQuery = async <T extends pg.QueryResultRow>(sql: string): Promise<T[]> => {
    const secrets = JSON.parse(readFileSync(path.join(env.PYRO_STATE_DIR!, 'clusters', 'jobs-test', 'secrets.json'), 'utf8')) as Record<string, string>;
    const client = new pg.Client({ host: tb.hosts[0]!.address, port: 5432, user: 'pyro', password: secrets['postgresql-password'], database: 'serving' });
    await client.connect();
    try {
      return (await client.query<T>(sql)).rows;
    } finally {
      await client.end();
    }
  };
  /** Per-page totals in PostgreSQL once they add up to `total` (or the last seen after 120 s). */
  const totalsWhen = async (total: number): Promise<Record<string, number>> => {
    const end = Date.now() + 120_000;
    let last: Record<string, number>;
    for (;;) {
      const rows = await pgQuery<{ page: string; views: string }>('SELECT page, sum(views)::text AS views FROM page_views GROUP BY page').catch(() => []);
      last = Object.fromEntries(rows.map((r) => [r.page, Number(r.views)]));
      if (Object.values(last).reduce((a, b) => a + b, 0) >= total || Date.now() > end) return last;
      await new Promise((r) => setTimeout(r, 1000));
    }
  };
  const produce = async (count: number, firstId: number): Promise<void> => {
    const r = await pyro(['produce', '--count', String(count), '--rate', '1000', '--first-id', String(firstId), '--json'], 120_000);
    assert.equal(r.exitCode, 0, r.stderr);
    const s = JSON.parse(r.stdout) as Sent;
    assert.equal(s.sent, count);
    for (const [p, n] of Object.entries(s.perPage)) expected[p] = (expected[p] ?? 0) + n;
  };

  before(async () => {
    tb = await createTestbed(3);
    dir = mkdtempSync(path.join(os.tmpdir(), 'pyro-jobs-test-'));
    chmodSync(dir, 0o755);
    inv = path.join(dir, 'cluster.yaml');
    writeFileSync(inv, inventoryYaml(tb));
    env = { PYRO_STATE_DIR: path.join(dir, 'state') };
  });
  after(async () => {
    await tb?.destroy();
  });

  it('pyro up deploys PostgreSQL and submits the declared job; status shows it running', async () => {
    const r = await pyro(['up', '--trust-new-hosts', '--json']);
    assert.equal(r.exitCode, 0, `${r.stdout}\n${r.stderr}`);
    const changes = (JSON.parse(r.stdout) as { changes: string[] }).changes;
    assert.ok(
      changes.some((c) => /format postgresql/.test(c)),
      changes.join('\n'),
    );
    assert.ok(
      changes.some((c) => /^h1: submit job page-views|submit job page-views/.test(c)),
      changes.join('\n'),
    );
    const secrets = readFileSync(path.join(env.PYRO_STATE_DIR!, 'clusters', 'jobs-test', 'secrets.json'));
    assert.ok(!r.stdout.includes(JSON.parse(secrets.toString())['postgresql-password']), 'the password is never printed');
    const st = await pyro(['status', '--json'], 60_000);
    assert.equal(st.exitCode, 0, st.stdout);
    const json = JSON.parse(st.stdout) as { jobs: { name: string; state: string }[]; instances: { role: string; state: string }[] };
    assert.deepEqual(
      json.jobs.map((j) => [j.name, j.state]),
      [['page-views', 'RUNNING']],
    );
    assert.equal(json.instances.find((i) => i.role === 'postgresql')?.state, 'healthy');
  });

  it('counts a known set of events exactly; stop, more events, submit again: still exact', async () => {
    await produce(3000, 1);
    assert.deepEqual(await totalsWhen(3000), expected);
    const jobs = JSON.parse((await pyro(['jobs', '--json'], 60_000)).stdout) as { jobs: { name: string; state: string; appId: string }[] };
    assert.equal(jobs.jobs[0]?.state, 'RUNNING');

    const stop = await pyro(['jobs', 'stop', 'page-views']);
    assert.equal(stop.exitCode, 0, stop.stderr);
    assert.match(stop.stdout, /stopped between batches/);
    assert.equal((await pyro(['status'], 60_000)).exitCode, 1, 'a declared job that is not running makes the cluster unhealthy');
    await produce(2000, 3001);
    const again = await pyro(['submit-job', 'page-views']);
    assert.equal(again.exitCode, 0, again.stderr);
    assert.match(again.stdout, /page-views is running as application_/);
    assert.deepEqual(await totalsWhen(5000), expected);
    const twice = await pyro(['submit-job', 'page-views'], 60_000);
    assert.equal(twice.exitCode, 2);
    assert.match(twice.stderr, /already running as application_.*\n.*--replace/);
  });

  it('jobs logs shows the driver log; jobs restart continues from the checkpoint', async () => {
    const logs = await pyro(['jobs', 'logs', 'page-views'], 60_000);
    assert.equal(logs.exitCode, 0, logs.stderr);
    // The tail of the ApplicationMaster container's stderr: Spark's driver log.
    assert.match(logs.stdout, /LogType:stderr/);
    assert.match(logs.stdout, / INFO (SparkContext|DAGScheduler|MicroBatchExecution|TaskSetManager)/);
    const before = (JSON.parse((await pyro(['jobs', '--json'], 60_000)).stdout) as { jobs: { appId: string }[] }).jobs[0]!.appId;
    const restart = await pyro(['jobs', 'restart', 'page-views']);
    assert.equal(restart.exitCode, 0, restart.stderr);
    const after = (JSON.parse((await pyro(['jobs', '--json'], 60_000)).stdout) as { jobs: { appId: string; state: string }[] }).jobs[0]!;
    assert.notEqual(after.appId, before);
    assert.equal(after.state, 'RUNNING');
    await produce(500, 5001);
    assert.deepEqual(await totalsWhen(5500), expected);
  });

  it('the job outlives a Hadoop upgrade (3.4.2 to 3.4.3): HDFS and YARN switch one instance at a time, the ResourceManager recovers the job, each NodeManager keeps its containers; same application, counts still exact', async () => {
    const jobs = async () => (JSON.parse((await pyro(['jobs', '--json'], 60_000)).stdout) as { jobs: { appId: string; state: string }[] }).jobs[0]!;
    const before = await jobs();
    const versions = async () =>
      Object.fromEntries(
        await Promise.all(
          (JSON.parse((await pyro(['status', '--json'], 60_000)).stdout) as { instances: { host: string; role: string; pid?: number }[] }).instances
            .filter((i) => /^(hdfs|yarn)-/.test(i.role))
            .map(
              async (i) =>
                [`${i.host}/${i.role}`, /\/hadoop\/(\d[^/\s]*)/.exec(readFileSync(`/proc/${i.pid}/cmdline`, 'utf8').replaceAll('\0', ' '))?.[1]] as const,
            ),
        ),
      );
    assert.ok(
      Object.values(await versions()).every((v) => v === '3.4.2'),
      JSON.stringify(await versions()),
    );
    hadoopRelease = '3.4.3';
    writeFileSync(inv, inventoryYaml(tb));
    const r = await pyro(['up']);
    assert.equal(r.exitCode, 0, `${r.stdout}\n${r.stderr}`);
    assert.match(r.stdout, /push hadoop 3\.4\.3/);
    assert.match(r.stdout, /restarting hdfs-namenode on h1: HDFS .* is unavailable until it is back/);
    assert.match(r.stdout, /restarting yarn-resourcemanager on h1: YARN accepts no application and allocates no container until it is back/);
    for (const role of ['hdfs-datanode', 'yarn-nodemanager']) {
      const tier = r.stdout.split(`-- ${role}`)[1]!.split(/\n-- /)[0]!;
      assert.equal((tier.match(/rolling restart: h\d/g) ?? []).length, 3, tier);
    }
    assert.doesNotMatch(r.stdout, /job page-views running as/, 'nothing was submitted again');
    assert.ok(
      Object.values(await versions()).every((v) => v === '3.4.3'),
      JSON.stringify(await versions()),
    );
    const after = await jobs();
    assert.deepEqual([after.appId, after.state], [before.appId, 'RUNNING']);
    await produce(500, 5501);
    assert.deepEqual(await totalsWhen(6000), expected);
  });

  it('a job with a syntax error, a missing topic, or no room in YARN gets a clear error', async () => {
    const bad = path.join(dir, 'broken_job.py');
    writeFileSync(bad, 'from pyspark.sql import SparkSession\n\ndef main(:\n    pass\n');
    const syntax = await pyro(['submit-job', bad, '--name', 'broken'], 60_000);
    assert.equal(syntax.exitCode, 2, syntax.stderr);
    assert.match(syntax.stderr, /broken_job\.py:3: the job does not compile/);
    assert.match(syntax.stderr, /SyntaxError/);

    const topic = await pyro(['submit-job', path.join(ROOT, 'jobs', 'page_views.py'), '--name', 'orphan', '--topic', 'no-such-topic'], 60_000);
    assert.equal(topic.exitCode, 2, topic.stderr);
    assert.match(topic.stderr, /job orphan reads no-such-topic, which Kafka does not have/);
    assert.match(topic.stderr, /hint: declare it under topics:/);

    const big = path.join(dir, 'big.yaml');
    writeFileSync(
      big,
      inventoryYaml(
        tb,
        `  - name: too-big\n    main: ${path.join(ROOT, 'jobs', 'page_views.py')}\n    topics: [events]\n    resources: { executors: 4, executorMemory: 1g }\n`,
      ),
    );
    const room = await runPyro(['submit-job', 'too-big', '-i', big], { env, timeoutMs: 60_000 });
    assert.equal(room.exitCode, 1, room.stderr);
    assert.match(room.stderr, /job too-big needs \d+ MB from YARN .* YARN has \d+ MB free/);
    assert.match(room.stderr, /hint: lower resources/);
  });
});
