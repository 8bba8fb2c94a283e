import { defineService } from './definition.js';

export default defineService({
  role: 'hdfs-datanode', component: 'hdfs', settingsKey: 'datanode', title: 'HDFS DataNode',
  artifacts: ['hadoop'],
  dependsOn: ['hdfs-namenode'],
  ports: [
    { name: 'data', default: 9866, description: 'block transfer' },
    { name: 'http', default: 9864, description: 'web UI' },
    { name: 'ipc', default: 9867, description: 'IPC' },
  ],
  dirs: [{ name: 'data', default: 'hdfs/data', description: 'blocks (dfs.datanode.data.dir)', holdsData: true }],
  heapMb: 512, extraMemoryMb: 256, javaMin: 17,
});
