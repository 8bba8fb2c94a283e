import { defineService } from '../definition.js';

export default defineService({
  role: 'spark-history',
  component: 'spark',
  settingsKey: 'history',
  title: 'Spark History Server',
  artifacts: ['spark'],
  dependsOn: ['hdfs-namenode', 'hdfs-datanode'],
  ports: [{ name: 'http', default: 18080, description: 'web UI' }],
  dirs: [],
  heapMb: 512,
  extraMemoryMb: 128,
  javaMin: 17,
});
