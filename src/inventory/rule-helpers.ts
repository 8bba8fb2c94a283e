import type { Diagnostic } from './diagnostics.js';
import type { InventorySource, PathSeg } from './source.js';
import type { Inventory } from './types.js';

/**
 * Every place `tail` (a setting, or `config`, file, key) of a component can be written: its block under services:,
 * the role blocks named by `roleKeys`, and the same under each host's own services:. Resolve merges them all, so a
 * check of the component-wide value alone misses the ones that win.
 */
export function layerPaths(inv: Inventory, component: string, tail: PathSeg[], roleKeys: string[] = []): PathSeg[][] {
  const bases: PathSeg[][] = [['services', component], ...inv.hosts.map((h): PathSeg[] => ['hosts', h.index, 'services', component])];
  return bases.flatMap((b) => [[...b, ...tail], ...roleKeys.map((k) => [...b, k, ...tail])]);
}

/**
 * A check that a replication setting does not exceed the nodes holding replicas (`what`: DataNode, broker);
 * each call with a value above `limit` adds a located error to `out`.
 */
export function replicationCheck(src: InventorySource, out: Diagnostic[], limit: number, what: string): (where: PathSeg[], value: unknown) => void {
  return (where, value) => {
    const n = Number(value);
    if (value !== undefined && Number.isFinite(n) && n > limit && limit > 0) {
      out.push(
        src.diagnostic(where, `replication ${n} is more than the ${limit} ${what}${limit === 1 ? '' : 's'} in the inventory`, {
          hint: `use at most ${limit}, or add ${what}s`,
        }),
      );
    }
  };
}
