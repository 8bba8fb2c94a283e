import { writeFileSync } from 'node:fs';
import { SCHEMA_FILE, schemaJson } from '../inventory/schema-file.js';
import { COMPONENT_SPECS } from '../services/catalog.js';

// `npm run schema`: regenerates the editor-facing schema from the catalogue's components.
writeFileSync(SCHEMA_FILE, schemaJson(COMPONENT_SPECS));
console.log(`wrote ${SCHEMA_FILE}`);
