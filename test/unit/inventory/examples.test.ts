import { strict as assert } from 'node:assert';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { COMPONENT_SPECS, loadInventory } from '../../../src/services/catalog.js';
import { SCHEMA_FILE, schemaJson } from '../../../src/inventory/schema-file.js';
import { ROOT } from '../../helpers/cli.js';

describe('example inventories (inventories/)', () => {
  const dir = path.join(ROOT, 'inventories');
  const files = readdirSync(dir).filter((f) => /\.ya?ml$/.test(f));

  it('has the single-host default and a three-host example', () => {
    assert.ok(files.includes('local.yaml'));
    assert.ok(files.includes('three-hosts.yaml'));
  });

  for (const f of files) {
    it(`${f} is valid and points editors at the schema`, async () => {
      const file = path.join(dir, f);
      const { inventory, warnings } = await loadInventory(file);
      assert.deepEqual(warnings, []);
      assert.ok(inventory.hosts.length >= 1);
      const first = readFileSync(file, 'utf8').split('\n')[0]!;
      const m = /^# yaml-language-server: \$schema=(.+)$/.exec(first);
      assert.ok(m, `${f}: first line must be the yaml-language-server schema line`);
      assert.ok(existsSync(path.resolve(dir, m[1]!)), `${f}: ${m[1]} does not exist`);
    });
  }

  it('local.yaml runs every core role on the local machine', async () => {
    const { inventory } = await loadInventory(path.join(dir, 'local.yaml'));
    assert.equal(inventory.hosts.length, 1);
    assert.equal(inventory.hosts[0]!.connection, 'local');
    for (const r of [
      'hdfs-namenode',
      'hdfs-datanode',
      'yarn-resourcemanager',
      'yarn-nodemanager',
      'kafka-controller',
      'kafka-broker',
      'postgresql',
      'superset',
    ]) {
      assert.ok(inventory.hosts[0]!.roles.includes(r), r);
    }
  });

  it('the committed JSON Schema matches the one built from the service catalogue (npm run schema)', () => {
    assert.equal(readFileSync(SCHEMA_FILE, 'utf8'), schemaJson(COMPONENT_SPECS));
  });

  it('the schema calls the memory setting a JVM heap only for roles on a JVM; the others say what it controls', () => {
    type Props = { properties: Record<string, Props & { description?: string }> };
    // Each component's block is defined once, under $defs, and referenced from services: and the hosts.
    const defs = (JSON.parse(schemaJson(COMPONENT_SPECS)) as { $defs: Record<string, Props> }).$defs;
    for (const c of COMPONENT_SPECS) {
      for (const def of c.roles) {
        const block = defs[`service-${c.name}`]!.properties;
        const heap = (def.settingsKey ? block[def.settingsKey]!.properties.heap : block.heap)!.description!;
        if (def.memory === 'process') {
          assert.equal(def.javaMin, undefined, def.role);
          assert.ok(def.memoryDescription && heap.startsWith(def.memoryDescription), `${def.role}: ${heap}`);
          assert.doesNotMatch(heap, /JVM heap/, def.role);
        } else {
          assert.ok(def.javaMin, `${def.role} has a JVM heap but no javaMin`);
          assert.match(heap, /^JVM heap/, def.role);
        }
      }
    }
  });
});
