import { defineService } from './definition.js';

export default defineService({
  role: 'kafka-controller', component: 'kafka', settingsKey: 'controller', title: 'Kafka KRaft controller',
  artifacts: ['kafka'],
  dependsOn: [],
  ports: [{ name: 'controller', default: 9093, description: 'KRaft controller listener' }],
  dirs: [{ name: 'metadata', default: 'kafka/metadata', description: 'KRaft metadata log', holdsData: true }],
  heapMb: 512, extraMemoryMb: 256, javaMin: 17,
});
