import { strict as assert } from 'node:assert';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { InventoryError } from '../../../src/inventory/diagnostics.js';
import { loadInventory } from '../../../src/services/catalog.js';
import { adHocJob, jobFromInventory } from '../../../src/services/spark/jobs/spec.js';
import { streamingJobsOf } from '../../../src/services/spark/sections.js';
import { ClusterState } from '../../../src/state/cluster-state.js';
import { InputError } from '../../../src/util/errors.js';

describe('job specs', () => {
  it('a declared job: its file resolved from the inventory dir, defaults for what it leaves out', async () => {
    const { inventory } = await loadInventory('inventories/local.yaml');
    const job = jobFromInventory(inventory, 'page-views');
    assert.equal(job.main, path.resolve('jobs/page_views.py'));
    assert.deepEqual(job.topics, ['access-log', 'events']);
    assert.deepEqual(job.resources, { driverMemory: '512m', executorMemory: '512m', executors: 1, executorCores: 1 });
    assert.equal(job.triggerMs, 2000);
    assert.throws(() => jobFromInventory(inventory, 'page-view'), (e: unknown) => e instanceof InputError && e.code === 'UNKNOWN_JOB' && /page-views/.test(e.hint ?? ''));
  });

  it('a trigger is a duration: read in milliseconds, refused with the line when it is not one', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'pyro-trigger-'));
    const write = (trigger: string) => {
      const file = path.join(dir, 'cluster.yaml');
      writeFileSync(path.join(dir, 'j.py'), '');
      writeFileSync(file, `cluster: { name: t }\nhosts:\n  - { name: a, address: 10.0.0.1, roles: [hdfs-namenode, hdfs-datanode, yarn-resourcemanager, yarn-nodemanager, kafka-controller, kafka-broker] }\njobs:\n  - { name: j, main: j.py, trigger: "${trigger}" }\n`);
      return file;
    };
    const { inventory } = await loadInventory(write('500 ms'));
    assert.equal(jobFromInventory(inventory, 'j').triggerMs, 500);
    await assert.rejects(
      loadInventory(write('soon')),
      (e: unknown) => e instanceof InventoryError && e.diagnostics.some((d) => d.line === 5 && d.path === 'jobs[0].trigger' && /duration/.test(d.hint ?? '')),
    );
  });

  it('kind: streaming by default, batch when declared; batch jobs are not streaming jobs; another kind is refused', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'pyro-kind-'));
    const write = (kind: string) => {
      const file = path.join(dir, 'cluster.yaml');
      writeFileSync(path.join(dir, 'j.py'), '');
      writeFileSync(
        file,
        `cluster: { name: t }\nhosts:\n  - { name: a, address: 10.0.0.1, roles: [hdfs-namenode, hdfs-datanode, yarn-resourcemanager, yarn-nodemanager, kafka-controller, kafka-broker] }\njobs:\n  - { name: s, main: j.py }\n  - { name: b, main: j.py, kind: ${kind} }\n`,
      );
      return file;
    };
    const { inventory } = await loadInventory(write('batch'));
    assert.equal(jobFromInventory(inventory, 's').kind, 'streaming');
    assert.equal(jobFromInventory(inventory, 'b').kind, 'batch');
    assert.deepEqual(
      streamingJobsOf(inventory).map((j) => j.name),
      ['s'],
    );
    assert.equal(adHocJob('x/rollup.py', { batch: true }).kind, 'batch');
    assert.equal(adHocJob('x/rollup.py', {}).kind, 'streaming');
    await assert.rejects(loadInventory(write('nightly')), (e: unknown) => e instanceof InventoryError && e.diagnostics.some((d) => d.line === 6 && d.path === 'jobs[1].kind'));
  });

  it('an ad hoc job: named after its file; a jar needs a class; other files are refused', () => {
    assert.equal(adHocJob('jobs/page_views.py', {}).name, 'page-views');
    assert.equal(adHocJob('x/clicks.py', { name: 'c1', topics: ['t'] }).name, 'c1');
    assert.throws(() => adHocJob('app.jar', {}), /needs its main class/);
    assert.throws(() => adHocJob('notes.txt', {}), /a \.py file or a \.jar/);
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
