import { defineService } from '../definition.js';
import { supersetGate, supersetReady } from './probes.js';
import {
  SUPERSET_MARKER, SUPERSET_PRIVATE_FILES, supersetEnv, supersetFiles, supersetFormat, supersetLaunch, supersetPrelude,
} from './files.js';

export default defineService({
  role: 'superset', component: 'superset', title: 'Apache Superset',
  placement: 'first',
  artifacts: ['superset'],
  dependsOn: ['postgresql'],
  // 8088 is Superset's own default, but YARN's web UI owns it; pyro moves Superset so a single host can run both.
  ports: [{ name: 'http', default: 8090, description: 'web UI and REST API' }],
  dirs: [{ name: 'home', default: 'superset', description: 'SUPERSET_HOME (metadata, uploads)', holdsData: true }],
  // Not a JVM: the memory setting is the budget check and init count with (gunicorn workers take ~300 MB each).
  heapMb: 1024, memory: 'process', extraMemoryMb: 0, pythonMin: '3.10',
  runtime: {
    files: supersetFiles,
    privateFiles: SUPERSET_PRIVATE_FILES,
    env: supersetEnv,
    prelude: supersetPrelude,
    launch: supersetLaunch,
    marker: SUPERSET_MARKER,
    format: supersetFormat,
    logFile: 'superset.out',
    // gunicorn's graceful timeout is 30 s.
    stopGraceSec: 40,
    ready: supersetReady,
    gate: supersetGate,
  },
});
