import type { Diagnostic } from '../../inventory/diagnostics.js';
import { replicationCheck } from '../../inventory/rule-helpers.js';
import type { Rule } from '../../inventory/types.js';
import { dataNodeCount } from './endpoints.js';
import { hdfsSettings } from './settings.js';

/** Replication can't exceed the DataNodes that hold replicas. */
export const replicationRule: Rule = (inv, src) => {
  const out: Diagnostic[] = [];
  const check = replicationCheck(src, out, dataNodeCount(inv), 'DataNode');
  check(['services', 'hdfs', 'replication'], hdfsSettings(inv).replication);
  check(['services', 'hdfs', 'config', 'hdfs-site.xml', 'dfs.replication'], inv.config.hdfs?.['hdfs-site.xml']?.['dfs.replication']);
  return out;
};
