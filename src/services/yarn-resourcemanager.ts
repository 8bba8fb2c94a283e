import { defineService } from './definition.js';

export default defineService({
  role: 'yarn-resourcemanager', component: 'yarn', settingsKey: 'resourcemanager', title: 'YARN ResourceManager',
  artifacts: ['hadoop'],
  dependsOn: ['hdfs-namenode', 'hdfs-datanode'],
  ports: [
    { name: 'rpc', default: 8032, description: 'client RPC' },
    { name: 'scheduler', default: 8030, description: 'scheduler RPC' },
    { name: 'tracker', default: 8031, description: 'resource tracker RPC' },
    { name: 'admin', default: 8033, description: 'admin RPC' },
    { name: 'http', default: 8088, description: 'web UI and REST' },
  ],
  dirs: [],
  heapMb: 1024, extraMemoryMb: 256, javaMin: 17,
});
