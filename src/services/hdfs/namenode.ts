import { HADOOP_MAIN } from '../../artifacts/recipes/hadoop.js';
import { defineService } from '../definition.js';
import { HADOOP_LOG_FILE, HOSTS_FILES, hadoopEnv, hadoopLaunch, hadoopTool } from '../hadoop/common.js';
import { hdfsFiles } from './files.js';
import { nameNodeReady } from './probes.js';

export default defineService({
  role: 'hdfs-namenode',
  component: 'hdfs',
  settingsKey: 'namenode',
  title: 'HDFS NameNode',
  placement: 'first',
  artifacts: ['hadoop'],
  count: { what: 'NameNode', exactly: 1, why: 'no HA yet' },
  dependsOn: [],
  ports: [
    { name: 'rpc', default: 8020, description: 'fs.defaultFS RPC' },
    { name: 'http', default: 9870, description: 'web UI, WebHDFS and JMX' },
  ],
  dirs: [{ name: 'name', default: 'hdfs/name', description: 'fsimage and edits (dfs.namenode.name.dir)', holdsData: true }],
  heapMb: 1024,
  extraMemoryMb: 256,
  javaMin: 17,
  runtime: {
    files: hdfsFiles,
    env: hadoopEnv,
    launch: (ctx) => hadoopLaunch(ctx, HADOOP_MAIN.namenode),
    // -nonInteractive also makes the tool itself refuse a dir that holds a file system.
    format: (ctx) => ({
      dir: ctx.inst.dirs.name!,
      done: `${ctx.inst.dirs.name}/current/VERSION`,
      argv: hadoopLaunch(ctx, HADOOP_MAIN.namenode, ['-format', '-nonInteractive', '-clusterid', ctx.ids.hdfsClusterId], 256),
    }),
    logFile: HADOOP_LOG_FILE,
    outage: "HDFS (reads, writes, the jobs' checkpoints) is unavailable",
    stopGraceSec: 60,
    ready: nameNodeReady,
    reload: { files: Object.values(HOSTS_FILES), argv: (ctx) => hadoopTool(ctx, HADOOP_MAIN.dfsAdmin, ['-refreshNodes']) },
    retire: { never: 'the NameNode holds the file system metadata and has no standby yet: moving it is not supported' },
  },
});
