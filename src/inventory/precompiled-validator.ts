import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ValidateFunction } from 'ajv';

// Compiling the composed schema with ajv costs about half a second, paid by every verb at start-up. `npm run build`
// therefore writes the compiled validator as code (ajv's standalone output) beside this file; it is used only while
// its schema's hash matches the schema composed at run time, so a stale or missing file costs time, never
// correctness.

export const PRECOMPILED_FILE = path.join(path.dirname(fileURLToPath(import.meta.url)), 'inventory-validator.cjs');

export function schemaHash(schema: object): string {
  return createHash('sha256').update(JSON.stringify(schema)).digest('hex');
}

type Precompiled = ValidateFunction & { schemaHash?: string };

let loaded: Precompiled | null | undefined;

/** The build's validator when it was compiled from exactly this schema. */
export function precompiledValidator(schema: object): ValidateFunction | undefined {
  if (loaded === undefined) {
    try {
      loaded = existsSync(PRECOMPILED_FILE) ? (createRequire(import.meta.url)(PRECOMPILED_FILE) as Precompiled) : null;
    } catch {
      loaded = null;
    }
  }
  return loaded && loaded.schemaHash === schemaHash(schema) ? loaded : undefined;
}
