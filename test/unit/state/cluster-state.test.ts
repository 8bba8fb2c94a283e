import { strict as assert } from 'node:assert';
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ClusterState } from '../../../src/state/cluster-state.js';
import { appendHistory, historyFile, readHistory, runsOf, startHistory } from '../../../src/state/history.js';

describe('ClusterState', () => {
  let root: string;
  let dir: string;
  beforeEach(() => {
    root = mkdtempSync(path.join(os.tmpdir(), 'pyro-state-'));
    dir = path.join(root, 'c1');
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('generates ids once; a new instance on the same dir reads the same ones', async () => {
    const ids = await new ClusterState('c1', dir).ids();
    assert.match(ids.hdfsClusterId, /^CID-[0-9a-f-]{36}$/);
    assert.match(ids.kafkaClusterId, /^[A-Za-z0-9_-]{22}$/);
    assert.deepEqual(await new ClusterState('c1', dir).ids(), ids);
    assert.equal(statSync(path.join(dir, 'state.json')).mode & 0o777, 0o600);
  });

  it('allocates Kafka node ids once, keeps them, and numbers new keys above the highest', async () => {
    const a = new ClusterState('c1', dir);
    const first = await a.kafkaNodeIds(['n1/kafka-controller', 'n2/kafka-controller', 'n1/kafka-broker']);
    assert.deepEqual(first, { 'n1/kafka-controller': 1, 'n2/kafka-controller': 2, 'n1/kafka-broker': 3 });
    const b = new ClusterState('c1', dir);
    // Order of the request must not renumber anything already assigned.
    const again = await b.kafkaNodeIds(['n1/kafka-broker', 'n3/kafka-broker', 'n1/kafka-controller']);
    assert.deepEqual(again, { 'n1/kafka-broker': 3, 'n3/kafka-broker': 4, 'n1/kafka-controller': 1 });
    assert.deepEqual((await new ClusterState('c1', dir).ids()).kafkaNodeIds, {
      'n1/kafka-controller': 1,
      'n2/kafka-controller': 2,
      'n1/kafka-broker': 3,
      'n3/kafka-broker': 4,
    });
  });

  it('records applied hashes persistently, and forgets one when given undefined', async () => {
    const s = new ClusterState('c1', dir);
    await s.recordApplied('n1/kafka-broker', 'h1');
    await s.recordApplied('n2/kafka-broker', 'h2');
    await s.recordApplied('n1/kafka-broker', undefined);
    assert.deepEqual(await new ClusterState('c1', dir).applied(), { 'n2/kafka-broker': 'h2' });
  });

  it('keeps secrets in their own 0600 file, stable across instances', async () => {
    const s = new ClusterState('c1', dir);
    const pw = await s.secret('superset-admin');
    assert.match(pw, /^[A-Za-z0-9_-]{43}$/);
    assert.equal(await s.secret('superset-admin'), pw);
    assert.equal(await new ClusterState('c1', dir).secret('superset-admin'), pw);
    assert.notEqual(await s.secret('postgres'), pw);
    assert.equal(await new ClusterState('c1', dir).secret('superset-admin'), pw, 'adding a second secret keeps the first');
    assert.equal(statSync(path.join(dir, 'secrets.json')).mode & 0o777, 0o600);
  });

  it('readOnly generates what it needs in memory but writes nothing', async () => {
    const s = new ClusterState('c1', dir, { readOnly: true });
    const ids = await s.ids();
    assert.ok(ids.hdfsClusterId.startsWith('CID-'));
    assert.deepEqual(await s.kafkaNodeIds(['n1/kafka-broker']), { 'n1/kafka-broker': 1 });
    await s.recordApplied('n1/kafka-broker', 'h');
    await s.secret('x');
    assert.equal(existsSync(dir), false);
  });

  it('readOnly reads existing state without changing it', async () => {
    const ids = await new ClusterState('c1', dir).ids();
    const ro = new ClusterState('c1', dir, { readOnly: true });
    assert.deepEqual(await ro.ids(), ids);
    await ro.kafkaNodeIds(['n9/kafka-broker']);
    assert.deepEqual((await new ClusterState('c1', dir).ids()).kafkaNodeIds, {});
    assert.deepEqual(readdirSync(dir), ['state.json'], 'no temp files left behind either');
  });
});

describe('history', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(path.join(os.tmpdir(), 'pyro-hist-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('reads nothing before the first append', async () => {
    assert.deepEqual(await readHistory(path.join(dir, 'none')), []);
  });

  it('round-trips entries in order, filling in user, machine and time', async () => {
    const before = Date.now();
    await appendHistory(dir, { command: 'up', result: 'ok', seconds: 12.5, changes: ['started kafka-broker on n1'] });
    await appendHistory(dir, { command: 'down', result: 'failed', seconds: 1, error: 'boom', time: '2024-01-02T03:04:05.000Z' });
    const h = await readHistory(dir);
    assert.equal(h.length, 2);
    const [a, b] = h;
    assert.equal(a!.command, 'up');
    assert.equal(a!.result, 'ok');
    assert.deepEqual(a!.changes, ['started kafka-broker on n1']);
    assert.equal(a!.user, os.userInfo().username);
    assert.equal(a!.machine, os.hostname());
    const t = Date.parse(a!.time);
    assert.ok(t >= before - 1000 && t <= Date.now() + 1000, a!.time);
    assert.equal(b!.time, '2024-01-02T03:04:05.000Z');
    assert.equal(b!.error, 'boom');
    assert.equal(statSync(historyFile(dir)).mode & 0o777, 0o600);
  });

  it('one entry per run: the end replaces the start, and a start that never ended is interrupted once its process is gone', async () => {
    const a = await startHistory(dir, 'up');
    await appendHistory(dir, { run: a, command: 'up', result: 'ok', seconds: 3, changes: ['h1: start kafka-broker'] });
    await startHistory(dir, 'down');
    await appendHistory(dir, { command: 'check --trust-new-hosts', result: 'ok', seconds: 1 });
    const raw = await readHistory(dir);
    assert.equal(raw.length, 4, 'append-only: the start stays in the file');
    const alive = runsOf(raw, () => true);
    assert.deepEqual(
      alive.map((e) => [e.command, e.result]),
      [
        ['up', 'ok'],
        ['down', 'running'],
        ['check --trust-new-hosts', 'ok'],
      ],
    );
    assert.equal(alive[0]!.time, raw[0]!.time, 'a run is shown at its start');
    assert.deepEqual(alive[0]!.changes, ['h1: start kafka-broker']);
    assert.equal(alive[1]!.pid, process.pid);
    assert.deepEqual(
      runsOf(raw, () => false).map((e) => e.result),
      ['ok', 'interrupted', 'ok'],
    );
    // A run started on another machine cannot be checked from here: it is not taken for running.
    assert.equal(runsOf(raw, () => true, 'elsewhere')[1]!.result, 'interrupted');
  });
});
