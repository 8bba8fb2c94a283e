import type { Inventory } from '../../inventory/types.js';
import { formatDiagnostic, InventoryError } from '../../inventory/diagnostics.js';
import { loadInventory } from '../../services/catalog.js';
import { ExitCode, ExitError, InputError } from '../../util/errors.js';
import type { RunContext } from '../context.js';

export interface ValidateOptions {
  inventory: string;
  json?: boolean;
}

/** `pyro validate`: checks an inventory without contacting any host. */
export async function validateCommand(opts: ValidateOptions, ctx: RunContext): Promise<void> {
  try {
    const { inventory, warnings } = await loadInventory(opts.inventory);
    if (opts.json) {
      ctx.out.data({
        valid: true,
        file: opts.inventory,
        cluster: inventory.clusterName,
        hosts: inventory.hosts.map((h) => ({ name: h.name, address: h.address, connection: h.connection, roles: h.roles })),
        warnings,
      });
      return;
    }
    for (const w of warnings) ctx.out.diagnostic(formatDiagnostic(w), 'warning');
    const roles = new Set(inventory.instances.map((i) => i.def.role));
    ctx.out.info(
      `${opts.inventory}: valid. Cluster ${inventory.clusterName}: ${inventory.hosts.length} host${inventory.hosts.length === 1 ? '' : 's'}, ` +
        `${inventory.instances.length} service instances (${roles.size} roles)` +
        sectionCounts(inventory)
          .map((c) => `, ${c}`)
          .join('') +
        '.',
    );
  } catch (err) {
    if (opts.json && err instanceof InventoryError) {
      ctx.out.data({ valid: false, file: opts.inventory, errors: err.diagnostics });
      throw new ExitError(ExitCode.invalidInput);
    }
    if (opts.json && err instanceof InputError) {
      ctx.out.data({ valid: false, file: opts.inventory, errors: [{ severity: 'error', file: opts.inventory, message: err.message, hint: err.hint }] });
      throw new ExitError(ExitCode.invalidInput);
    }
    throw err;
  }
}

// Section keys that are not plural nouns.
const NOUNS: Record<string, string> = { lake: 'lake tables' };

/** `3 topics`, `1 job`...: the size of each section the services own that the inventory declares. */
function sectionCounts(inv: Inventory): string[] {
  return Object.entries(inv.sections)
    .filter(([, v]) => Array.isArray(v))
    .map(([k, v]) => {
      const n = (v as unknown[]).length;
      const noun = NOUNS[k] ?? k;
      return `${n} ${n === 1 ? noun.replace(/s$/, '') : noun}`;
    });
}
