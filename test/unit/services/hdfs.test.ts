import { strict as assert } from 'node:assert';
import type { Inventory } from '../../../src/inventory/types.js';
import { loadInventory } from '../../../src/services/catalog.js';
import { execArgv, hadoopXml, inventoryFromYaml, renderOn } from '../../helpers/rendered.js';

// What HDFS renders per instance: core-site and hdfs-site from the inventory, and run.sh's java command line.

const file = (inv: Inventory, host: string, role: string, name: string) => hadoopXml(renderOn(inv, host, role).files[name]!);

describe('hdfs renders (inventories/three-hosts.yaml)', () => {
  let inv: Inventory;
  before(async () => (inv = (await loadInventory('inventories/three-hosts.yaml')).inventory));

  it('core-site: fs.defaultFS is the NameNode address on every HDFS daemon; hadoop.tmp.dir in the host data dir', () => {
    for (const [host, role] of [
      ['node1', 'hdfs-namenode'],
      ['node1', 'hdfs-datanode'],
      ['node2', 'hdfs-datanode'],
      ['node3', 'hdfs-datanode'],
    ] as const) {
      const core = file(inv, host, role, 'core-site.xml');
      assert.equal(core.get('fs.defaultFS'), 'hdfs://192.0.2.11:8020', `${role} on ${host}`);
    }
    assert.equal(file(inv, 'node2', 'hdfs-datanode', 'core-site.xml').get('hadoop.tmp.dir'), '/var/lib/pyro/hadoop-tmp');
    // node3 has its own dataDir.
    assert.equal(file(inv, 'node3', 'hdfs-datanode', 'core-site.xml').get('hadoop.tmp.dir'), '/data/pyro/hadoop-tmp');
  });

  it('hdfs-site: dfs.replication follows services.hdfs.replication, and the inventory config lands in it', () => {
    for (const [host, role] of [
      ['node1', 'hdfs-namenode'],
      ['node3', 'hdfs-datanode'],
    ] as const) {
      const site = file(inv, host, role, 'hdfs-site.xml');
      assert.equal(site.get('dfs.replication'), '3');
      assert.equal(site.get('dfs.blocksize'), '134217728');
      assert.equal(site.get('dfs.namenode.rpc-address'), '192.0.2.11:8020');
      assert.equal(site.get('dfs.namenode.http-address'), '192.0.2.11:9870');
    }
  });

  it("hdfs-site of the NameNode: its name dir in the data dir, none of a DataNode's keys", () => {
    const site = file(inv, 'node1', 'hdfs-namenode', 'hdfs-site.xml');
    assert.equal(site.get('dfs.namenode.name.dir'), '/var/lib/pyro/hdfs/name');
    assert.equal(site.has('dfs.datanode.data.dir'), false);
    assert.equal(site.has('dfs.datanode.address'), false);
  });

  it("hdfs-site of a DataNode: its data dir in its host's data dir, listeners and hostname on its address", () => {
    const site = file(inv, 'node3', 'hdfs-datanode', 'hdfs-site.xml');
    assert.equal(site.get('dfs.datanode.data.dir'), '/data/pyro/hdfs/data');
    assert.equal(site.get('dfs.datanode.address'), '192.0.2.13:9866');
    assert.equal(site.get('dfs.datanode.http.address'), '192.0.2.13:9864');
    assert.equal(site.get('dfs.datanode.ipc.address'), '192.0.2.13:9867');
    assert.equal(site.get('dfs.datanode.hostname'), '192.0.2.13');
    assert.equal(site.has('dfs.namenode.name.dir'), false);
  });

  it('run.sh: the NameNode with the inventory heap (2g), a DataNode with the default 512m; HADOOP_CONF_DIR is the conf dir', () => {
    const nn = renderOn(inv, 'node1', 'hdfs-namenode');
    const argv = execArgv(nn.files['run.sh']!);
    assert.ok(argv.includes('-Xmx2048m') && argv.includes('-Xms2048m'), argv.join(' '));
    assert.ok(argv.includes('-Dpyro.role=hdfs-namenode'));
    assert.equal(argv.at(-1), 'org.apache.hadoop.hdfs.server.namenode.NameNode');
    assert.match(nn.files['run.sh']!, /^export HADOOP_CONF_DIR=\/opt\/pyro\/conf\/hdfs-namenode$/m);
    const dn = execArgv(renderOn(inv, 'node2', 'hdfs-datanode').files['run.sh']!);
    assert.ok(dn.includes('-Xmx512m'), dn.join(' '));
    assert.equal(dn.at(-1), 'org.apache.hadoop.hdfs.server.datanode.DataNode');
  });

  it('a heap left to its default shrinks to fit a small host; one set in the inventory does not', () => {
    const small = { memTotalMb: 2048, cpus: 2 };
    const dn = renderOn(inv, 'node2', 'hdfs-datanode', { resources: small });
    assert.ok(dn.heapMb < 512, String(dn.heapMb));
    assert.ok(execArgv(dn.files['run.sh']!).includes(`-Xmx${dn.heapMb}m`));
    assert.equal(renderOn(inv, 'node1', 'hdfs-namenode', { resources: small }).heapMb, 2048);
  });

  it('the NameNode formats its name dir once, with the cluster id', () => {
    const f = renderOn(inv, 'node1', 'hdfs-namenode').format!;
    assert.equal(f.dir, '/var/lib/pyro/hdfs/name');
    assert.equal(f.done, '/var/lib/pyro/hdfs/name/current/VERSION');
    assert.ok(f.argv.join(' ').endsWith('NameNode -format -nonInteractive -clusterid CID-test'), f.argv.join(' '));
    assert.equal(renderOn(inv, 'node2', 'hdfs-datanode').format, undefined);
  });
});

