import { BROKER } from '../kafka/endpoints.js';
import { defineService } from '../definition.js';
import { NIFI } from './endpoints.js';
import { NIFI_PRIVATE_FILES, nifiFiles, nifiLaunch, nifiPrelude } from './files.js';
import { nifiGate, nifiReady } from './probes.js';
import { flowPorts } from './settings.js';

export default defineService({
  role: NIFI,
  component: 'nifi',
  title: 'Apache NiFi',
  artifacts: ['nifi'],
  dependsOn: [BROKER],
  ports: [
    { name: 'https', default: 8443, description: 'web UI and REST API (HTTPS, client certificates), on the host address' },
    { name: 'management', default: 52020, description: 'management server (plain HTTP /health), on loopback only' },
  ],
  dirs: [
    {
      name: 'repositories',
      default: 'nifi',
      description: 'the flow, users and policies, flowfile, content and provenance repositories, unpacked NARs',
      holdsData: true,
    },
  ],
  heapMb: 1536,
  extraMemoryMb: 512,
  javaMin: 21,
  // NiFi's distribution and its unpacked NARs are about 2 GiB.
  installDiskMb: 2048,
  settingPorts: flowPorts,
  runtime: {
    files: nifiFiles,
    privateFiles: NIFI_PRIVATE_FILES,
    launch: nifiLaunch,
    prelude: nifiPrelude,
    logFile: 'nifi-app.log',
    // nifi.flowcontroller.graceful.shutdown.period is 10 s; the repositories checkpoint after it.
    stopGraceSec: 60,
    ready: nifiReady,
    gate: nifiGate,
  },
});
