import type { Inventory, ServiceInstance } from '../../inventory/types.js';
import { countOf, endpoint, httpBase, theOne } from '../runtime.js';

// How other services and verbs reach HDFS: the only place outside this folder's definitions that names its roles.

export const NAMENODE = 'hdfs-namenode';
export const DATANODE = 'hdfs-datanode';

export function nameNode(inv: Inventory): ServiceInstance {
  return theOne(inv, NAMENODE);
}

export function hasHdfs(inv: Inventory): boolean {
  return inv.instances.some((i) => i.def.role === NAMENODE);
}

export function dataNodeCount(inv: Inventory): number {
  return countOf(inv, DATANODE);
}

/** fs.defaultFS: `hdfs://address:rpc`. */
export function defaultFs(inv: Inventory): string {
  return `hdfs://${endpoint(nameNode(inv), 'rpc')}`;
}

/** The NameNode's web address (WebHDFS, JMX). */
export function nameNodeHttp(inv: Inventory): string {
  return httpBase(nameNode(inv));
}
