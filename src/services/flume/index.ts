import { defineModule } from '../definition.js';
import agent from './agent.js';
import { FLUME_CONF } from './files.js';
import { flumeIngestPaths } from './ingest.js';
import { sourceRules } from './rules.js';
import { FLUME_SETTINGS } from './settings.js';
import { flumeStatus } from './status.js';

/** Apache Flume agents: files, HTTP and syslog into Kafka, each source through a durable file channel. */
export default defineModule({
  name: 'flume',
  roles: [agent],
  configFiles: [FLUME_CONF],
  configDescription: 'free-form overrides merged into flume.conf last (keys as agent.sinks.<source>-kafka.kafka.producer.linger.ms)',
  settings: FLUME_SETTINGS,
  rules: [sourceRules],
  summary: flumeStatus,
  ingestPaths: flumeIngestPaths,
});
