import { KAFKA_MAIN } from '../artifacts/recipes/kafka.js';
import type { Inventory, ServiceInstance } from '../inventory/types.js';
import type { ConfigValue } from '../render/hadoop-xml.js';
import { renderProperties } from '../render/properties.js';
import type { ClusterIds } from '../state/cluster-state.js';
import { countOf, endpoint, roleMarker, userConfig, type RuntimeContext } from './runtime.js';

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
  return inv.instances.filter((i) => i.def.role === 'kafka-controller').map((c) => `${nodeId(ids, c)}@${endpoint(c, 'controller')}`).join(',');
}

export function bootstrapServers(inv: Inventory): string[] {
  return inv.instances.filter((i) => i.def.role === 'kafka-broker').map((b) => endpoint(b, 'client'));
}

function serverProperties(ctx: RuntimeContext): Record<string, ConfigValue> {
  const { inv, inst, ids } = ctx;
  const common = {
    'node.id': nodeId(ids, inst),
    'controller.quorum.voters': quorumVoters(inv, ids),
    'controller.listener.names': 'CONTROLLER',
  };
  if (inst.def.role === 'kafka-controller') {
    return {
      ...common,
      'process.roles': 'controller',
      listeners: `CONTROLLER://${endpoint(inst, 'controller')}`,
      'listener.security.protocol.map': 'CONTROLLER:PLAINTEXT',
      'log.dirs': inst.dirs.metadata!,
      ...userConfig(inv, inst, 'server.properties', { roleOnly: true }),
    };
  }
  const brokers = countOf(inv, 'kafka-broker');
  const rf = Math.min(3, brokers);
  return {
    ...common,
    'process.roles': 'broker',
    listeners: `PLAINTEXT://${endpoint(inst, 'client')}`,
    'advertised.listeners': `PLAINTEXT://${endpoint(inst, 'client')}`,
    'inter.broker.listener.name': 'PLAINTEXT',
    'listener.security.protocol.map': 'CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT',
    'log.dirs': inst.dirs.logs!,
    // Internal topics sized to the brokers there are: with fewer, consumer groups and transactions never work.
    'offsets.topic.replication.factor': rf,
    'transaction.state.log.replication.factor': rf,
    'transaction.state.log.min.isr': Math.min(2, rf),
    'share.coordinator.state.topic.replication.factor': rf,
    'share.coordinator.state.topic.min.isr': Math.min(2, rf),
    'default.replication.factor': rf,
    ...userConfig(inv, inst, 'server.properties'),
  };
}

export function kafkaFiles(ctx: RuntimeContext): Record<string, string> {
  return { 'server.properties': renderProperties(serverProperties(ctx)) };
}

export function kafkaLaunch(ctx: RuntimeContext): string[] {
  const root = ctx.artifactRoot('kafka');
  return [
    ctx.java, `-Xms${ctx.heapMb}m`, `-Xmx${ctx.heapMb}m`, '-XX:+UseG1GC', '-XX:MaxGCPauseMillis=20', '-Djava.awt.headless=true',
    roleMarker(ctx.inst.def.role), `-Dlog4j2.configurationFile=${root}/config/log4j2.yaml`, `-Dkafka.logs.dir=${ctx.paths.logs}`,
    '-cp', `${root}/libs/*`, KAFKA_MAIN.broker, `${ctx.paths.conf}/server.properties`,
  ];
}

/** `kafka-storage format` for the instance's log (or metadata) dir, with the cluster's one id. */
export function kafkaFormat(ctx: RuntimeContext): { dir: string; done: string; argv: string[] } {
  const root = ctx.artifactRoot('kafka');
  const dir = ctx.inst.def.role === 'kafka-controller' ? ctx.inst.dirs.metadata! : ctx.inst.dirs.logs!;
  return {
    dir,
    done: `${dir}/meta.properties`,
    argv: [
      ctx.java, '-Xmx256m', `-Dlog4j2.configurationFile=${root}/config/tools-log4j2.yaml`, '-cp', `${root}/libs/*`,
      // `=`: an id may start with '-', which argparse would take for an option.
      KAFKA_MAIN.storage, 'format', `--cluster-id=${ctx.ids.kafkaClusterId}`, '-c', `${ctx.paths.conf}/server.properties`,
    ],
  };
}
