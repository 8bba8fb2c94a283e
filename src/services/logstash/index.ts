import { defineModule } from '../definition.js';
import { LOGSTASH_YML } from './files.js';
import logstash from './logstash.js';
import { pipelineRules } from './rules.js';
import { LOGSTASH_SETTINGS } from './settings.js';
import { logstashStatus } from './status.js';

/** Logstash: pipelines as code (file, tcp, syslog and beats inputs; grok, json, date, mutate filters) into Kafka. */
export default defineModule({
  name: 'logstash',
  roles: [logstash],
  configFiles: [LOGSTASH_YML],
  configDescription: 'free-form overrides merged into logstash.yml last (e.g. queue.max_bytes: 4gb, pipeline.batch.delay: 10)',
  settings: LOGSTASH_SETTINGS,
  rules: [pipelineRules],
  summary: logstashStatus,
});
