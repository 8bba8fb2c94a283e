import { defineService } from '../definition.js';
import { controllerReady, quorumCaughtUpGate, quorumGate } from './probes.js';
import { kafkaFiles, kafkaFormat, kafkaLaunch } from './files.js';
import { controllerRetire, joinControllers } from './quorum.js';

export default defineService({
  role: 'kafka-controller',
  component: 'kafka',
  settingsKey: 'controller',
  title: 'Kafka KRaft controller',
  placement: 'quorum',
  artifacts: ['kafka'],
  count: { what: 'Kafka controller', odd: true, why: 'the KRaft quorum needs an odd number' },
  dependsOn: [],
  ports: [{ name: 'controller', default: 9093, description: 'KRaft controller listener' }],
  dirs: [{ name: 'metadata', default: 'kafka/metadata', description: 'KRaft metadata log', holdsData: true }],
  heapMb: 512,
  extraMemoryMb: 256,
  javaMin: 17,
  runtime: {
    retire: controllerRetire,
    join: joinControllers,
    files: kafkaFiles,
    launch: kafkaLaunch,
    format: kafkaFormat,
    logFile: 'server.log',
    stopGraceSec: 30,
    ready: controllerReady,
    gate: quorumGate,
    rolling: true,
    rollingGate: quorumCaughtUpGate,
  },
});