describe('hdfs renders (settings and overrides)', () => {
  let inv: Inventory;
  before(async () => {
    inv = await inventoryFromYaml(`
cluster: { name: hdfstest }
hosts:
  - name: a
    address: 10.1.0.1
    roles: [hdfs-namenode, hdfs-datanode, yarn-resourcemanager, yarn-nodemanager, kafka-controller, kafka-broker]
  - name: b
    address: 10.1.0.2
    roles: [hdfs-datanode, yarn-nodemanager, kafka-broker]
    services:
      hdfs:
        replication: 2
        config: { hdfs-site.xml: { dfs.datanode.du.reserved: 3 } }
        datanode:
          heap: 700m
          dirs: { data: /disk2/dn/ }
          config: { hdfs-site.xml: { dfs.datanode.balance.max.concurrent.moves: 40 } }
services:
  hdfs:
    replication: 1
    namenode: { ports: { rpc: 9000 }, dirs: { name: /disk1/nn } }
    datanode:
      heap: 600m
      config: { hdfs-site.xml: { dfs.datanode.du.reserved: 2, dfs.datanode.balance.max.concurrent.moves: 20 } }
    config:
      core-site.xml: { io.file.buffer.size: 131072 }
      hdfs-site.xml: { dfs.datanode.du.reserved: 1, dfs.blocksize: 67108864 }
`);
  });

  it("replication and the NameNode's port and dir from the settings", () => {
    const nn = file(inv, 'a', 'hdfs-namenode', 'hdfs-site.xml');
    assert.equal(nn.get('dfs.replication'), '1');
    assert.equal(nn.get('dfs.namenode.name.dir'), '/disk1/nn');
    assert.equal(nn.get('dfs.namenode.rpc-address'), '10.1.0.1:9000');
    assert.equal(file(inv, 'b', 'hdfs-datanode', 'core-site.xml').get('fs.defaultFS'), 'hdfs://10.1.0.1:9000');
  });

  it("config: component-wide, then the role's, then the host's (its component-wide block, then its role block)", () => {
    const a = file(inv, 'a', 'hdfs-datanode', 'hdfs-site.xml');
    assert.equal(a.get('dfs.datanode.du.reserved'), '2');
    assert.equal(a.get('dfs.datanode.balance.max.concurrent.moves'), '20');
    assert.equal(a.get('dfs.blocksize'), '67108864');
    const b = file(inv, 'b', 'hdfs-datanode', 'hdfs-site.xml');
    assert.equal(b.get('dfs.datanode.du.reserved'), '3');
    assert.equal(b.get('dfs.datanode.balance.max.concurrent.moves'), '40');
    assert.equal(b.get('dfs.blocksize'), '67108864');
    // A DataNode's role config does not reach the NameNode.
    const nn = file(inv, 'a', 'hdfs-namenode', 'hdfs-site.xml');
    assert.equal(nn.get('dfs.datanode.du.reserved'), '1');
    assert.equal(nn.has('dfs.datanode.balance.max.concurrent.moves'), false);
    assert.equal(file(inv, 'b', 'hdfs-datanode', 'core-site.xml').get('io.file.buffer.size'), '131072');
  });

  it("a host's replication wins on its daemons", () => {
    assert.equal(file(inv, 'b', 'hdfs-datanode', 'hdfs-site.xml').get('dfs.replication'), '2');
    assert.equal(file(inv, 'a', 'hdfs-datanode', 'hdfs-site.xml').get('dfs.replication'), '1');
  });

  it("a host's dir and heap win over the role's", () => {
    assert.equal(file(inv, 'b', 'hdfs-datanode', 'hdfs-site.xml').get('dfs.datanode.data.dir'), '/disk2/dn');
    assert.equal(file(inv, 'a', 'hdfs-datanode', 'hdfs-site.xml').get('dfs.datanode.data.dir'), '/var/lib/pyro/hdfs/data');
    assert.ok(execArgv(renderOn(inv, 'b', 'hdfs-datanode').files['run.sh']!).includes('-Xmx700m'));
    assert.ok(execArgv(renderOn(inv, 'a', 'hdfs-datanode').files['run.sh']!).includes('-Xmx600m'));
  });
});
