import { BROKER } from '../kafka/endpoints.js';
import { defineService } from '../definition.js';
import { LOGSTASH } from './endpoints.js';
import { LOG_FILE, logstashEnv, logstashFiles, logstashLaunch, logstashPrelude } from './files.js';
import { logstashGate, logstashReady } from './probes.js';
import { inputPorts } from './settings.js';

export default defineService({
  role: LOGSTASH,
  component: 'logstash',
  title: 'Logstash',
  artifacts: ['logstash'],
  dependsOn: [BROKER],
  // The inputs' ports are in its settings (one per network input): see settingPorts.
  ports: [{ name: 'api', default: 9600, description: 'monitoring API (GET /_node/stats/pipelines), on the host address' }],
  dirs: [{ name: 'data', default: 'logstash', description: "path.data: persisted queues, dead letters, file inputs' read positions", holdsData: true }],
  heapMb: 1024,
  extraMemoryMb: 256,
  javaMin: 17,
  settingPorts: inputPorts,
  runtime: {
    files: logstashFiles,
    env: logstashEnv,
    prelude: logstashPrelude,
    launch: logstashLaunch,
    logFile: LOG_FILE,
    // On TERM Logstash stops its inputs and drains what is in flight to Kafka before it exits.
    stopGraceSec: 60,
    ready: logstashReady,
    gate: logstashGate,
  },
});
