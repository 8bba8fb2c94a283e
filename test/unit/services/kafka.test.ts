import { strict as assert } from 'node:assert';
import type { Inventory } from '../../../src/inventory/types.js';
import { loadInventory } from '../../../src/services/catalog.js';
import { internalTopicDefaults } from '../../../src/services/kafka/files.js';
import kafka from '../../../src/services/kafka/index.js';
import { execArgv, idsFor, instanceOf, inventoryFromYaml, props, renderOn } from '../../helpers/rendered.js';

// What Kafka renders per instance: server.properties (KRaft roles, quorum, listeners, dirs, overrides) and run.sh.

const server = (inv: Inventory, host: string, role: string) => props(renderOn(inv, host, role).files['server.properties']!);

describe('kafka renders (inventories/three-hosts.yaml)', () => {
  let inv: Inventory;
  before(async () => (inv = (await loadInventory('inventories/three-hosts.yaml')).inventory));
  const id = (host: string, role: string) => String(idsFor(inv).kafkaNodeIds[`${host}/${role}`]);

  it('each instance has its own node.id; controllers and brokers list every controller as a voter', () => {
    const voters = ['node1', 'node2', 'node3'].map((h) => `${id(h, 'kafka-controller')}@192.0.2.1${h.at(-1)}:9093`).join(',');
    const seen = new Set<string>();
    for (const h of ['node1', 'node2', 'node3']) {
      for (const role of ['kafka-controller', 'kafka-broker']) {
        const p = server(inv, h, role);
        assert.equal(p.get('node.id'), id(h, role));
        assert.equal(p.get('controller.quorum.voters'), voters);
        assert.equal(p.get('controller.listener.names'), 'CONTROLLER');
        seen.add(p.get('node.id')!);
      }
    }
    assert.equal(seen.size, 6, 'node ids are unique');
  });

  it('a controller: process.roles=controller, listening on its address, its metadata dir as log.dirs', () => {
    const p = server(inv, 'node3', 'kafka-controller');
    assert.equal(p.get('process.roles'), 'controller');
    assert.equal(p.get('listeners'), 'CONTROLLER://192.0.2.13:9093');
    assert.equal(p.has('advertised.listeners'), false);
    assert.equal(p.get('log.dirs'), '/data/pyro/kafka/metadata');
  });

  it('a broker: process.roles=broker, listening on and advertising its own address, its log dir in its data dir', () => {
    for (const [h, addr, data] of [
      ['node1', '192.0.2.11', '/var/lib/pyro'],
      ['node3', '192.0.2.13', '/data/pyro'],
    ] as const) {
      const p = server(inv, h, 'kafka-broker');
      assert.equal(p.get('process.roles'), 'broker');
      assert.equal(p.get('listeners'), `PLAINTEXT://${addr}:9092`);
      assert.equal(p.get('advertised.listeners'), `PLAINTEXT://${addr}:9092`);
      assert.equal(p.get('inter.broker.listener.name'), 'PLAINTEXT');
      assert.equal(p.get('log.dirs'), `${data}/kafka/logs`);
    }
  });

  it("a broker: internal topics replicated over the three brokers, and the inventory's config", () => {
    const p = server(inv, 'node2', 'kafka-broker');
    for (const k of ['offsets.topic.replication.factor', 'transaction.state.log.replication.factor', 'default.replication.factor'])
      assert.equal(p.get(k), '3', k);
    assert.equal(p.get('transaction.state.log.min.isr'), '2');
    assert.equal(p.get('num.partitions'), '6');
    assert.equal(p.get('log.retention.hours'), '72');
  });

  it("run.sh: the broker's heap from the inventory (2g), the controller's default 512m, the properties file as argument", () => {
    const b = execArgv(renderOn(inv, 'node1', 'kafka-broker').files['run.sh']!);
    assert.ok(b.includes('-Xmx2048m') && b.includes('-Xms2048m') && b.includes('-Dpyro.role=kafka-broker'), b.join(' '));
    assert.equal(b.at(-2), 'kafka.Kafka');
    assert.equal(b.at(-1), '/opt/pyro/conf/kafka-broker/server.properties');
    const c = execArgv(renderOn(inv, 'node1', 'kafka-controller').files['run.sh']!);
    assert.ok(c.includes('-Xmx512m') && c.includes('-Dpyro.role=kafka-controller'), c.join(' '));
    assert.equal(c.at(-1), '/opt/pyro/conf/kafka-controller/server.properties');
  });

  it('format: kafka-storage format of its own dir with the cluster id', () => {
    const b = renderOn(inv, 'node3', 'kafka-broker').format!;
    assert.equal(b.dir, '/data/pyro/kafka/logs');
    assert.equal(b.done, '/data/pyro/kafka/logs/meta.properties');
    assert.ok(b.argv.includes('--cluster-id=kafka-test'), b.argv.join(' '));
    assert.equal(renderOn(inv, 'node3', 'kafka-controller').format!.dir, '/data/pyro/kafka/metadata');
  });
});

