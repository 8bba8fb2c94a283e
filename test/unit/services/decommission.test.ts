import { strict as assert } from 'node:assert';
import type { Inventory, ServiceInstance } from '../../../src/inventory/types.js';
import { desiredFor } from '../../../src/phases/desired.js';
import { planInstance } from '../../../src/phases/plan.js';
import { checkLeaving, leavingByRole } from '../../../src/phases/retire.js';
import type { HostState } from '../../../src/phases/host-state.js';
import { loadInventory } from '../../../src/services/catalog.js';
import { hostLists } from '../../../src/services/hadoop/common.js';
import { drainState } from '../../../src/services/hdfs/decommission.js';
import { countNodes } from '../../../src/services/hdfs/probes.js';
import { nodeKey } from '../../../src/services/kafka/endpoints.js';
import { balancePlan, drainPlan, reassignmentJson, stillMoving, type PartitionReplicas } from '../../../src/services/kafka/reassign.js';
import { nodeDrainState } from '../../../src/services/yarn/decommission.js';
import type { ClusterIds } from '../../../src/state/cluster-state.js';
import { hadoopXml } from '../../helpers/rendered.js';

const parts = (spec: Record<string, number[][]>): PartitionReplicas[] =>
  Object.entries(spec).flatMap(([topic, ps]) => ps.map((replicas, partition) => ({ topic, partition, replicas })));
const load = (ps: PartitionReplicas[], id: number) => ps.filter((p) => p.replicas.includes(id)).length;
const apply = (ps: PartitionReplicas[], plan: PartitionReplicas[]) => ps.map((p) => plan.find((x) => x.topic === p.topic && x.partition === p.partition) ?? p);

describe('Kafka reassignment plans', () => {
  const before = parts({
    events: [
      [1, 2, 3],
      [2, 3, 4],
      [3, 4, 1],
      [4, 1, 2],
    ],
    page: [
      [4, 1],
      [1, 2],
    ],
  });

  it('drainPlan moves every replica off the leaving broker, in place, spreading them evenly', () => {
    const plan = drainPlan(before, [4], [1, 2, 3]);
    const after = apply(before, plan);
    assert.equal(load(after, 4), 0);
    assert.deepEqual(
      plan.map((p) => `${p.topic}-${p.partition}`),
      ['events-1', 'events-2', 'events-3', 'page-0'],
    );
    for (const p of after) assert.equal(new Set(p.replicas).size, p.replicas.length, 'no broker twice in a partition');
    // page-0's leader was 4: its replacement takes the leader's place.
    assert.notEqual(apply(before, plan).find((p) => p.topic === 'page' && p.partition === 0)!.replicas[0], 4);
    const loads = [1, 2, 3].map((id) => load(after, id));
    assert.ok(Math.max(...loads) - Math.min(...loads) <= 1, loads.join(','));
  });

  it('drainPlan refuses when too few brokers stay for a partition', () => {
    assert.throws(() => drainPlan(before, [3, 4], [1, 2]), /events-0: no staying broker left for its 3 replicas/);
  });

  it('balancePlan gives a new broker its share of replicas and leaders, and nothing to do twice', () => {
    const three = parts({ t: Array.from({ length: 6 }, (_, i) => [1, 2, 3].map((_, k) => ((i + k) % 3) + 1)) });
    const plan = balancePlan(three, [1, 2, 3, 4]);
    const after = apply(three, plan);
    const loads = [1, 2, 3, 4].map((id) => load(after, id));
    assert.ok(Math.max(...loads) - Math.min(...loads) <= 1, loads.join(','));
    const leaders = [1, 2, 3, 4].map((id) => after.filter((p) => p.replicas[0] === id).length);
    assert.ok(Math.max(...leaders) - Math.min(...leaders) <= 1, leaders.join(','));
    for (const p of after) assert.equal(new Set(p.replicas).size, 3);
    assert.deepEqual(balancePlan(after, [1, 2, 3, 4]), []);
  });

  it('the reassignment file and --verify output', () => {
    assert.deepEqual(JSON.parse(reassignmentJson([{ topic: 't', partition: 0, replicas: [1, 2] }])), {
      version: 1,
      partitions: [{ topic: 't', partition: 0, replicas: [1, 2] }],
    });
    const out = 'Status of partition reassignment:\nReassignment of partition t-0 is completed.\nReassignment of partition t-1 is still in progress.\n';
    assert.deepEqual(stillMoving(out), ['t-1']);
    assert.deepEqual(stillMoving('Reassignment of partition t-0 is completed.\nClearing broker-level throttles on brokers 1,2,3\n'), []);
  });
});

