import type { Diagnostic } from './diagnostics.js';
import type { InventorySource, PathSeg } from './source.js';

/**
 * A check that a replication setting does not exceed the nodes holding replicas (`what`: DataNode, broker);
 * each call with a value above `limit` adds a located error to `out`.
 */
export function replicationCheck(src: InventorySource, out: Diagnostic[], limit: number, what: string): (where: PathSeg[], value: unknown) => void {
  return (where, value) => {
    const n = Number(value);
    if (value !== undefined && Number.isFinite(n) && n > limit && limit > 0) {
      out.push(src.diagnostic(where, `replication ${n} is more than the ${limit} ${what}${limit === 1 ? '' : 's'} in the inventory`, {
        hint: `use at most ${limit}, or add ${what}s`,
      }));
    }
  };
}
