import { strict as assert } from 'node:assert';
import type { Inventory } from '../../../src/inventory/types.js';
import { loadInventory } from '../../../src/services/catalog.js';
import type { HostResources } from '../../../src/services/runtime.js';
import { execArgv, hadoopXml, inventoryFromYaml, renderOn } from '../../helpers/rendered.js';

// What YARN renders per instance: core-site, yarn-site, capacity-scheduler (ResourceManager), mapred-site, run.sh.

const file = (inv: Inventory, host: string, role: string, name: string, resources?: HostResources) => {
  const text = renderOn(inv, host, role, { resources }).files[name];
  assert.ok(text, `${role} on ${host} renders ${name}`);
  return hadoopXml(text);
};

const CORE = 'hdfs-namenode, hdfs-datanode, yarn-resourcemanager, yarn-nodemanager, kafka-controller, kafka-broker';

describe('yarn renders (inventories/three-hosts.yaml)', () => {
  let inv: Inventory;
  before(async () => (inv = (await loadInventory('inventories/three-hosts.yaml')).inventory));

  it('yarn-site: every daemon finds the ResourceManager at its address and ports', () => {
    for (const [host, role] of [
      ['node1', 'yarn-resourcemanager'],
      ['node2', 'yarn-nodemanager'],
      ['node3', 'yarn-nodemanager'],
    ] as const) {
      const site = file(inv, host, role, 'yarn-site.xml');
      assert.equal(site.get('yarn.resourcemanager.hostname'), '192.0.2.11');
      assert.equal(site.get('yarn.resourcemanager.address'), '192.0.2.11:8032');
      assert.equal(site.get('yarn.resourcemanager.scheduler.address'), '192.0.2.11:8030');
      assert.equal(site.get('yarn.resourcemanager.resource-tracker.address'), '192.0.2.11:8031');
      assert.equal(site.get('yarn.resourcemanager.admin.address'), '192.0.2.11:8033');
      assert.equal(site.get('yarn.resourcemanager.webapp.address'), '192.0.2.11:8088');
      assert.equal(file(inv, host, role, 'core-site.xml').get('fs.defaultFS'), 'hdfs://192.0.2.11:8020');
    }
  });

  it('yarn-site of a NodeManager: memory and vcores from the settings, listeners on its address, dirs in its data dir', () => {
    const site = file(inv, 'node3', 'yarn-nodemanager', 'yarn-site.xml', { memTotalMb: 65536, cpus: 32 });
    assert.equal(site.get('yarn.nodemanager.resource.memory-mb'), '8192');
    assert.equal(site.get('yarn.nodemanager.resource.cpu-vcores'), '4');
    assert.equal(site.get('yarn.nodemanager.hostname'), '192.0.2.13');
    assert.equal(site.get('yarn.nodemanager.address'), '192.0.2.13:8041');
    assert.equal(site.get('yarn.nodemanager.localizer.address'), '192.0.2.13:8040');
    assert.equal(site.get('yarn.nodemanager.webapp.address'), '192.0.2.13:8042');
    assert.equal(site.get('yarn.nodemanager.local-dirs'), '/data/pyro/yarn/local');
    assert.equal(site.get('yarn.nodemanager.log-dirs'), '/data/pyro/yarn/logs');
  });

  it("yarn-site of the ResourceManager: the largest container is the NodeManagers' memory and vcores", () => {
    const site = file(inv, 'node1', 'yarn-resourcemanager', 'yarn-site.xml', { memTotalMb: 4096, cpus: 1 });
    assert.equal(site.get('yarn.scheduler.maximum-allocation-mb'), '8192');
    assert.equal(site.get('yarn.scheduler.maximum-allocation-vcores'), '4');
    assert.equal(site.has('yarn.nodemanager.resource.memory-mb'), false);
  });

  it("capacity-scheduler.xml on the ResourceManager only, with the inventory's keys", () => {
    const cs = file(inv, 'node1', 'yarn-resourcemanager', 'capacity-scheduler.xml');
    assert.equal(cs.get('yarn.scheduler.capacity.root.queues'), 'default');
    assert.equal(cs.get('yarn.scheduler.capacity.root.default.capacity'), '100');
    assert.equal(cs.get('yarn.scheduler.capacity.maximum-am-resource-percent'), '0.5');
    assert.equal('capacity-scheduler.xml' in renderOn(inv, 'node2', 'yarn-nodemanager').files, false);
  });

  it('mapred-site.xml on every YARN daemon: MapReduce on YARN, finding its jars in the Hadoop install', () => {
    for (const [host, role] of [
      ['node1', 'yarn-resourcemanager'],
      ['node2', 'yarn-nodemanager'],
    ] as const) {
      const m = file(inv, host, role, 'mapred-site.xml');
      assert.equal(m.get('mapreduce.framework.name'), 'yarn');
      for (const k of ['yarn.app.mapreduce.am.env', 'mapreduce.map.env', 'mapreduce.reduce.env'])
        assert.match(m.get(k) ?? '', /^HADOOP_MAPRED_HOME=\/opt\/pyro\/hadoop\/[^/]+$/, k);
    }
  });

  it('run.sh: default heaps (1024m ResourceManager, 512m NodeManager), the role marker, the main class', () => {
    const rm = execArgv(renderOn(inv, 'node1', 'yarn-resourcemanager').files['run.sh']!);
    assert.ok(rm.includes('-Xmx1024m') && rm.includes('-Dpyro.role=yarn-resourcemanager'), rm.join(' '));
    assert.equal(rm.at(-1), 'org.apache.hadoop.yarn.server.resourcemanager.ResourceManager');
    const nm = renderOn(inv, 'node2', 'yarn-nodemanager');
    const argv = execArgv(nm.files['run.sh']!);
    assert.ok(argv.includes('-Xmx512m') && argv.includes('-Dpyro.role=yarn-nodemanager'), argv.join(' '));
    assert.equal(argv.at(-1), 'org.apache.hadoop.yarn.server.nodemanager.NodeManager');
    // Containers get the Hadoop install through the environment the NodeManager passes on.
    assert.match(nm.files['run.sh']!, /^export HADOOP_MAPRED_HOME=\/opt\/pyro\/hadoop\/[^/\n]+$/m);
  });
});