describe('draining DataNodes and NodeManagers', () => {
  it('a DataNode by the NameNode lists: draining, drained (live or dead), in service, gone', () => {
    const live = {
      '10.0.0.4:9866': { adminState: 'Decommission In Progress' },
      '10.0.0.5:9866': { adminState: 'Decommissioned' },
      '10.0.0.1:9866': { adminState: 'In Service' },
    };
    const dead = { '10.0.0.6:9866': { decommissioned: true, adminState: 'Decommissioned' } };
    const decom = { '10.0.0.4:9866': { underReplicatedBlocks: 12 } };
    assert.deepEqual(drainState('10.0.0.4', live, dead, decom), { state: 'draining', blocksLeft: 12 });
    assert.equal(drainState('10.0.0.5', live, dead, decom).state, 'drained');
    assert.equal(drainState('10.0.0.6', live, dead, decom).state, 'drained');
    assert.equal(drainState('10.0.0.1', live, dead, decom).state, 'in service');
    assert.equal(drainState('10.0.0.9', live, dead, decom).state, 'gone');
  });

  it('DataNodes are counted from the lists: draining ones apart, a decommissioned dead one not lost', () => {
    const c = countNodes(
      { a: { adminState: 'In Service' }, b: { adminState: 'Decommission In Progress' }, c: { adminState: 'Decommissioned' } },
      { d: { decommissioned: true, adminState: 'Decommissioned' }, e: { decommissioned: false, adminState: 'In Service' } },
    );
    assert.deepEqual(c, { liveDataNodes: 1, deadDataNodes: 1, decommissioningDataNodes: 2 });
  });

  it("a NodeManager's newest entry at the ResourceManager rules", () => {
    const nodes = [
      { nodeHostName: '10.0.0.4', state: 'SHUTDOWN', numContainers: 0 },
      { nodeHostName: '10.0.0.4', state: 'DECOMMISSIONING', numContainers: 2 },
      { nodeHostName: '10.0.0.1', state: 'RUNNING', numContainers: 1 },
    ];
    assert.deepEqual(nodeDrainState('10.0.0.4', nodes), { state: 'DECOMMISSIONING', containers: 2 });
    assert.equal(nodeDrainState('10.0.0.9', nodes).state, 'gone');
  });
});

describe('masters\u2019 host lists', () => {
  let inv: Inventory;
  let ids: ClusterIds;
  const inst = (host: string, role: string): ServiceInstance => inv.instances.find((x) => x.host.name === host && x.def.role === role)!;
  before(async () => {
    inv = (await loadInventory('inventories/three-hosts.yaml')).inventory;
    const kafka = inv.instances.filter((i) => i.def.component === 'kafka');
    ids = { hdfsClusterId: 'CID-x', kafkaClusterId: 'abc', kafkaNodeIds: Object.fromEntries(kafka.map((k, n) => [nodeKey(k), n + 1])) };
  });

  it('every worker is included; a leaving one is included and excluded', () => {
    const dn = inv.instances.filter((i) => i.def.role === 'hdfs-datanode');
    const leaving = { ...dn[0]!, host: { ...dn[0]!.host, name: 'gone', address: '10.9.9.9' } };
    const l = hostLists(inv.instances, [leaving], 'hdfs-datanode');
    const lines = (s: string) => s.split('\n').filter((x) => x && !x.startsWith('#'));
    assert.deepEqual(lines(l['hosts.include']!), [...dn.map((i) => i.host.address), '10.9.9.9'].sort());
    assert.deepEqual(lines(l['hosts.exclude']!), ['10.9.9.9']);
    assert.deepEqual(lines(hostLists(inv.instances, [], 'hdfs-datanode')['hosts.exclude']!), []);
  });

  it('the NameNode and ResourceManager point at their lists; a change to them reloads, not restarts', () => {
    const nn = inst('node1', 'hdfs-namenode');
    const d = desiredFor(inv, nn, ids);
    const site = hadoopXml(d.files['hdfs-site.xml']!);
    assert.equal(site.get('dfs.hosts'), `${d.paths.conf}/hosts.include`);
    assert.equal(site.get('dfs.hosts.exclude'), `${d.paths.conf}/hosts.exclude`);
    assert.match(d.reload!.sh, /DFSAdmin'? '?-refreshNodes/);
    const rm = desiredFor(inv, inst('node1', 'yarn-resourcemanager'), ids);
    assert.equal(hadoopXml(rm.files['yarn-site.xml']!).get('yarn.resourcemanager.nodes.exclude-path'), `${rm.paths.conf}/hosts.exclude`);
    assert.match(rm.reload!.sh, /RMAdminCLI'? '?-refreshNodes'? '?-g'? '?300'? '?-server/);

    const dn = inv.instances.find((i) => i.def.role === 'hdfs-datanode')!;
    const leaving = { ...dn, host: { ...dn.host, name: 'gone', address: '10.9.9.9' } };
    const next = desiredFor(inv, nn, ids, undefined, {}, {}, [leaving]);
    assert.equal(next.hash, d.hash, 'the lists are left out of the restart hash');
    const state: HostState = {
      services: { 'hdfs-namenode': { state: 'running', uptimeSec: 60, hash: d.hash } },
      files: { 'hdfs-namenode': d.files },
      formatted: { 'hdfs-namenode': 'yes' },
      noSystemd: [],
      resources: { memTotalMb: 16384, cpus: 4 },
      push: [],
      facts: {},
    };
    const p = planInstance(next, state);
    assert.equal(p.action, 'none');
    assert.equal(p.reload, true);
    assert.deepEqual(
      p.files.map((f) => f.name),
      ['hosts.include', 'hosts.exclude'],
    );
    assert.equal(planInstance(d, state).reload, false);
  });
});

