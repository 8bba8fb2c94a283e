import { strict as assert } from 'node:assert';
import { unmanagedRoles } from '../../../src/phases/desired.js';
import { serviceByRole } from '../../../src/services/catalog.js';
import { instanceOf, inventoryFromYaml } from '../../helpers/rendered.js';

// Logstash is declared, not run by this version: nothing renders yet. What the inventory resolves for it is what
// a runtime will render from.

describe('logstash (declared, not run yet)', () => {
  it("has no runtime; an inventory naming it resolves its ports, data dir and heap (the host's own winning), and reports it unmanaged", async () => {
    assert.equal(serviceByRole('logstash')!.runtime, undefined);
    const inv = await inventoryFromYaml(`
cluster: { name: lstest }
hosts:
  - { name: a, address: 10.8.0.1, roles: [hdfs-namenode, hdfs-datanode, yarn-resourcemanager, yarn-nodemanager, kafka-controller, kafka-broker, logstash] }
  - { name: b, address: 10.8.0.2, roles: [logstash], services: { logstash: { heap: 2g, dirs: { data: /srv/ls } } } }
services:
  logstash: { heap: 768m, ports: { beats: 5045 } }
`);
    const a = instanceOf(inv, 'a', 'logstash');
    assert.deepEqual(a.ports, { api: 9600, beats: 5045 });
    assert.deepEqual(a.dirs, { data: '/var/lib/pyro/logstash' });
    assert.equal(a.heapMb, 768);
    const b = instanceOf(inv, 'b', 'logstash');
    assert.equal(b.heapMb, 2048);
    assert.deepEqual(b.dirs, { data: '/srv/ls' });
    assert.deepEqual(unmanagedRoles(inv), ['logstash']);
  });
});
