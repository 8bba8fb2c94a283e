import { strict as assert } from 'node:assert';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadInventory } from '../../../src/services/catalog.js';
import { adHocJob, jobFromInventory } from '../../../src/services/spark/jobs/spec.js';
import { desiredFor } from '../../../src/phases/desired.js';
import { nodeKey } from '../../../src/services/kafka/endpoints.js';
import { ClusterState } from '../../../src/state/cluster-state.js';
import { InputError } from '../../../src/util/errors.js';

describe('job specs', () => {
  it('a declared job: its file resolved from the inventory dir, defaults for what it leaves out', async () => {
    const { inventory } = await loadInventory('inventories/local.yaml');
    const job = jobFromInventory(inventory, 'page-views');
    assert.equal(job.main, path.resolve('jobs/page_views.py'));
    assert.deepEqual(job.topics, ['events']);
    assert.deepEqual(job.resources, { driverMemory: '512m', executorMemory: '512m', executors: 1, executorCores: 1 });
    assert.throws(() => jobFromInventory(inventory, 'page-view'), (e: unknown) => e instanceof InputError && e.code === 'UNKNOWN_JOB' && /page-views/.test(e.hint ?? ''));
  });

  it('an ad hoc job: named after its file; a jar needs a class; other files are refused', () => {
    assert.equal(adHocJob('jobs/page_views.py', {}).name, 'page-views');
    assert.equal(adHocJob('x/clicks.py', { name: 'c1', topics: ['t'] }).name, 'c1');
    assert.throws(() => adHocJob('app.jar', {}), /needs its main class/);
    assert.throws(() => adHocJob('notes.txt', {}), /a \.py file or a \.jar/);
  });
});

describe('PostgreSQL runtime', () => {
  it('renders config and a start step that sets the password, which never lands in a file', async () => {
    const { inventory: inv } = await loadInventory('inventories/local.yaml');
    const pgInst = inv.instances.find((i) => i.def.role === 'postgresql')!;
    const kafka = inv.instances.filter((i) => i.def.component === 'kafka');
    const ids = { hdfsClusterId: 'CID-x', kafkaClusterId: 'abc', kafkaNodeIds: Object.fromEntries(kafka.map((k, n) => [nodeKey(k), n + 1])) };
    const d = desiredFor(inv, pgInst, ids, undefined, {}, { 'postgresql-password': 's3cret-value' });
    assert.match(d.files['postgresql.conf']!, /^listen_addresses = '127\.0\.0\.1'$/m);
    assert.match(d.files['postgresql.conf']!, /^port = 5432$/m);
    assert.match(d.files['pg_hba.conf']!, /^host all all 0\.0\.0\.0\/0 scram-sha-256$/m);
    assert.match(d.files['run.sh']!, /exec \$AS "\$PGBIN\/postgres" -D \/var\/lib\/pyro\/postgresql .* -c pyro\.role=postgresql/);
    assert.equal(d.marker, 'pyro.role=postgresql');
    assert.match(d.postStart!, /ALTER ROLE pyro PASSWORD 's3cret-value'/);
    assert.match(d.postStart!, /CREATE DATABASE serving OWNER pyro/);
    for (const [name, text] of Object.entries(d.files)) assert.ok(!text.includes('s3cret-value'), `${name} holds no password`);
    assert.equal(d.format?.done, '/var/lib/pyro/postgresql/PG_VERSION');
  });
});

describe('cluster ids', () => {
  it('a KRaft cluster id never starts with "-" (kafka-storage would take it for an option)', async () => {
    for (let i = 0; i < 200; i++) {
      const dir = mkdtempSync(path.join(os.tmpdir(), 'pyro-ids-'));
      writeFileSync(path.join(dir, '.keep'), '');
      const ids = await new ClusterState('c', dir, { readOnly: true }).ids();
      assert.ok(!ids.kafkaClusterId.startsWith('-'), ids.kafkaClusterId);
      assert.match(ids.kafkaClusterId, /^[A-Za-z0-9_-]{22}$/);
    }
  });
});
