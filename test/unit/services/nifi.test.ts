import { strict as assert } from 'node:assert';
import { unmanagedRoles } from '../../../src/phases/desired.js';
import { loadInventory, serviceByRole } from '../../../src/services/catalog.js';
import { instanceOf } from '../../helpers/rendered.js';

// NiFi is declared, not run by this version: nothing renders yet. What the inventory resolves for it is what a
// runtime will render from.

describe('nifi (declared, not run yet)', () => {
  it('has no runtime; inventories/three-hosts.yaml resolves its port, repositories dir and heap, and reports it unmanaged', async () => {
    assert.equal(serviceByRole('nifi')!.runtime, undefined);
    assert.equal(serviceByRole('nifi')!.javaMin, 21);
    const inv = (await loadInventory('inventories/three-hosts.yaml')).inventory;
    const n = instanceOf(inv, 'node3', 'nifi');
    assert.deepEqual(n.ports, { https: 8443 });
    assert.deepEqual(n.dirs, { repositories: '/data/pyro/nifi' });
    assert.equal(n.heapMb, 1536);
    assert.equal(n.host.java21Home, '/opt/jdk-21');
    assert.ok(unmanagedRoles(inv).includes('nifi'));
  });
});
