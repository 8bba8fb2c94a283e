import { defineModule, defineService } from '../definition.js';

const role = defineService({
  role: 'nifi',
  component: 'nifi',
  title: 'Apache NiFi',
  artifacts: ['nifi'],
  dependsOn: ['kafka-broker'],
  ports: [{ name: 'https', default: 8443, description: 'web UI and REST API (HTTPS)' }],
  dirs: [{ name: 'repositories', default: 'nifi', description: 'flowfile, content and provenance repositories', holdsData: true }],
  heapMb: 1536,
  extraMemoryMb: 512,
  javaMin: 21,
  // NiFi's distribution and its unpacked NARs are about 2 GiB.
  installDiskMb: 2048,
});

/** Apache NiFi: flows as code (not run by this version yet). */
export default defineModule({ name: 'nifi', roles: [role], configFiles: ['nifi.properties'] });
