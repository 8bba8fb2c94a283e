import type { Diagnostic } from '../../inventory/diagnostics.js';
import { layerPaths, replicationCheck } from '../../inventory/rule-helpers.js';
import type { Rule } from '../../inventory/types.js';
import { dataNodeCount } from './endpoints.js';

/** Replication can't exceed the DataNodes that hold replicas. */
export const replicationRule: Rule = (inv, src) => {
  const out: Diagnostic[] = [];
  const check = replicationCheck(src, out, dataNodeCount(inv), 'DataNode');
  // The derived default never exceeds the DataNodes; only values written in the file can.
  for (const p of layerPaths(inv, 'hdfs', ['replication'])) check(p, src.doc.getIn(p));
  for (const p of layerPaths(inv, 'hdfs', ['config', 'hdfs-site.xml', 'dfs.replication'], ['namenode', 'datanode'])) check(p, src.doc.getIn(p));
  return out;
};
