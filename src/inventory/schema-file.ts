import path from 'node:path';
import { inventorySchema } from './schema.js';
import type { ComponentSpec } from './types.js';
import { INSTALL_ROOT } from '../util/install-root.js';

/** The repo root. */
export const REPO_ROOT = INSTALL_ROOT;

/** Where the editor-facing JSON Schema lives in the repo. */
export const SCHEMA_FILE = path.join(REPO_ROOT, 'src', 'inventory', 'inventory.schema.json');

/** The JSON Schema of an inventory of these components, as written to SCHEMA_FILE. */
export function schemaJson(components: readonly ComponentSpec[]): string {
  return `${JSON.stringify({ $schema: 'http://json-schema.org/draft-07/schema#', ...inventorySchema(components) }, null, 2)}\n`;
}

/** The `# yaml-language-server: $schema=` line for an inventory written at `inventoryFile`. */
export function schemaComment(inventoryFile: string): string {
  const dir = path.dirname(path.resolve(inventoryFile));
  // Relative inside the repo (portable with a checkout), absolute elsewhere (a relative path out of /tmp is unreadable).
  const inside = !path.relative(REPO_ROOT, dir).startsWith('..');
  const ref = inside ? path.relative(dir, SCHEMA_FILE).split(path.sep).join('/') : SCHEMA_FILE;
  return `# yaml-language-server: $schema=${ref}`;
}
