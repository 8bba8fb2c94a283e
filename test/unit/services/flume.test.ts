import { strict as assert } from 'node:assert';
import { unmanagedRoles } from '../../../src/phases/desired.js';
import { serviceByRole } from '../../../src/services/catalog.js';
import { instanceOf, inventoryFromYaml } from '../../helpers/rendered.js';

// Flume agents are declared, not run by this version: nothing renders yet. What the inventory resolves for them
// (ports, dirs, heap, config) is what a runtime will render from.

describe('flume (declared, not run yet)', () => {
  it('has no runtime; an inventory naming it resolves its ports, dir, heap and config, and reports it unmanaged', async () => {
    assert.equal(serviceByRole('flume')!.runtime, undefined);
    const inv = await inventoryFromYaml(`
cluster: { name: flumetest }
hosts:
  - { name: a, address: 10.7.0.1, roles: [hdfs-namenode, hdfs-datanode, yarn-resourcemanager, yarn-nodemanager, kafka-controller, kafka-broker, flume] }
services:
  flume: { heap: 384m, ports: { source: 41515 }, config: { flume.properties: { agent.sources: s1 } } }
`);
    const f = instanceOf(inv, 'a', 'flume');
    assert.deepEqual(f.ports, { source: 41515, monitoring: 34545 });
    assert.deepEqual(f.dirs, { channel: '/var/lib/pyro/flume' });
    assert.equal(f.heapMb, 384);
    assert.deepEqual(f.config, { 'flume.properties': { 'agent.sources': 's1' } });
    assert.deepEqual(unmanagedRoles(inv), ['flume']);
  });
});
