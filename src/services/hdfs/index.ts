import { defineModule } from '../definition.js';
import datanode from './datanode.js';
import namenode from './namenode.js';
import { replicationRule } from './rules.js';
import { deriveHdfs, HDFS_SETTINGS } from './settings.js';
import { hdfsStatus } from './status.js';

/** HDFS: the data lake's file system (one NameNode, DataNodes). */
export default defineModule({
  name: 'hdfs',
  roles: [namenode, datanode],
  configFiles: ['core-site.xml', 'hdfs-site.xml'],
  settings: HDFS_SETTINGS,
  derive: deriveHdfs,
  rules: [replicationRule],
  summary: hdfsStatus,
  // Written out although derived the same way, so the user sees the setting to change.
  initDraft: (count) => ({ settings: { replication: Math.max(1, Math.min(3, count('hdfs-datanode'))) } }),
});
