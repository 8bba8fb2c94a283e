import type { ComponentName, ServiceDefinition } from './definition.js';
import hdfsNamenode from './hdfs-namenode.js';
import hdfsDatanode from './hdfs-datanode.js';
import yarnResourcemanager from './yarn-resourcemanager.js';
import yarnNodemanager from './yarn-nodemanager.js';
import kafkaController from './kafka-controller.js';
import kafkaBroker from './kafka-broker.js';
import nifi from './nifi.js';
import flume from './flume.js';
import logstash from './logstash.js';
import sparkHistory from './spark-history.js';
import postgresql from './postgresql.js';
import superset from './superset.js';

/** Every service pyro knows, in declaration order. */
export const SERVICES: readonly ServiceDefinition[] = [
  hdfsNamenode, hdfsDatanode, yarnResourcemanager, yarnNodemanager, kafkaController, kafkaBroker,
  nifi, flume, logstash, sparkHistory, postgresql, superset,
];

export const ROLE_NAMES: readonly string[] = SERVICES.map((s) => s.role);

export const COMPONENTS: readonly ComponentName[] = [
  'hdfs', 'yarn', 'kafka', 'spark', 'nifi', 'flume', 'logstash', 'superset', 'postgresql',
];

/** Config files each component accepts free-form overrides for (`services.<component>.config.<file>`). */
export const CONFIG_FILES: Record<ComponentName, readonly string[]> = {
  hdfs: ['core-site.xml', 'hdfs-site.xml'],
  yarn: ['yarn-site.xml', 'capacity-scheduler.xml', 'mapred-site.xml'],
  kafka: ['server.properties'],
  spark: ['spark-defaults.conf'],
  nifi: ['nifi.properties'],
  flume: ['flume.properties'],
  logstash: ['logstash.yml'],
  superset: ['superset_config.py'],
  postgresql: ['postgresql.conf'],
};

export function serviceByRole(role: string): ServiceDefinition | undefined {
  return SERVICES.find((s) => s.role === role);
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
