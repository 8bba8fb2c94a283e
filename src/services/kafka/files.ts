import { KAFKA_MAIN } from '../../artifacts/recipes/kafka.js';
import type { ConfigValue } from '../../inventory/types.js';
import { renderProperties } from '../../render/properties.js';
import { endpoint, roleMarker, userConfig, type RuntimeContext } from '../runtime.js';
import { brokerCount, CONTROLLER, dynamicQuorum, initialControllers, nodeId, nodeKey, quorumBootstrap, quorumVoters } from './endpoints.js';

/**
 * Internal topics sized to the brokers there are: with fewer, consumer groups and transactions never work. One
 * replica may be missing from the in-sync set, as it is while a rolling restart has a broker down. `pyro init`
 * writes some of these into the inventory: the same function, so a fresh inventory renders what it would without them.
 */
export function internalTopicDefaults(brokers: number): Record<string, number> {
  const rf = Math.max(1, Math.min(3, brokers));
  const minIsr = Math.max(1, rf - 1);
  return {
    'offsets.topic.replication.factor': rf,
    'transaction.state.log.replication.factor': rf,
    'transaction.state.log.min.isr': minIsr,
    'share.coordinator.state.topic.replication.factor': rf,
    'share.coordinator.state.topic.min.isr': minIsr,
    'default.replication.factor': rf,
  };
}

function serverProperties(ctx: RuntimeContext): Record<string, ConfigValue> {
  const { inv, inst, ids } = ctx;
  const common = {
    'node.id': nodeId(ids, inst),
    ...(dynamicQuorum(ids) ? { 'controller.quorum.bootstrap.servers': quorumBootstrap(inv, ids) } : { 'controller.quorum.voters': quorumVoters(inv, ids) }),
    'controller.listener.names': 'CONTROLLER',
  };
  if (inst.def.role === CONTROLLER) {
    return {
      ...common,
      'process.roles': 'controller',
      listeners: `CONTROLLER://${endpoint(inst, 'controller')}`,
      'listener.security.protocol.map': 'CONTROLLER:PLAINTEXT',
      'log.dirs': inst.dirs.metadata!,
      ...userConfig(inst, 'server.properties'),
    };
  }
  return {
    ...common,
    'process.roles': 'broker',
    listeners: `PLAINTEXT://${endpoint(inst, 'client')}`,
    'advertised.listeners': `PLAINTEXT://${endpoint(inst, 'client')}`,
    'inter.broker.listener.name': 'PLAINTEXT',
    'listener.security.protocol.map': 'CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT',
    'log.dirs': inst.dirs.logs!,
    ...internalTopicDefaults(brokerCount(inv)),
    ...userConfig(inst, 'server.properties'),
  };
}

export function kafkaFiles(ctx: RuntimeContext): Record<string, string> {
  return { 'server.properties': renderProperties(serverProperties(ctx)) };
}

export function kafkaLaunch(ctx: RuntimeContext): string[] {
  const root = ctx.artifactRoot('kafka');
  return [
    ctx.java,
    `-Xms${ctx.heapMb}m`,
    `-Xmx${ctx.heapMb}m`,
    '-XX:+UseG1GC',
    '-XX:MaxGCPauseMillis=20',
    '-Djava.awt.headless=true',
    roleMarker(ctx.inst.def.role),
    `-Dlog4j2.configurationFile=${root}/config/log4j2.yaml`,
    `-Dkafka.logs.dir=${ctx.paths.logs}`,
    '-cp',
    `${root}/libs/*`,
    KAFKA_MAIN.broker,
    `${ctx.paths.conf}/server.properties`,
  ];
}

/** `kafka-storage format` for the instance's log (or metadata) dir, with the cluster's one id. */
export function kafkaFormat(ctx: RuntimeContext): { dir: string; done: string; argv: string[] } {
  const root = ctx.artifactRoot('kafka');
  const dir = ctx.inst.def.role === CONTROLLER ? ctx.inst.dirs.metadata! : ctx.inst.dirs.logs!;
  return {
    dir,
    done: `${dir}/meta.properties`,
    argv: [
      ctx.java,
      '-Xmx256m',
      `-Dlog4j2.configurationFile=${root}/config/tools-log4j2.yaml`,
      '-cp',
      `${root}/libs/*`,
      // `=`: an id may start with '-', which argparse would take for an option.
      KAFKA_MAIN.storage,
      'format',
      `--cluster-id=${ctx.ids.kafkaClusterId}`,
      '-c',
      `${ctx.paths.conf}/server.properties`,
      ...quorumFormatArgs(ctx),
    ],
  };
}

/**
 * A dynamic quorum's controllers: those it is created with all get the same initial voter set (each takes its own
 * directory id from it); a controller added later starts as an observer and joins with add-controller.
 */
function quorumFormatArgs(ctx: RuntimeContext): string[] {
  if (ctx.inst.def.role !== CONTROLLER || !dynamicQuorum(ctx.ids)) return [];
  const key = nodeKey(ctx.inst);
  return ctx.ids.kafkaQuorum!.initial.some((c) => c.key === key) ? [`--initial-controllers=${initialControllers(ctx.ids)}`] : ['--no-initial-controllers'];
}
