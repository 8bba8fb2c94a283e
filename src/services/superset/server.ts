import { defineService } from '../definition.js';
import { supersetGate, supersetReady } from './probes.js';
import { SUPERSET_MARKER, SUPERSET_PRIVATE_FILES, supersetEnv, supersetFiles, supersetFormat, supersetLaunch, supersetPrelude } from './files.js';

export default defineService({
  role: 'superset',
  component: 'superset',
  title: 'Apache Superset',
  placement: 'first',
  artifacts: ['superset'],
  dependsOn: ['postgresql'],
  // 8088 is Superset's own default, but YARN's web UI owns it; pyro moves Superset so a single host can run both.
  ports: [{ name: 'http', default: 8090, description: 'web UI and REST API' }],
  dirs: [{ name: 'home', default: 'superset', description: 'SUPERSET_HOME (metadata, uploads)', holdsData: true }],
  heapMb: 1024,
  memory: 'process',
  extraMemoryMb: 0,
  pythonMin: '3.10',
  memoryDescription:
    "memory reserved for Superset's gunicorn workers (not a JVM, and not enforced): pyro check and the sizing of other heaps on the host count it; `workers` sets how many run, about 300 MB each",
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
