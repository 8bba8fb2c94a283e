import { HADOOP_MAIN } from '../../artifacts/recipes/hadoop.js';
import { defineService } from '../definition.js';
import { HADOOP_LOG_FILE, hadoopEnv, hadoopLaunch } from '../hadoop/common.js';
import { nodeManagerRetire, stopContainers } from './decommission.js';
import { yarnFiles } from './files.js';
import { NODEMANAGER_SETTINGS } from './settings.js';
import { nodeManagerReady, yarnGate } from './probes.js';

export default defineService({
  role: 'yarn-nodemanager',
  component: 'yarn',
  settingsKey: 'nodemanager',
  title: 'YARN NodeManager',
  placement: 'workers',
  artifacts: ['hadoop'],
  count: { what: 'NodeManager', atLeast: 1 },
  settings: NODEMANAGER_SETTINGS,
  dependsOn: ['yarn-resourcemanager'],
  ports: [
    { name: 'rpc', default: 8041, description: 'container manager RPC' },
    { name: 'localizer', default: 8040, description: 'localizer RPC' },
    { name: 'http', default: 8042, description: 'web UI' },
  ],
  dirs: [
    { name: 'local', default: 'yarn/local', description: 'container working dirs', holdsData: false },
    { name: 'logs', default: 'yarn/logs', description: 'container logs', holdsData: false },
  ],
  // Containers (Spark executors) live beside the NodeManager: reserve room for at least two.
  heapMb: 512,
  extraMemoryMb: 2048,
  javaMin: 17,
  pythonMin: '3.10',
  runtime: {
    files: yarnFiles,
    env: hadoopEnv,
    launch: (ctx) => hadoopLaunch(ctx, HADOOP_MAIN.nodemanager),
    logFile: HADOOP_LOG_FILE,
    stopGraceSec: 30,
    ready: nodeManagerReady,
    gate: yarnGate,
    // A NodeManager stopping unregisters from the ResourceManager: the gate (every one active) waits for it to be
    // back before the next goes.
    rolling: true,
    retire: nodeManagerRetire,
    afterStop: stopContainers,
    keepChildren: true,
  },
});
