import { defineModule } from '../definition.js';
import broker from './broker.js';
import controller from './controller.js';
import { endpoint } from '../runtime.js';
import { CONTROLLER, nodeKey } from './endpoints.js';
import { internalTopicDefaults } from './files.js';
import { replicationRule, uniqueTopics } from './rules.js';
import { KAFKA_SECTIONS } from './sections.js';
import { kafkaStatus } from './status.js';
import { topicsStep } from './steps.js';
import { finalizeStep, kafkaGuard } from './upgrade.js';

/** Kafka in KRaft mode: controllers (the metadata quorum) and brokers; topics as code. */
export default defineModule({
  name: 'kafka',
  roles: [controller, broker],
  configFiles: ['server.properties'],
  configDescription: 'free-form overrides for the brokers (controllers take services.kafka.controller.config), applied last',
  roleOnlyConfig: ['controller'],
  sections: KAFKA_SECTIONS,
  rules: [replicationRule, uniqueTopics],
  async loadIds(inv, state, ids) {
    const mine = inv.instances.filter((i) => i.def.component === 'kafka');
    if (!mine.length) return;
    // Decided before node ids exist: a state with ids and no quorum record is a cluster formatted static.
    const controllers = mine.filter((i) => i.def.role === CONTROLLER).map((c) => ({ key: nodeKey(c), endpoint: endpoint(c, 'controller') }));
    ids.kafkaQuorum = await state.kafkaQuorum(controllers);
    ids.kafkaNodeIds = { ...ids.kafkaNodeIds, ...(await state.kafkaNodeIds(mine.map(nodeKey))) };
  },
  guard: kafkaGuard,
  steps: [topicsStep, finalizeStep],
  summary: kafkaStatus,
  initDraft: (count) => {
    const d = internalTopicDefaults(count('kafka-broker'));
    const written = ['offsets.topic.replication.factor', 'transaction.state.log.replication.factor', 'transaction.state.log.min.isr'];
    return {
      settings: { config: { 'server.properties': Object.fromEntries(written.map((k) => [k, d[k]!])) } },
      sections: { topics: [{ name: 'events', partitions: 3, replicationFactor: d['default.replication.factor']! }] },
    };
  },
});
