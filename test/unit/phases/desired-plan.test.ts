import { strict as assert } from 'node:assert';
import { loadInventory } from '../../../src/services/catalog.js';
import type { Inventory, ServiceInstance } from '../../../src/inventory/types.js';
import { desiredFor, managedInstances, type Desired } from '../../../src/phases/desired.js';
import type { HostState, ServiceState } from '../../../src/phases/host-state.js';
import { planInstance } from '../../../src/phases/plan.js';
import { nodeKey } from '../../../src/services/kafka/endpoints.js';
import type { ClusterIds } from '../../../src/state/cluster-state.js';
import { HostError } from '../../../src/util/errors.js';
import { props } from '../../helpers/rendered.js';

describe('desiredFor (inventories/three-hosts.yaml)', () => {
  let inv: Inventory;
  let ids: ClusterIds;
  const inst = (host: string, role: string): ServiceInstance => {
    const i = inv.instances.find((x) => x.host.name === host && x.def.role === role);
    assert.ok(i, `${role} on ${host}`);
    return i;
  };

  before(async () => {
    inv = (await loadInventory('inventories/three-hosts.yaml')).inventory;
    const kafka = inv.instances.filter((i) => i.def.component === 'kafka');
    ids = { hdfsClusterId: 'CID-x', kafkaClusterId: 'abc', kafkaNodeIds: Object.fromEntries(kafka.map((k, n) => [nodeKey(k), n + 1])) };
  });

  it('broker server.properties: its node id, all three voters, broker role and the user override', () => {
    const b = inst('node2', 'kafka-broker');
    const p = props(desiredFor(inv, b, ids).files['server.properties']!);
    assert.equal(p.get('node.id'), String(ids.kafkaNodeIds['node2/kafka-broker']));
    assert.equal(p.get('process.roles'), 'broker');
    const voters = p.get('controller.quorum.voters')!.split(',');
    assert.equal(voters.length, 3);
    for (const h of ['node1', 'node2', 'node3']) {
      const c = inst(h, 'kafka-controller');
      assert.ok(voters.includes(`${ids.kafkaNodeIds[`${h}/kafka-controller`]}@${c.host.address}:${c.ports.controller}`), `${h} in ${voters.join(',')}`);
    }
    assert.equal(p.get('log.retention.hours'), '72');
    assert.equal(p.get('num.partitions'), '6');
  });

  it('controller server.properties: controller role, and no component-wide (broker) overrides', () => {
    const p = props(desiredFor(inv, inst('node1', 'kafka-controller'), ids).files['server.properties']!);
    assert.equal(p.get('process.roles'), 'controller');
    assert.equal(p.get('node.id'), String(ids.kafkaNodeIds['node1/kafka-controller']));
    assert.equal(p.has('log.retention.hours'), false);
    assert.equal(p.has('num.partitions'), false);
  });

  it('namenode run.sh execs java with the role marker and the inventory heap', () => {
    const d = desiredFor(inv, inst('node1', 'hdfs-namenode'), ids);
    const run = d.files['run.sh']!;
    assert.ok(run.startsWith('#!/bin/sh\n'));
    const exec = run.split('\n').find((l) => l.startsWith('exec '));
    assert.ok(exec, run);
    assert.match(exec, /^exec '?\/usr\/lib\/jvm\/java-17-openjdk-amd64\/bin\/java'? /);
    assert.match(exec, /(^| )'?-Dpyro\.role=hdfs-namenode'?( |$)/);
    assert.match(exec, /(^| )'?-Xmx2048m'?( |$)/);
    assert.equal(d.heapMb, 2048);
    assert.equal(d.marker, '-Dpyro.role=hdfs-namenode');
    assert.ok(d.files['hdfs-site.xml'] && d.files['core-site.xml']);
    assert.ok(d.format, 'a namenode formats its name dir once');
    assert.ok(d.format.argv.includes('CID-x'), 'format uses the cluster id');
  });

  it('the hash is stable, and changes with a build sha or a config value', async () => {
    const b = inst('node1', 'kafka-broker');
    const h = desiredFor(inv, b, ids, undefined, { kafka: 'sha-1' }).hash;
    assert.match(h, /^[0-9a-f]{16}$/);
    assert.equal(desiredFor(inv, b, ids, undefined, { kafka: 'sha-1' }).hash, h);
    // A build of a component this role does not use changes nothing.
    assert.equal(desiredFor(inv, b, ids, undefined, { kafka: 'sha-1', hadoop: 'other' }).hash, h);
    assert.notEqual(desiredFor(inv, b, ids, undefined, { kafka: 'sha-2' }).hash, h);

    const b2 = { ...b, config: { ...b.config, 'server.properties': { ...b.config['server.properties'], 'log.retention.hours': 24 } } };
    const d2 = desiredFor(inv, b2, ids, undefined, { kafka: 'sha-1' });
    assert.equal(props(d2.files['server.properties']!).get('log.retention.hours'), '24');
    assert.notEqual(d2.hash, h);
  });

  it('managedInstances lists controllers before brokers', () => {
    const roles = managedInstances(inv).map((i) => i.def.role);
    assert.ok(roles.lastIndexOf('kafka-controller') < roles.indexOf('kafka-broker'));
  });

  describe('planInstance', () => {
    let d: Desired;
    const role = 'kafka-broker';
    before(() => (d = desiredFor(inv, inst('node1', role), ids, undefined, { kafka: 'sha-1' })));

    function state(svc: ServiceState | undefined, opts: { files?: Record<string, string>; formatted?: 'yes' | 'no' | 'foreign' } = {}): HostState {
      return {
        services: svc ? { [role]: svc } : {},
        files: opts.files ? { [role]: opts.files } : {},
        formatted: opts.formatted ? { [role]: opts.formatted } : {},
        resources: { memTotalMb: 16384, cpus: 4 },
        facts: {},
        push: [],
        noSystemd: [],
      };
    }

    it('stopped: start, writing every file as new, and format a fresh dir', () => {
      const p = planInstance(d, state({ state: 'stopped', uptimeSec: 0 }, { formatted: 'no' }));
      assert.equal(p.action, 'start');
      assert.deepEqual(p.reasons, ['not running']);
      assert.deepEqual(p.files.map((f) => f.name).sort(), Object.keys(d.files).sort());
      assert.ok(p.files.every((f) => f.diff[0] === '(new file)' && f.path === `${d.paths.conf}/${f.name}`));
      assert.equal(p.format, true);
    });

    it('an instance the host did not report at all counts as stopped', () => {
      const p = planInstance(d, state(undefined, { formatted: 'yes' }));
      assert.equal(p.action, 'start');
      assert.equal(p.current.state, 'stopped');
      assert.equal(p.format, false);
    });

    it('running with the same hash and files: nothing to do', () => {
      const p = planInstance(d, state({ state: 'running', pid: 123, uptimeSec: 60, hash: d.hash }, { files: { ...d.files }, formatted: 'yes' }));
      assert.equal(p.action, 'none');
      assert.deepEqual(p.files, []);
      assert.deepEqual(p.reasons, []);
      assert.equal(p.format, false);
    });

    it('running with another hash and a changed file: restart, naming the file, with a diff', () => {
      const old = d.files['server.properties']!.replace('log.retention.hours=72', 'log.retention.hours=168');
      assert.notEqual(old, d.files['server.properties']);
      const p = planInstance(
        d,
        state({ state: 'running', pid: 123, uptimeSec: 60, hash: '0000000000000000' }, { files: { ...d.files, 'server.properties': old }, formatted: 'yes' }),
      );
      assert.equal(p.action, 'restart');
      assert.equal(p.files.length, 1);
      assert.equal(p.files[0]!.name, 'server.properties');
      assert.deepEqual(p.files[0]!.diff, ['log.retention.hours: 168 -> 72']);
      assert.ok(
        p.reasons.some((r) => r.includes('server.properties')),
        p.reasons.join('; '),
      );
    });

    it('running with another hash but the same files (e.g. started by hand): restart with a reason', () => {
      const p = planInstance(d, state({ state: 'running', pid: 123, uptimeSec: 60, hash: 'x' }, { files: { ...d.files }, formatted: 'yes' }));
      assert.equal(p.action, 'restart');
      assert.deepEqual(p.files, []);
      assert.equal(p.reasons.length, 1);
    });

    it('a pushed build of its own component is named as a reason; other components are not', () => {
      const s = state({ state: 'running', pid: 123, uptimeSec: 60, hash: 'x' }, { files: { ...d.files }, formatted: 'yes' });
      const item = (component: string, version: string) => ({ component, version, sha256: 's', size: 1, blob: '/b' });
      s.push = [
        { item: item('kafka', '4.1.0'), action: 'push', remote: 'absent' },
        { item: item('hadoop', '3.4.1'), action: 'push', remote: 'absent' },
      ];
      const p = planInstance(d, s);
      assert.equal(p.action, 'restart');
      assert.deepEqual(p.reasons, ['kafka 4.1.0 pushed']);
    });

    it('dead: start, saying the process is gone', () => {
      const p = planInstance(d, state({ state: 'dead', uptimeSec: 0, hash: d.hash }, { files: { ...d.files }, formatted: 'yes' }));
      assert.equal(p.action, 'start');
      assert.ok(
        p.reasons.some((r) => /process is gone/.test(r)),
        p.reasons.join('; '),
      );
    });

    it('refuses a data dir that holds files pyro did not format', () => {
      assert.throws(
        () => planInstance(d, state({ state: 'stopped', uptimeSec: 0 }, { formatted: 'foreign' })),
        (e: unknown) => {
          assert.ok(e instanceof HostError);
          assert.equal(e.code, 'DATA_DIR_NOT_EMPTY');
          assert.equal(e.host, 'node1');
          assert.ok(e.message.includes(d.format!.dir), e.message);
          return true;
        },
      );
    });
  });
});
