import { strict as assert } from 'node:assert';
import path from 'node:path';
import { CATALOG, recipeFor } from '../../../src/artifacts/catalog.js';
import { artifactNeeds } from '../../../src/artifacts/needs.js';
import { ARTIFACT_COMPONENTS } from '../../../src/inventory/schema.js';
import { loadInventory } from '../../../src/services/catalog.js';
import { SERVICES } from '../../../src/services/catalog.js';
import { ROOT } from '../../helpers/cli.js';

describe('artifact catalogue', () => {
  it('the inventory schema names exactly the catalogue components', () => {
    assert.deepEqual([...ARTIFACT_COMPONENTS].sort(), Object.keys(CATALOG).sort());
  });

  it('every service runs from catalogue components', () => {
    for (const s of SERVICES) for (const a of s.artifacts) assert.ok(CATALOG[a], `${s.role} -> ${a}`);
  });

  it('every recipe is pinned and has a source or says why not', () => {
    for (const c of Object.keys(CATALOG)) {
      const r = recipeFor(c);
      assert.match(r.version, /^\d/);
      assert.ok(r.requiredPaths.length, c);
      assert.ok(r.assemble || r.url || r.unavailable, `${c}: no way to obtain it`);
      if (r.url) assert.match(r.url.sha512, /^[0-9a-f]{128}$/, `${c}: url without a SHA-512`);
    }
  });

  it('versions are overridable per inventory; hosts get the distributions of their roles', async () => {
    const { inventory } = await loadInventory(path.join(ROOT, 'inventories', 'three-hosts.yaml'));
    const needs = artifactNeeds(inventory);
    assert.deepEqual(
      needs.perHost.map((h) => [h.spec.name, h.components.sort()]),
      [
        ['node1', ['hadoop', 'kafka', 'spark', 'superset']],
        ['node2', ['flume', 'hadoop', 'kafka', 'postgresql-jdbc', 'spark']],
        ['node3', ['hadoop', 'kafka', 'nifi']],
      ],
    );
    assert.ok(
      needs.recipes.some((r) => r.component === 'postgresql-jdbc'),
      'the control machine needs the JDBC driver',
    );
    inventory.artifacts = { versions: { kafka: '4.0.0' } };
    assert.equal(artifactNeeds(inventory).recipes.find((r) => r.component === 'kafka')!.version, '4.0.0');
  });
});
