import { strict as assert } from 'node:assert';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { InventoryError } from '../../../src/inventory/diagnostics.js';
import { expired, isDataFile, type Partition } from '../../../src/services/lake/partitions.js';
import { archiveJob, lakeTables } from '../../../src/services/lake/tables.js';
import { inventoryFromYaml } from '../../helpers/rendered.js';

const HOUR = 3_600_000;
const ROLES = 'hdfs-namenode, hdfs-datanode, yarn-resourcemanager, yarn-nodemanager, kafka-controller, kafka-broker';
const inv = (lake: string, roles = ROLES, extra = '') =>
  `cluster: { name: t }\nhosts:\n  - { name: a, address: 10.0.0.1, roles: [${roles}] }\ntopics:\n  - { name: events }\n${extra}lake:\n${lake}\n`;

const dir = mkdtempSync(path.join(os.tmpdir(), 'pyro-lake-'));
async function errors(yaml: string): Promise<string[]> {
  const e = await inventoryFromYaml(yaml, dir).then(
    () => assert.fail('expected the inventory to be rejected'),
    (x: unknown) => x,
  );
  assert.ok(e instanceof InventoryError, String(e));
  return e.diagnostics.filter((d) => d.severity === 'error').map((d) => `${d.path}: ${d.message} | ${d.hint}`);
}

const part = (day: string, hour: number): Partition => ({
  day,
  hour,
  path: `/lake/t/day=${day}/hour=${hour}`,
  start: Date.parse(`${day}T00:00:00Z`) + hour * HOUR,
  spanMs: HOUR,
});

describe('lake tables', () => {
  it('defaults: 30 days of retention, an archive job per archived topic with a 30-second trigger', async () => {
    const i = await inventoryFromYaml(inv('  - { name: events_raw, topic: events }\n  - { name: daily_pages, retention: 400 days }'));
    const [raw, daily] = lakeTables(i);
    assert.deepEqual(raw, { name: 'events_raw', dir: '/lake/events_raw', topic: 'events', retentionMs: 30 * 24 * HOUR, job: 'lake-events-raw' });
    assert.deepEqual(daily, { name: 'daily_pages', dir: '/lake/daily_pages', topic: undefined, retentionMs: 400 * 24 * HOUR, job: undefined });
    const job = archiveJob(i, 'events_raw');
    assert.equal(job.name, 'lake-events-raw');
    assert.deepEqual(job.args, ['events', '/lake/events_raw']);
    assert.deepEqual(job.topics, ['events']);
    assert.equal(job.triggerMs, 30_000);
    assert.match(job.main, /jobs\/pyro_archive\.py$/);
    assert.throws(() => archiveJob(i, 'daily_pages'), /no archived lake table/);
  });

  it('refuses a table twice, a lake without HDFS, archiving without YARN, and a job named like an archive job', async () => {
    assert.deepEqual(await errors(inv('  - { name: x }\n  - { name: x }')), ['lake[1].name: lake table x is declared twice | remove or rename one of them']);
    const noHdfs = await errors(inv('  - { name: x }', 'kafka-controller, kafka-broker'));
    assert.ok(
      noHdfs.some((e) => /no host has the role hdfs-namenode/.test(e)),
      noHdfs.join('\n'),
    );
    const noYarn = await errors(inv('  - { name: x, topic: events }', 'hdfs-namenode, hdfs-datanode, kafka-controller, kafka-broker'));
    assert.ok(
      noYarn.some((e) => /no host has the role yarn-nodemanager/.test(e)),
      noYarn.join('\n'),
    );
    writeFileSync(path.join(dir, 'j.py'), '');
    const clash = await errors(inv('  - { name: events_raw, topic: events }', ROLES, 'jobs:\n  - { name: lake-events-raw, main: j.py }\n'));
    assert.deepEqual(clash, [
      'lake[0].name: lake table events_raw is archived by a job named lake-events-raw, and jobs: declares a job of that name too | rename the job or the table',
    ]);
  });
});

describe('lake retention', () => {
  const now = Date.parse('2026-12-04T12:30:00Z');
  const parts = [part('2026-12-01', 22), part('2026-12-01', 23), part('2026-12-02', 0), part('2026-12-02', 1), part('2026-12-04', 11)];

  it('drops the hours that ended before now - retention; a day wholly past it goes as one directory', () => {
    // 2 days: the cutoff is 2026-12-02 12:30, so all of 12-01 and hours 0 and 1 of 12-02 expire.
    assert.deepEqual(expired(parts, 2 * 24 * HOUR, now), {
      partitions: 4,
      paths: ['/lake/t/day=2026-12-01', '/lake/t/day=2026-12-02/hour=0', '/lake/t/day=2026-12-02/hour=1'],
    });
  });

  it('keeps an hour that has not ended before the cutoff, and everything when nothing is that old', () => {
    // Cutoff 2026-12-02 01:00: hour 0 of 12-02 has just ended, hour 1 has not.
    const cut = Date.parse('2026-12-02T01:00:00Z');
    assert.deepEqual(expired(parts, now - cut, now).paths, ['/lake/t/day=2026-12-01', '/lake/t/day=2026-12-02/hour=0']);
    assert.deepEqual(expired(parts, 30 * 24 * HOUR, now), { partitions: 0, paths: [] });
  });

  it('a table partitioned by day only: a day goes once it has ended before the cutoff', () => {
    const day = (d: string): Partition => ({ day: d, path: `/lake/t/day=${d}`, start: Date.parse(`${d}T00:00:00Z`), spanMs: 24 * HOUR });
    const days = [day('2026-12-01'), day('2026-12-02'), day('2026-12-03')];
    // Cutoff 2026-12-02 12:30: 12-01 has ended before it, 12-02 has not.
    assert.deepEqual(expired(days, 2 * 24 * HOUR, now), { partitions: 1, paths: ['/lake/t/day=2026-12-01'] });
  });

  it('counts only data files: Spark and Hive ignore names starting with _ or .', () => {
    assert.ok(isDataFile('batch-000000000007-000.parquet'));
    for (const f of ['_SUCCESS', '.batch-1.parquet.crc', '_staging', 'notes.txt']) assert.ok(!isDataFile(f), f);
  });
});
