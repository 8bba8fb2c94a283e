import { defineModule, defineService } from '../definition.js';

const role = defineService({
  role: 'logstash',
  component: 'logstash',
  title: 'Logstash',
  artifacts: ['logstash'],
  dependsOn: ['kafka-broker'],
  ports: [
    { name: 'api', default: 9600, description: 'monitoring API' },
    { name: 'beats', default: 5044, description: 'beats input' },
  ],
  dirs: [{ name: 'data', default: 'logstash', description: 'path.data (queues, dead letters)', holdsData: true }],
  heapMb: 1024,
  extraMemoryMb: 256,
  javaMin: 17,
});

/** Logstash pipelines into Kafka (not run by this version yet). */
export default defineModule({ name: 'logstash', roles: [role], configFiles: ['logstash.yml'] });
