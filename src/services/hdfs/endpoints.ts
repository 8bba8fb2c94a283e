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

/** The user pyro and what it runs act as on HDFS (simple auth): the NameNode host's SSH user. */
export function hdfsUser(inv: Inventory): string {
  return nameNode(inv).host.ssh.user ?? 'root';
}

/** fs.defaultFS: `hdfs://address:rpc`. */
export function defaultFs(inv: Inventory): string {
  return `hdfs://${endpoint(nameNode(inv), 'rpc')}`;
}

/** The NameNode's web address (WebHDFS, JMX). */
export function nameNodeHttp(inv: Inventory): string {
  return httpBase(nameNode(inv));
}