describe('yarn renders (settings and overrides)', () => {
  it('a NodeManager without memoryMb/vcores sizes itself from its host', async () => {
    const inv = await inventoryFromYaml(`
cluster: { name: yarnauto }
hosts:
  - { name: a, address: 10.2.0.1, roles: [${CORE}] }
services:
  yarn: { nodemanager: { heap: 512m } }
`);
    // 16 GiB less the heaps of the six roles on the host (5 x default + 512m) and 1 GiB for the OS.
    const heaps = inv.instances.reduce((n, i) => n + i.heapMb, 0);
    const site = file(inv, 'a', 'yarn-nodemanager', 'yarn-site.xml', { memTotalMb: 16384, cpus: 6 });
    assert.equal(site.get('yarn.nodemanager.resource.memory-mb'), String(Math.floor((16384 - heaps - 1024) / 256) * 256));
    assert.equal(site.get('yarn.nodemanager.resource.cpu-vcores'), '6');
  });

  it("host-level NodeManager settings and config win over the role's and the component's", async () => {
    const inv = await inventoryFromYaml(`
cluster: { name: yarnhost }
hosts:
  - { name: a, address: 10.2.0.1, roles: [${CORE}] }
  - name: b
    address: 10.2.0.2
    roles: [yarn-nodemanager]
    services:
      yarn:
        config: { yarn-site.xml: { yarn.nodemanager.delete.debug-delay-sec: 600 } }
        nodemanager: { memoryMb: 6144, vcores: 6, config: { yarn-site.xml: { yarn.nodemanager.pmem-check-enabled: false } } }
services:
  yarn:
    nodemanager: { memoryMb: 2048, vcores: 2, config: { yarn-site.xml: { yarn.nodemanager.pmem-check-enabled: true, yarn.nodemanager.delete.debug-delay-sec: 60 } } }
    config: { yarn-site.xml: { yarn.nodemanager.delete.debug-delay-sec: 0 }, mapred-site.xml: { mapreduce.job.reduce.slowstart.completedmaps: 0.9 } }
`);
    const a = file(inv, 'a', 'yarn-nodemanager', 'yarn-site.xml');
    assert.equal(a.get('yarn.nodemanager.resource.memory-mb'), '2048');
    assert.equal(a.get('yarn.nodemanager.pmem-check-enabled'), 'true');
    assert.equal(a.get('yarn.nodemanager.delete.debug-delay-sec'), '60');
    const b = file(inv, 'b', 'yarn-nodemanager', 'yarn-site.xml');
    assert.equal(b.get('yarn.nodemanager.resource.memory-mb'), '6144');
    assert.equal(b.get('yarn.nodemanager.resource.cpu-vcores'), '6');
    assert.equal(b.get('yarn.nodemanager.pmem-check-enabled'), 'false');
    assert.equal(b.get('yarn.nodemanager.delete.debug-delay-sec'), '600');
    // The ResourceManager allows the largest NodeManager's container.
    const rm = file(inv, 'a', 'yarn-resourcemanager', 'yarn-site.xml');
    assert.equal(rm.get('yarn.scheduler.maximum-allocation-mb'), '6144');
    assert.equal(rm.get('yarn.scheduler.maximum-allocation-vcores'), '6');
    assert.equal(rm.get('yarn.nodemanager.delete.debug-delay-sec'), '0');
    // mapred-site.xml takes the inventory's keys.
    assert.equal(file(inv, 'b', 'yarn-nodemanager', 'mapred-site.xml').get('mapreduce.job.reduce.slowstart.completedmaps'), '0.9');
  });

  it("the ResourceManager's largest container follows a NodeManager memory set through yarn-site.xml", async () => {
    const inv = await inventoryFromYaml(`
cluster: { name: yarnsite }
hosts:
  - { name: a, address: 10.2.0.1, roles: [${CORE}] }
services:
  yarn:
    nodemanager: { memoryMb: 8192, vcores: 4 }
    config: { yarn-site.xml: { yarn.nodemanager.resource.memory-mb: 3072, yarn.nodemanager.resource.cpu-vcores: 2 } }
`);
    assert.equal(file(inv, 'a', 'yarn-nodemanager', 'yarn-site.xml').get('yarn.nodemanager.resource.memory-mb'), '3072');
    const rm = file(inv, 'a', 'yarn-resourcemanager', 'yarn-site.xml');
    assert.equal(rm.get('yarn.scheduler.maximum-allocation-mb'), '3072');
    assert.equal(rm.get('yarn.scheduler.maximum-allocation-vcores'), '2');
  });

  it("a NodeManager that sizes itself on another host does not get the ResourceManager host's memory as its limit", async () => {
    const inv = await inventoryFromYaml(`
cluster: { name: yarnmixed }
hosts:
  - { name: a, address: 10.2.0.1, roles: [${CORE}] }
  - { name: b, address: 10.2.0.2, roles: [yarn-nodemanager] }
services:
  yarn: { nodemanager: { heap: 512m } }
`);
    // The ResourceManager's host is small; b's NodeManager sizes itself from b, which the ResourceManager cannot see.
    const rm = file(inv, 'a', 'yarn-resourcemanager', 'yarn-site.xml', { memTotalMb: 4096, cpus: 1 });
    const b = file(inv, 'b', 'yarn-nodemanager', 'yarn-site.xml', { memTotalMb: 65536, cpus: 16 });
    assert.ok(
      Number(rm.get('yarn.scheduler.maximum-allocation-mb')) >= Number(b.get('yarn.nodemanager.resource.memory-mb')),
      `${rm.get('yarn.scheduler.maximum-allocation-mb')}`,
    );
    assert.ok(Number(rm.get('yarn.scheduler.maximum-allocation-vcores')) >= 16);
  });
});
