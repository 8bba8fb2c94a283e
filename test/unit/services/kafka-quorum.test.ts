import { strict as assert } from 'node:assert';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Inventory } from '../../../src/inventory/types.js';
import { desiredFor } from '../../../src/phases/desired.js';
import { loadInventory } from '../../../src/services/catalog.js';
import { nodeKey } from '../../../src/services/kafka/endpoints.js';
import { controllerRetire } from '../../../src/services/kafka/quorum.js';
import { ClusterState, type ClusterIds } from '../../../src/state/cluster-state.js';
import { idsFor, instanceOf, props } from '../../helpers/rendered.js';

// KIP-853: clusters pyro creates get a dynamic KRaft quorum; those an earlier pyro formatted keep their static one.

describe('kafka quorum: dynamic for new clusters, static kept', () => {
  let inv: Inventory;
  let dynamic: ClusterIds;
  before(async () => {
    inv = (await loadInventory('inventories/three-hosts.yaml')).inventory;
    const ids = idsFor(inv);
    const initial = ['node1', 'node2', 'node3'].map((h) => ({ key: `${h}/kafka-controller`, endpoint: `192.0.2.1${h.at(-1)}:9093` }));
    dynamic = {
      ...ids,
      kafkaQuorum: { mode: 'dynamic', initial, directoryIds: Object.fromEntries(initial.map((c, n) => [c.key, `dir${n}AAAAAAAAAAAAAAAAAA`])) },
    };
  });
  const render = (ids: ClusterIds, host: string, role: string, i: Inventory = inv) => desiredFor(i, instanceOf(i, host, role), ids, undefined, {}, {});

  it('a dynamic quorum: every node finds it through controller.quorum.bootstrap.servers, never voters', () => {
    for (const role of ['kafka-controller', 'kafka-broker']) {
      const p = props(render(dynamic, 'node2', role).files['server.properties']!);
      assert.equal(p.get('controller.quorum.bootstrap.servers'), '192.0.2.11:9093,192.0.2.12:9093,192.0.2.13:9093');
      assert.equal(p.has('controller.quorum.voters'), false);
    }
  });

  it('its initial controllers are formatted with the same voter set (id@host:port:directory id); brokers with no quorum flag', () => {
    const id = (h: string) => dynamic.kafkaNodeIds[`${h}/kafka-controller`];
    const want = `--initial-controllers=${id('node1')}@192.0.2.11:9093:dir0AAAAAAAAAAAAAAAAAA,${id('node2')}@192.0.2.12:9093:dir1AAAAAAAAAAAAAAAAAA,${id('node3')}@192.0.2.13:9093:dir2AAAAAAAAAAAAAAAAAA`;
    for (const h of ['node1', 'node2', 'node3']) assert.equal(render(dynamic, h, 'kafka-controller').format!.argv.at(-1), want);
    const b = render(dynamic, 'node1', 'kafka-broker').format!.argv;
    assert.ok(!b.some((a) => /initial-controllers/.test(a)), b.join(' '));
  });

  it('a controller added later is formatted --no-initial-controllers; the bootstrap list, and so every other config, stays', () => {
    const moved = {
      ...inv,
      instances: inv.instances.map((i) => (nodeKey(i) === 'node3/kafka-controller' ? { ...i, host: { ...i.host, name: 'node4', address: '192.0.2.14' } } : i)),
    } as Inventory;
    const ids = { ...dynamic, kafkaNodeIds: { ...dynamic.kafkaNodeIds, 'node4/kafka-controller': 99 } };
    assert.equal(render(ids, 'node4', 'kafka-controller', moved).format!.argv.at(-1), '--no-initial-controllers');
    assert.equal(
      render(ids, 'node1', 'kafka-broker', moved).files['server.properties'],
      render(dynamic, 'node1', 'kafka-broker').files['server.properties'],
      "the broker's config is unchanged: no restart",
    );
  });

  it('a static quorum (no quorum record, or static) keeps controller.quorum.voters and plain formats', () => {
    const p = props(render(idsFor(inv), 'node1', 'kafka-broker').files['server.properties']!);
    assert.ok(p.get('controller.quorum.voters'));
    assert.equal(p.has('controller.quorum.bootstrap.servers'), false);
    assert.ok(!render(idsFor(inv), 'node1', 'kafka-controller').format!.argv.some((a) => /initial-controllers/.test(a)));
  });

  it('controllers may leave a dynamic quorum; a static one refuses, saying how to move', async () => {
    const leaving = [instanceOf(inv, 'node3', 'kafka-controller')];
    const ctx = { inv, secrets: {}, staying: inv.instances, signal: new AbortController().signal, toolEnv: () => ({ root: '/x', java: 'java' }) };
    assert.equal(await controllerRetire.refuse!(leaving, { ...ctx, ids: dynamic }), undefined);
    const why = await controllerRetire.refuse!(leaving, { ...ctx, ids: idsFor(inv) });
    assert.ok(why && typeof why !== 'string');
    assert.match(why.reason, /static KRaft quorum/);
    assert.match(why.hint, /dynamic quorum/);
  });

  it('the cluster state decides once: dynamic for a new cluster, static for one whose Kafka ids predate it', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'pyro-quorum-'));
    const fresh = new ClusterState('fresh', path.join(dir, 'fresh'));
    const q = await fresh.kafkaQuorum([{ key: 'a/kafka-controller', endpoint: '10.0.0.1:9093' }]);
    assert.equal(q.mode, 'dynamic');
    assert.match(q.directoryIds['a/kafka-controller']!, /^[A-Za-z0-9_][A-Za-z0-9_-]{21}$/);
    const again = await new ClusterState('fresh', path.join(dir, 'fresh')).kafkaQuorum([{ key: 'b/kafka-controller', endpoint: '10.0.0.2:9093' }]);
    assert.deepEqual(again.initial, [{ key: 'a/kafka-controller', endpoint: '10.0.0.1:9093' }], 'the initial voters never change');
    assert.equal(again.directoryIds['a/kafka-controller'], q.directoryIds['a/kafka-controller']);

    const old = new ClusterState('old', path.join(dir, 'old'));
    await old.kafkaNodeIds(['a/kafka-controller', 'a/kafka-broker']);
    assert.equal((await old.kafkaQuorum([{ key: 'a/kafka-controller', endpoint: '10.0.0.1:9093' }])).mode, 'static');
  });
});
