import { defineModule, defineService } from '../definition.js';

const role = defineService({
  role: 'flume',
  component: 'flume',
  title: 'Apache Flume agent',
  placement: 'second',
  artifacts: ['flume'],
  dependsOn: ['kafka-broker'],
  ports: [
    { name: 'source', default: 41414, description: 'agent source (netcat/http/avro)' },
    { name: 'monitoring', default: 34545, description: 'HTTP metrics' },
  ],
  dirs: [{ name: 'channel', default: 'flume', description: 'file channel checkpoint and data', holdsData: true }],
  heapMb: 512,
  extraMemoryMb: 128,
  javaMin: 17,
});

/** Apache Flume agents: ingestion into Kafka (not run by this version yet). */
export default defineModule({ name: 'flume', roles: [role], configFiles: ['flume.properties'] });
