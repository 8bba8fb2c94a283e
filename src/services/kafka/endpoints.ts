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

/** Static KRaft voters: `id@address:port` of every controller. */
export function quorumVoters(inv: Inventory, ids: ClusterIds): string {
  return inv.instances
    .filter((i) => i.def.role === CONTROLLER)
    .map((c) => `${nodeId(ids, c)}@${endpoint(c, 'controller')}`)
    .join(',');
}
