import { defineModule } from '../definition.js';
import broker from './broker.js';
import controller from './controller.js';
import { nodeKey } from './endpoints.js';
import { replicationRule, uniqueTopics } from './rules.js';
import { KAFKA_SECTIONS } from './sections.js';
import { kafkaStatus } from './status.js';
import { topicsStep } from './steps.js';

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
    if (mine.length) ids.kafkaNodeIds = { ...ids.kafkaNodeIds, ...(await state.kafkaNodeIds(mine.map(nodeKey))) };
  },
  steps: [topicsStep],
  summary: kafkaStatus,
  initDraft: (count) => {
    const rf = Math.min(3, Math.max(1, count('kafka-broker')));
    return {
      settings: {
        config: {
          'server.properties': {
            'offsets.topic.replication.factor': rf,
            'transaction.state.log.replication.factor': rf,
            'transaction.state.log.min.isr': Math.max(1, rf - 1),
          },
        },
      },
      sections: { topics: [{ name: 'events', partitions: 3, replicationFactor: rf }] },
    };
  },
});
