import { strict as assert } from 'node:assert';
import { Ajv } from 'ajv';
import { precompiledValidator } from '../../../src/inventory/precompiled-validator.js';
import { inventorySchema } from '../../../src/inventory/schema.js';
import { AJV_OPTIONS } from '../../../src/inventory/validate-schema.js';
import { COMPONENT_SPECS } from '../../../src/services/catalog.js';

describe('the validator compiled at build time', () => {
  const { $id: _id, ...schema } = inventorySchema(COMPONENT_SPECS);

  it('is there after npm run build, and only for the schema it was compiled from', () => {
    assert.ok(precompiledValidator(schema), 'npm run build writes dist/src/inventory/inventory-validator.cjs');
    assert.equal(precompiledValidator({ ...schema, title: 'another' }), undefined);
  });

  it('reports the same errors as ajv compiling the schema at run time', () => {
    const doc = {
      cluster: { name: 'x' },
      hosts: [{ name: 'a', address: '10.0.0.1', roles: ['kafka-brokr', 'hdfs-namenode'], services: { hdfs: { replication: 0 } } }],
      services: { kafka: { broker: { heap: 'lots' } }, yarn: { nodemanager: { vcores: 'two' } } },
      topics: [{ name: 'e', partitions: -1 }],
    };
    const pre = precompiledValidator(schema)!;
    const now = new Ajv(AJV_OPTIONS).compile(schema);
    assert.equal(pre(doc), false);
    assert.equal(now(doc), false);
    const shape = (errs: typeof now.errors) =>
      (errs ?? []).map((e) => [e.instancePath, e.keyword, JSON.stringify(e.params), (e.parentSchema as { description?: string } | undefined)?.description]);
    assert.deepEqual(shape(pre.errors), shape(now.errors));
    assert.ok(pre.errors!.length >= 4, JSON.stringify(shape(pre.errors)));
  });
});