describe('kafka renders (settings and overrides)', () => {
  let inv: Inventory;
  before(async () => {
    inv = await inventoryFromYaml(`
cluster: { name: kafkatest }
hosts:
  - { name: a, address: 10.3.0.1, roles: [hdfs-namenode, hdfs-datanode, yarn-resourcemanager, yarn-nodemanager, kafka-controller, kafka-broker] }
  - name: b
    address: 10.3.0.2
    roles: [kafka-broker]
    services:
      kafka:
        config: { server.properties: { log.retention.hours: 12 } }
        broker:
          heap: 1g
          ports: { client: 9192 }
          dirs: { logs: /disk1/kafka }
          config: { server.properties: { num.network.threads: 8 } }
services:
  kafka:
    controller: { heap: 384m, ports: { controller: 9193 }, config: { server.properties: { controller.quorum.election.timeout.ms: 2000 } } }
    broker: { config: { server.properties: { num.network.threads: 4, log.retention.hours: 48 } } }
    config: { server.properties: { log.retention.hours: 24, num.network.threads: 2, num.partitions: 3, offsets.topic.replication.factor: 1 } }
`);
  });

  it("config: component-wide, then the role's, then the host's component-wide and role blocks", () => {
    const a = server(inv, 'a', 'kafka-broker');
    assert.equal(a.get('log.retention.hours'), '48');
    assert.equal(a.get('num.network.threads'), '4');
    assert.equal(a.get('num.partitions'), '3');
    const b = server(inv, 'b', 'kafka-broker');
    assert.equal(b.get('log.retention.hours'), '12');
    assert.equal(b.get('num.network.threads'), '8');
    assert.equal(b.get('num.partitions'), '3');
  });

  it('an override of a derived default wins over it; the default sizes to two brokers', () => {
    const p = server(inv, 'a', 'kafka-broker');
    assert.equal(p.get('offsets.topic.replication.factor'), '1');
    assert.equal(p.get('transaction.state.log.replication.factor'), '2');
    assert.equal(p.get('default.replication.factor'), '2');
    // One of two replicas may be out of sync, as while the other broker restarts in a roll.
    assert.equal(p.get('transaction.state.log.min.isr'), '1');
    assert.equal(p.get('share.coordinator.state.topic.min.isr'), '1');
  });

  it('what `pyro init` writes for the internal topics is what the brokers would render without it', () => {
    for (const brokers of [1, 2, 3, 5]) {
      const draft = kafka.initDraft!(() => brokers);
      const written = (draft.settings as { config: Record<string, Record<string, number>> }).config['server.properties']!;
      const derived = internalTopicDefaults(brokers);
      for (const [k, v] of Object.entries(written)) assert.equal(v, derived[k], `${k} with ${brokers} brokers`);
      assert.equal((draft.sections!.topics as { replicationFactor: number }[])[0]!.replicationFactor, derived['default.replication.factor']);
    }
  });

  it("a controller takes only its own config block, not the brokers' (component-wide) one", () => {
    const c = server(inv, 'a', 'kafka-controller');
    assert.equal(c.get('controller.quorum.election.timeout.ms'), '2000');
    for (const k of ['log.retention.hours', 'num.network.threads', 'num.partitions', 'offsets.topic.replication.factor']) assert.equal(c.has(k), false, k);
  });

  it('ports, dirs and heap of a host win; voters and listeners follow the ports', () => {
    const b = server(inv, 'b', 'kafka-broker');
    assert.equal(b.get('listeners'), 'PLAINTEXT://10.3.0.2:9192');
    assert.equal(b.get('advertised.listeners'), 'PLAINTEXT://10.3.0.2:9192');
    assert.equal(b.get('log.dirs'), '/disk1/kafka');
    assert.equal(b.get('controller.quorum.voters'), `${idsFor(inv).kafkaNodeIds['a/kafka-controller']}@10.3.0.1:9193`);
    assert.ok(execArgv(renderOn(inv, 'b', 'kafka-broker').files['run.sh']!).includes('-Xmx1024m'));
    assert.ok(execArgv(renderOn(inv, 'a', 'kafka-controller').files['run.sh']!).includes('-Xmx384m'));
    assert.equal(instanceOf(inv, 'a', 'kafka-broker').ports.client, 9092);
  });
});
