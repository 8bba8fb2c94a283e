import { BROKER } from '../kafka/endpoints.js';
import { defineService } from '../definition.js';
import { FLUME } from './endpoints.js';
import { flumeFiles, flumeLaunch } from './files.js';
import { flumePreStart } from './prestart.js';
import { flumeGate, flumeReady } from './probes.js';
import { sourcePorts } from './settings.js';

export default defineService({
  role: FLUME,
  component: 'flume',
  title: 'Apache Flume agent',
  placement: 'second',
  artifacts: ['flume'],
  dependsOn: [BROKER],
  // The sources' ports are in its settings (one per network source): see settingPorts.
  ports: [{ name: 'monitoring', default: 34545, description: 'HTTP metrics (GET /metrics), on every interface' }],
  dirs: [{ name: 'data', default: 'flume', description: "file channels' checkpoints and data, taildir positions", holdsData: true }],
  heapMb: 512,
  extraMemoryMb: 128,
  javaMin: 17,
  settingPorts: sourcePorts,
  runtime: {
    files: flumeFiles,
    launch: flumeLaunch,
    preStart: flumePreStart,
    logFile: 'flume.log',
    // The file channels checkpoint on a clean stop; a kill loses nothing, but the next start replays their logs.
    stopGraceSec: 60,
    ready: flumeReady,
    gate: flumeGate,
  },
});
