import { resolveInventory } from '../inventory/resolve.js';
import type { RawInventory } from '../inventory/schema.js';
import type { HostSpec, Inventory, ServiceInstance } from '../inventory/types.js';
import { COMPONENT_SPECS, serviceOf, startOrder } from '../services/catalog.js';
import { artifactRootFor, javaFor, type DrainContext } from '../services/runtime.js';
import type { ClusterState } from '../state/cluster-state.js';
import { PyroError } from '../util/errors.js';
import { managedInstances } from './desired.js';
import { hostOf, note, type Session } from './session.js';

/** The key of an instance in the cluster state's applied map. */
export const instanceKey = (i: ServiceInstance) => `${i.host.name}/${i.def.role}`;

/** Instances pyro started that the inventory no longer names, as the last inventory applied describes them. */
export interface Leaving {
  instances: ServiceInstance[];
  /** Their hosts, for those the inventory no longer names at all. */
  hosts: HostSpec[];
}

/**
 * What leaves the cluster in this run: every instance pyro applied (the cluster state's record) that the inventory
 * no longer names. They are found in the copy of the last inventory applied, which says how to reach and stop them.
 */
export async function findLeaving(inv: Inventory, state: ClusterState): Promise<Leaving> {
  const named = new Set(managedInstances(inv).map(instanceKey));
  const gone = Object.keys(await state.applied()).filter((k) => !named.has(k));
  if (!gone.length) return { instances: [], hosts: [] };
  const saved = await state.appliedInventory();
  const back = `put ${gone.length === 1 ? 'it' : 'them'} back in ${inv.file} and run \`pyro up\` once (pyro then keeps a copy of the inventory it applied), then remove ${gone.length === 1 ? 'it' : 'them'} again`;
  if (!saved)
    throw new PyroError(
      'LEAVING_UNKNOWN',
      `${gone.join(', ')} ${gone.length === 1 ? 'was' : 'were'} started by pyro but ${inv.file} no longer names ${gone.length === 1 ? 'it' : 'them'}, and the cluster state keeps no inventory that does (it was made by an older pyro)`,
      { hint: back },
    );
  let old: Inventory;
  try {
    old = resolveInventory(saved.file, saved.raw as RawInventory, COMPONENT_SPECS);
  } catch (e) {
    throw new PyroError('LEAVING_UNKNOWN', `the copy of the last inventory applied (${state.appliedInventoryFile}) cannot be read: ${(e as Error).message}`, {
      hint: back,
    });
  }
  const instances = managedInstances(old).filter((i) => gone.includes(instanceKey(i)));
  const missing = gone.filter((k) => !instances.some((i) => instanceKey(i) === k));
  if (missing.length)
    throw new PyroError(
      'LEAVING_UNKNOWN',
      `${missing.join(', ')}: started by pyro, but neither ${inv.file} nor the last inventory applied names ${missing.length === 1 ? 'it' : 'them'}`,
      {
        hint: back,
      },
    );
  const hosts = [...new Map(instances.filter((i) => !inv.hosts.some((h) => h.name === i.host.name)).map((i) => [i.host.name, i.host])).values()];
  return { instances, hosts };
}

/** The leaving instances by role, the last to start first (ingestion before brokers, brokers before controllers). */
export function leavingByRole(leaving: readonly ServiceInstance[]): { role: string; instances: ServiceInstance[] }[] {
  const roles = startOrder([...new Set(leaving.map((i) => i.def.role))])
    .map((d) => d.role)
    .reverse();
  return roles.map((role) => ({ role, instances: leaving.filter((i) => i.def.role === role) }));
}

const listed = (xs: readonly ServiceInstance[]) => xs.map((i) => `${i.def.role} on ${i.host.name}`).join(', ');

/**
 * Refuses what cannot leave: anything without `--decommission`, a role that cannot move, and a drain the staying
 * instances could not absorb (fewer than the replication factor). Reads the cluster; changes nothing.
 */
export async function checkLeaving(
  inv: Inventory,
  leaving: readonly ServiceInstance[],
  o: { decommission: boolean; ctx: Omit<DrainContext, 'exec' | 'log' | 'timeoutSec'> },
) {
  if (!leaving.length) return;
  for (const { instances } of leavingByRole(leaving)) {
    const never = serviceOf(instances[0]!).runtime?.retire?.never;
    if (never)
      throw new PyroError('DECOMMISSION_REFUSED', `${listed(instances)}: no longer in ${inv.file}, but it cannot leave the cluster: ${never}`, {
        hint: `put it back in ${inv.file}; nothing was changed`,
      });
  }
  if (!o.decommission)
    throw new PyroError('DECOMMISSION_REQUIRED', `${listed(leaving)}: no longer in ${inv.file}; pyro does not stop them without draining them first`, {
      hint: '`pyro up --decommission` moves their data and work to the other hosts, then stops them (`--dry-run` shows the plan); or put them back in the inventory',
    });
  for (const { instances } of leavingByRole(leaving)) {
    const why = await serviceOf(instances[0]!).runtime?.retire?.refuse?.(instances, o.ctx);
    if (why)
      throw new PyroError('DECOMMISSION_REFUSED', `cannot decommission ${listed(instances)}: ${typeof why === 'string' ? why : why.reason}`, {
        hint:
          typeof why === 'string'
            ? `add hosts with the same roles to ${inv.file} first (\`pyro up\`), or lower the replication; nothing was changed`
            : why.hint,
      });
  }
}

/** What the services' drains get from this run: the staying instances, logging, and commands on the hosts. */
export function drainContext(s: Session, timeoutSec: number): DrainContext {
  return {
    inv: s.inv,
    ids: s.ids,
    secrets: s.secrets,
    staying: managedInstances(s.inv),
    signal: s.signal,
    timeoutSec,
    log: (line) => note(s, `   ${line}`),
    exec: async (inst, sh, t = 120) => {
      const r = await hostOf(s, inst.host.name).exec('sh -s', { stdin: sh, timeoutMs: t * 1000, signal: s.signal });
      return { exitCode: r.exitCode ?? 1, stdout: r.stdout, stderr: r.stderr };
    },
    toolEnv: (inst, component) => ({ root: artifactRootFor(s.inv, inst.host)(component), java: javaFor(inst.host, inst.def.javaMin) }),
  };
}
