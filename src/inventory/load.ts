import path from 'node:path';
import { InventoryError, type Diagnostic } from './diagnostics.js';
import { resolveInventory } from './resolve.js';
import { checkRules } from './rules.js';
import type { RawInventory } from './schema.js';
import { readInventorySource } from './source.js';
import type { ComponentSpec } from './types.js';
import type { Inventory } from './types.js';
import { validateSchema } from './validate-schema.js';

export interface LoadedInventory {
  inventory: Inventory;
  /** Warnings found (errors throw). */
  warnings: Diagnostic[];
}

/** Default inventory path: $PYRO_INVENTORY, else inventories/local.yaml. */
export function defaultInventoryPath(): string {
  return process.env.PYRO_INVENTORY || path.join('inventories', 'local.yaml');
}

/**
 * Reads, schema-checks and rule-checks an inventory of these components (the services catalogue hands them in).
 * Throws InventoryError with every error found (located by file:line:col) when it is invalid; never contacts a host.
 */
export async function loadInventoryWith(file: string, components: readonly ComponentSpec[]): Promise<LoadedInventory> {
  const src = await readInventorySource(file);
  const data = src.data;
  const schemaErrors = validateSchema(src, data, components);
  if (schemaErrors.length) throw new InventoryError(file, sortDiagnostics(schemaErrors));
  const inventory = resolveInventory(file, data as RawInventory, components);
  const found = sortDiagnostics(checkRules(inventory, src));
  if (found.some((d) => d.severity === 'error')) throw new InventoryError(file, found);
  return { inventory, warnings: found };
}

function sortDiagnostics(list: Diagnostic[]): Diagnostic[] {
  return [...list].sort((a, b) => a.line - b.line || a.col - b.col);
}
