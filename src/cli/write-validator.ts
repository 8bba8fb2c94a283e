import { Ajv } from 'ajv';
import standalone from 'ajv/dist/standalone/index.js';
import { PRECOMPILED_FILE, schemaHash } from '../inventory/precompiled-validator.js';
import { inventorySchema } from '../inventory/schema.js';
import { AJV_OPTIONS } from '../inventory/validate-schema.js';
import { COMPONENT_SPECS } from '../services/catalog.js';
import { writeFileAtomic } from '../util/atomic-write.js';

// Run by `npm run build`: the inventory validator compiled ahead of time (see inventory/precompiled-validator.ts).
const { $id: _id, ...schema } = inventorySchema(COMPONENT_SPECS);
const ajv = new Ajv({ ...AJV_OPTIONS, code: { source: true } });
// A CommonJS module: its function is the default export's `default`.
const code = standalone.default(ajv, ajv.compile(schema));
await writeFileAtomic(PRECOMPILED_FILE, `${code}\nmodule.exports.schemaHash = ${JSON.stringify(schemaHash(schema))};\n`);
