import type { Diagnostic } from '../../inventory/diagnostics.js';
import type { Rule } from '../../inventory/types.js';
import { dataNodeCount } from './endpoints.js';
import { hdfsSettings } from './settings.js';

/** Replication can't exceed the DataNodes that hold replicas. */
export const replicationRule: Rule = (inv, src) => {
  const out: Diagnostic[] = [];
  const limit = dataNodeCount(inv);
  const check = (where: (string | number)[], value: unknown) => {
    const n = Number(value);
    if (value !== undefined && Number.isFinite(n) && n > limit && limit > 0) {
      out.push(src.diagnostic(where, `replication ${n} is more than the ${limit} DataNode${limit === 1 ? '' : 's'} in the inventory`, {
        hint: 'use at most ' + limit + ', or add DataNodes',
      }));
    }
  };
  check(['services', 'hdfs', 'replication'], hdfsSettings(inv).replication);
  check(['services', 'hdfs', 'config', 'hdfs-site.xml', 'dfs.replication'], inv.config.hdfs?.['hdfs-site.xml']?.['dfs.replication']);
  return out;
};
