import { HADOOP_MAIN } from '../../artifacts/recipes/hadoop.js';
import { defineService } from '../definition.js';
import { HADOOP_LOG_FILE, hadoopEnv, hadoopLaunch } from '../hadoop/common.js';
import { dataNodeRetire } from './decommission.js';
import { hdfsFiles } from './files.js';
import { dataNodeReady, hdfsGate, hdfsRollingGate } from './probes.js';

export default defineService({
  role: 'hdfs-datanode',
  component: 'hdfs',
  settingsKey: 'datanode',
  title: 'HDFS DataNode',
  placement: 'workers',
  artifacts: ['hadoop'],
  count: { what: 'DataNode', atLeast: 1 },
  dependsOn: ['hdfs-namenode'],
  ports: [
    { name: 'data', default: 9866, description: 'block transfer' },
    { name: 'http', default: 9864, description: 'web UI' },
    { name: 'ipc', default: 9867, description: 'IPC' },
  ],
  dirs: [{ name: 'data', default: 'hdfs/data', description: 'blocks (dfs.datanode.data.dir)', holdsData: true }],
  heapMb: 512,
  extraMemoryMb: 256,
  javaMin: 17,
  runtime: {
    files: hdfsFiles,
    env: hadoopEnv,
    launch: (ctx) => hadoopLaunch(ctx, HADOOP_MAIN.datanode),
    logFile: HADOOP_LOG_FILE,
    stopGraceSec: 30,
    ready: dataNodeReady,
    gate: hdfsGate,
    rolling: true,
    rollingGate: hdfsRollingGate,
    retire: dataNodeRetire,
  },
});
