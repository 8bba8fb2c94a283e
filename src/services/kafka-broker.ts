import { defineService } from './definition.js';

export default defineService({
  role: 'kafka-broker', component: 'kafka', settingsKey: 'broker', title: 'Kafka broker',
  artifacts: ['kafka'],
  dependsOn: ['kafka-controller'],
  ports: [{ name: 'client', default: 9092, description: 'client and inter-broker listener' }],
  dirs: [{ name: 'logs', default: 'kafka/logs', description: 'partition logs (log.dirs)', holdsData: true }],
  heapMb: 1024, extraMemoryMb: 512, javaMin: 17,
});
