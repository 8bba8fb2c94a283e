import { writeFileSync } from 'node:fs';
import { SCHEMA_FILE, schemaJson } from './schema-file.js';

// `npm run schema`: regenerates the editor-facing schema from the TypeBox definition.
writeFileSync(SCHEMA_FILE, schemaJson());
console.log(`wrote ${SCHEMA_FILE}`);
