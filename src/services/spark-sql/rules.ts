import type { Diagnostic } from '../../inventory/diagnostics.js';
import { hostsWithRole } from '../../inventory/resolve.js';
import type { Rule } from '../../inventory/types.js';
import { NAMENODE } from '../hdfs/endpoints.js';
import { POSTGRESQL } from '../postgresql/endpoints.js';
import { NODEMANAGER, RESOURCEMANAGER } from '../yarn/endpoints.js';
import { SPARK_SQL } from './settings.js';

/** What the server stands on: PostgreSQL for its metastore, HDFS for the lake, YARN for its executors. */
export const sparkSqlRules: Rule = (inv, src) => {
  const out: Diagnostic[] = [];
  const host = hostsWithRole(inv, SPARK_SQL)[0];
  if (!host) return out;
  const where = ['hosts', host.index, 'roles', host.roles.indexOf(SPARK_SQL)];
  const needs: [string, string, string][] = [
    [
      POSTGRESQL,
      'keeps its Hive metastore in PostgreSQL',
      "add postgresql to one host's roles (the serving store holds the metastore in a database of its own)",
    ],
    [NAMENODE, 'reads the lake on HDFS', 'add hdfs-namenode and hdfs-datanode to the roles of your hosts'],
    [RESOURCEMANAGER, 'runs its executors on YARN', 'add yarn-resourcemanager and yarn-nodemanager to the roles of your hosts'],
    [NODEMANAGER, 'runs its executors on YARN', 'add yarn-nodemanager to the roles of your hosts'],
  ];
  for (const [role, why, hint] of needs) {
    if (!hostsWithRole(inv, role).length) out.push(src.diagnostic(where, `the Spark SQL server ${why}, but no host has the role ${role}`, { hint }));
  }
  return out;
};
