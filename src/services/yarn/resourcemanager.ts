import { HADOOP_MAIN } from '../../artifacts/recipes/hadoop.js';
import { defineService } from '../definition.js';
import { HADOOP_LOG_FILE, HOSTS_FILES, hadoopEnv, hadoopLaunch, hadoopTool } from '../hadoop/common.js';
import { yarnFiles } from './files.js';
import { forgetApplications, GRACEFUL_DECOMMISSION_SEC } from './decommission.js';
import { resourceManagerReady } from './probes.js';

export default defineService({
  role: 'yarn-resourcemanager',
  component: 'yarn',
  settingsKey: 'resourcemanager',
  title: 'YARN ResourceManager',
  placement: 'first',
  artifacts: ['hadoop'],
  count: { what: 'ResourceManager', exactly: 1, why: 'no HA yet' },
  dependsOn: ['hdfs-namenode', 'hdfs-datanode'],
  ports: [
    { name: 'rpc', default: 8032, description: 'client RPC' },
    { name: 'scheduler', default: 8030, description: 'scheduler RPC' },
    { name: 'tracker', default: 8031, description: 'resource tracker RPC' },
    { name: 'admin', default: 8033, description: 'admin RPC' },
    { name: 'http', default: 8088, description: 'web UI and REST' },
  ],
  dirs: [],
  heapMb: 1024,
  extraMemoryMb: 256,
  javaMin: 17,
  runtime: {
    files: yarnFiles,
    env: hadoopEnv,
    launch: (ctx) => hadoopLaunch(ctx, HADOOP_MAIN.resourcemanager),
    logFile: HADOOP_LOG_FILE,
    outage: 'YARN accepts no application and allocates no container',
    stopGraceSec: 30,
    ready: resourceManagerReady,
    // Server-side tracking: a NodeManager left DECOMMISSIONING when pyro stops waiting is still drained, then cut off.
    reload: {
      files: Object.values(HOSTS_FILES),
      argv: (ctx) => hadoopTool(ctx, HADOOP_MAIN.rmAdmin, ['-refreshNodes', '-g', String(GRACEFUL_DECOMMISSION_SEC), '-server']),
    },
    afterStop: forgetApplications,
    retire: { never: 'the ResourceManager has no standby yet: moving it is not supported' },
  },
});
