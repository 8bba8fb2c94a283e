import { strict as assert } from 'node:assert';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { loadInventory } from '../../src/services/catalog.js';
import { controlTree } from '../../src/services/spark/jobs/spark-home.js';
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
    assert.ok(line, `spark-submit count.py printed no count (exit ${r.exitCode}):\n${r.stderr.slice(-3000)}`);
    return JSON.parse(line.slice('LAKE-COUNT '.length)) as LakeCount;
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
      last = await sparkCount();
      if (last.rows >= rows) return last;
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
      threeHostInventory(tb, CLUSTER, [[], [], []], 'lake:\n  - { name: events_raw, topic: events, trigger: 2 seconds, retention: 2 days }\n'),
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
      [['events_raw', 0]],
    );
    const status = await pyro(['status'], 120_000);
    assert.match(status.stdout, /Lake {3}events_raw: \d+\.\d MiB, archive job lake-events-raw RUNNING/);
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
    assert.equal((JSON.parse(p.stdout) as { sent: number }).sent, 10_000);

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
    assert.deepEqual(plan.tables, [{ table: 'events_raw', partitions: 1, paths: [`/lake/events_raw/day=${partKey(old).slice(0, 10)}`] }]);
    assert.equal((await sparkCount()).rows, 10_012, 'a dry run drops nothing');

    const pruned = await pyro(['lake', 'prune'], 120_000);
    assert.equal(pruned.exitCode, 0, pruned.stderr);
    assert.match(pruned.stdout, /events_raw: dropped 1 partition older than 48 h/);
    const after = await sparkCount();
    assert.equal(after.rows, 10_005);
    assert.equal(after.partitions[partKey(old)], undefined);
    assert.equal(after.partitions[partKey(late)], 5);
    const again = await pyro(['lake', 'prune'], 120_000);
    assert.match(again.stdout, /events_raw: nothing older than its retention/);
  });
});
