import type { Inventory, ServiceInstance } from '../../inventory/types.js';
import type { ClusterIds } from '../../state/cluster-state.js';
import { countOf, endpoint } from '../runtime.js';

// How other services and verbs reach Kafka, and the node ids the cluster state keeps for it.

export const CONTROLLER = 'kafka-controller';
export const BROKER = 'kafka-broker';

export function brokers(inv: Inventory): ServiceInstance[] {
  return inv.instances.filter((i) => i.def.role === BROKER);
}

export function brokerCount(inv: Inventory): number {
  return countOf(inv, BROKER);
}

export function bootstrapServers(inv: Inventory): string[] {
  return brokers(inv).map((b) => endpoint(b, 'client'));
}

/** The key of an instance in the cluster state's node-id map. */
export function nodeKey(inst: ServiceInstance): string {
  return `${inst.host.name}/${inst.def.role}`;
}

export function nodeId(ids: ClusterIds, inst: ServiceInstance): number {
  const id = ids.kafkaNodeIds[nodeKey(inst)];
  if (id === undefined) throw new Error(`no Kafka node id for ${nodeKey(inst)} in the cluster state`);
  return id;
}

export function controllers(inv: Inventory): ServiceInstance[] {
  return inv.instances.filter((i) => i.def.role === CONTROLLER);
}

/** Whether the cluster's quorum is dynamic (KIP-853); clusters formatted before pyro did that are static. */
export function dynamicQuorum(ids: ClusterIds): boolean {
  return ids.kafkaQuorum?.mode === 'dynamic';
}

/**
 * Where nodes of a dynamic quorum find it: the controllers it was formatted with, as long as one of them is still in
 * the inventory (a removed one's stale entry is skipped by clients, and keeping the list keeps every node's
 * config, so adding or removing a controller restarts nothing else); else the inventory's controllers.
 */
export function quorumBootstrap(inv: Inventory, ids: ClusterIds): string {
  const current = controllers(inv);
  const initial = ids.kafkaQuorum?.initial ?? [];
  const kept = initial.some((c) => current.some((i) => nodeKey(i) === c.key));
  return (kept ? initial.map((c) => c.endpoint) : current.map((c) => endpoint(c, 'controller'))).join(',');
}

/** `id@address:port:directoryId` of the initial controllers, for `kafka-storage format --initial-controllers`. */
export function initialControllers(ids: ClusterIds): string {
  const q = ids.kafkaQuorum!;
  return q.initial
    .map((c) => {
      const id = ids.kafkaNodeIds[c.key];
      const dir = q.directoryIds[c.key];
      if (id === undefined || !dir) throw new Error(`no Kafka node or directory id for ${c.key} in the cluster state`);
      return `${id}@${c.endpoint}:${dir}`;
    })
    .join(',');
}

/** Static KRaft voters: `id@address:port` of every controller. */
export function quorumVoters(inv: Inventory, ids: ClusterIds): string {
  return inv.instances
    .filter((i) => i.def.role === CONTROLLER)
    .map((c) => `${nodeId(ids, c)}@${endpoint(c, 'controller')}`)
    .join(',');
}
