import { defineService } from './definition.js';

export default defineService({
  role: 'hdfs-namenode', component: 'hdfs', settingsKey: 'namenode', title: 'HDFS NameNode',
  artifacts: ['hadoop'],
  dependsOn: [],
  ports: [
    { name: 'rpc', default: 8020, description: 'fs.defaultFS RPC' },
    { name: 'http', default: 9870, description: 'web UI, WebHDFS and JMX' },
  ],
  dirs: [{ name: 'name', default: 'hdfs/name', description: 'fsimage and edits (dfs.namenode.name.dir)', holdsData: true }],
  heapMb: 1024, extraMemoryMb: 256, javaMin: 17,
});
