import type { Testbed } from '../testbed/testbed.js';

/**
 * The three-host layout the stack tests and benches share, sized for a 2-core machine: h1 runs the masters, every
 * host a DataNode, NodeManager, controller and broker; `extraRoles` adds roles per host (e.g. postgresql on h1),
 * `rest` is appended as is (topics, jobs, datasets...).
 */
export function threeHostInventory(
  tb: Testbed,
  cluster: string,
  extraRoles: [string[], string[], string[]] = [[], [], []],
  rest = '',
  /** More lines inside services:, indented by two spaces (e.g. a flume block). */
  services = '',
): string {
  const [h1, h2, h3] = tb.hosts;
  const roles = (base: string[], extra: string[]) => [...base, ...extra].join(', ');
  const worker = ['hdfs-datanode', 'yarn-nodemanager', 'kafka-controller', 'kafka-broker'];
  return `cluster:
  name: ${cluster}
defaults:
  ssh: { user: root, identity: ${tb.identity} }
hosts:
  - { name: h1, address: ${h1!.address}, roles: [${roles(['hdfs-namenode', 'yarn-resourcemanager', ...worker], extraRoles[0])}] }
  - { name: h2, address: ${h2!.address}, roles: [${roles(worker, extraRoles[1])}] }
  - { name: h3, address: ${h3!.address}, roles: [${roles(worker, extraRoles[2])}] }
services:
  hdfs: { namenode: { heap: 384m }, datanode: { heap: 256m } }
  yarn: { resourcemanager: { heap: 384m }, nodemanager: { heap: 256m, memoryMb: 2048, vcores: 2 } }
  kafka: { controller: { heap: 256m }, broker: { heap: 384m } }
${services}topics:
  - { name: events, partitions: 3, replicationFactor: 3 }
${rest}`;
}
