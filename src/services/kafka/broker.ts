import { defineService } from '../definition.js';
import { brokerRetire } from './drain.js';
import { brokerReady, brokersGate } from './probes.js';
import { kafkaFiles, kafkaFormat, kafkaLaunch } from './files.js';

export default defineService({
  role: 'kafka-broker',
  component: 'kafka',
  settingsKey: 'broker',
  title: 'Kafka broker',
  placement: 'workers',
  artifacts: ['kafka'],
  count: { what: 'Kafka broker', atLeast: 1 },
  dependsOn: ['kafka-controller'],
  ports: [{ name: 'client', default: 9092, description: 'client and inter-broker listener' }],
  dirs: [{ name: 'logs', default: 'kafka/logs', description: 'partition logs (log.dirs)', holdsData: true }],
  heapMb: 1024,
  extraMemoryMb: 512,
  javaMin: 17,
  runtime: {
    files: kafkaFiles,
    launch: kafkaLaunch,
    format: kafkaFormat,
    logFile: 'server.log',
    // Controlled shutdown moves leadership away first; on a big broker that takes a while.
    stopGraceSec: 120,
    ready: brokerReady,
    gate: brokersGate,
    rolling: true,
    retire: brokerRetire,
  },
});