describe('leaving the cluster: refusals before anything changes', () => {
  let inv: Inventory;
  before(async () => {
    inv = (await loadInventory('inventories/three-hosts.yaml')).inventory;
  });
  const ctx = () => ({
    inv,
    ids: { hdfsClusterId: 'x', kafkaClusterId: 'y', kafkaNodeIds: {} },
    secrets: {},
    staying: inv.instances,
    signal: new AbortController().signal,
    toolEnv: () => ({ root: '/x', java: 'java' }),
  });
  const gone = (role: string) => {
    const i = inv.instances.find((x) => x.def.role === role)!;
    return { ...i, host: { ...i.host, name: 'gone' } };
  };

  it('a controller or a NameNode cannot leave, even with --decommission', async () => {
    await assert.rejects(checkLeaving(inv, [gone('kafka-controller')], { decommission: true, ctx: ctx() }), (e: Error & { code?: string }) => {
      assert.equal(e.code, 'DECOMMISSION_REFUSED');
      assert.match(e.message, /kafka-controller on gone: .*static KRaft quorum/);
      return true;
    });
    await assert.rejects(checkLeaving(inv, [gone('hdfs-namenode')], { decommission: true, ctx: ctx() }), /NameNode holds the file system metadata/);
  });

  it('a worker leaves only with --decommission; roles leave the last tier first', async () => {
    await assert.rejects(checkLeaving(inv, [gone('hdfs-datanode')], { decommission: false, ctx: ctx() }), (e: Error & { code?: string; hint?: string }) => {
      assert.equal(e.code, 'DECOMMISSION_REQUIRED');
      assert.match(e.hint!, /pyro up --decommission/);
      return true;
    });
    assert.deepEqual(
      leavingByRole([gone('hdfs-datanode'), gone('kafka-broker'), gone('yarn-nodemanager')]).map((x) => x.role),
      ['kafka-broker', 'yarn-nodemanager', 'hdfs-datanode'],
    );
  });
});

describe('YARN work-preserving recovery', () => {
  let inv: Inventory;
  let ids: ClusterIds;
  before(async () => {
    inv = (await loadInventory('inventories/three-hosts.yaml')).inventory;
    ids = { hdfsClusterId: 'CID-x', kafkaClusterId: 'abc', kafkaNodeIds: {} };
  });

  it('restarts keep applications and containers; a stop for good (down, decommission) does not', () => {
    const rm = desiredFor(
      inv,
      inv.instances.find((i) => i.def.role === 'yarn-resourcemanager')!,
      ids,
    );
    const rmSite = hadoopXml(rm.files['yarn-site.xml']!);
    assert.equal(rmSite.get('yarn.resourcemanager.recovery.enabled'), 'true');
    assert.match(rmSite.get('yarn.resourcemanager.store.class')!, /LeveldbRMStateStore$/);
    assert.equal(rm.afterStop, `rm -rf -- ${rmSite.get('yarn.resourcemanager.leveldb-state-store.path')}`);
    const nm = desiredFor(
      inv,
      inv.instances.find((i) => i.def.role === 'yarn-nodemanager')!,
      ids,
    );
    const nmSite = hadoopXml(nm.files['yarn-site.xml']!);
    assert.equal(nmSite.get('yarn.nodemanager.recovery.enabled'), 'true');
    assert.equal(nmSite.get('yarn.nodemanager.recovery.supervised'), 'true');
    assert.ok(nm.afterStop!.includes(`pkill -TERM -f -- ${nmSite.get('yarn.nodemanager.local-dirs')}/usercache/`), nm.afterStop);
  });
});
