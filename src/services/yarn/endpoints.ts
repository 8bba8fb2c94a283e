import type { Inventory, ServiceInstance } from '../../inventory/types.js';
import { countOf, httpBase, theOne } from '../runtime.js';

// How other services and verbs reach YARN.

export const RESOURCEMANAGER = 'yarn-resourcemanager';
export const NODEMANAGER = 'yarn-nodemanager';

export function resourceManager(inv: Inventory): ServiceInstance {
  return theOne(inv, RESOURCEMANAGER);
}

export function hasYarn(inv: Inventory): boolean {
  return inv.instances.some((i) => i.def.role === RESOURCEMANAGER);
}

/** Whether NodeManagers exist to run containers (jobs need them). */
export function canRunContainers(roles: readonly string[]): boolean {
  return roles.includes(NODEMANAGER);
}

export function nodeManagerCount(inv: Inventory): number {
  return countOf(inv, NODEMANAGER);
}

/** The ResourceManager's REST base, by the inventory's address. */
export function resourceManagerHttp(inv: Inventory): string {
  return httpBase(resourceManager(inv));
}
