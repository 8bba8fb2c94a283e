import { loadInventoryWith, type LoadedInventory } from '../inventory/load.js';
import type { ServiceInstance } from '../inventory/types.js';
import type { ServiceDefinition, ServiceModule } from './definition.js';
import hdfs from './hdfs/index.js';
import yarn from './yarn/index.js';
import kafka from './kafka/index.js';
import nifi from './nifi/index.js';
import flume from './flume/index.js';
import logstash from './logstash/index.js';
import spark from './spark/index.js';
import lake from './lake/index.js';
import sparkSql from './spark-sql/index.js';
import postgresql from './postgresql/index.js';
import superset from './superset/index.js';

/** Every service pyro knows, one folder each, in declaration order (roles, steps and status lines follow it). */
export const MODULES: readonly ServiceModule[] = [hdfs, yarn, kafka, nifi, flume, logstash, spark, lake, postgresql, sparkSql, superset];

/** What the inventory validates and resolves against: the same objects, seen through the inventory's contract. */
export const COMPONENT_SPECS: readonly ServiceModule[] = MODULES;

/** Every role, in declaration order. */
export const SERVICES: readonly ServiceDefinition[] = MODULES.flatMap((m) => m.roles);

export const ROLE_NAMES: readonly string[] = SERVICES.map((s) => s.role);

/** Reads, checks and resolves an inventory against the catalogue (see inventory/load.ts). */
export function loadInventory(file: string): Promise<LoadedInventory> {
  return loadInventoryWith(file, COMPONENT_SPECS);
}

export function serviceByRole(role: string): ServiceDefinition | undefined {
  return SERVICES.find((s) => s.role === role);
}

/** The full definition (runtime included) of an instance's role. */
export function serviceOf(inst: ServiceInstance): ServiceDefinition {
  const d = serviceByRole(inst.def.role);
  if (!d) throw new Error(`unknown role ${inst.def.role}`);
  return d;
}

export function moduleByName(name: string): ServiceModule | undefined {
  return MODULES.find((m) => m.name === name);
}

/** Roles in start order: a topological sort of dependsOn, stable in declaration order. */
export function startOrder(roles: readonly string[] = ROLE_NAMES): ServiceDefinition[] {
  const wanted = new Set(roles);
  const done = new Set<string>();
  const out: ServiceDefinition[] = [];
  const visit = (def: ServiceDefinition, stack: string[]): void => {
    if (done.has(def.role)) return;
    if (stack.includes(def.role)) throw new Error(`service dependency cycle: ${[...stack, def.role].join(' -> ')}`);
    for (const dep of def.dependsOn) {
      const d = serviceByRole(dep);
      if (d && wanted.has(dep)) visit(d, [...stack, def.role]);
    }
    done.add(def.role);
    out.push(def);
  };
  for (const def of SERVICES) if (wanted.has(def.role)) visit(def, []);
  return out;
}
