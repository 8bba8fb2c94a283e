import { defineService } from '../definition.js';
import { SPARK_SQL_PRIVATE_FILES, sparkSqlEnv, sparkSqlFacts, sparkSqlFiles, sparkSqlLaunch, sparkSqlPrelude } from './files.js';
import { prepareSparkSql } from './prepare.js';
import { sparkSqlReady } from './probes.js';
import { SPARK_SQL, SPARK_SQL_SETTINGS } from './settings.js';

export default defineService({
  role: SPARK_SQL,
  component: SPARK_SQL,
  title: 'Spark SQL server (Thrift JDBC/ODBC)',
  artifacts: ['spark', 'postgresql-jdbc'],
  count: { what: 'Spark SQL server', atMost: 1, why: 'one server per cluster' },
  settings: SPARK_SQL_SETTINGS,
  dependsOn: ['hdfs-namenode', 'hdfs-datanode', 'yarn-resourcemanager', 'yarn-nodemanager', 'postgresql'],
  ports: [{ name: 'thrift', default: 10000, description: 'JDBC/ODBC (HiveServer2 protocol)' }],
  dirs: [{ name: 'scratch', default: 'spark-sql', description: "the driver's local scratch (spills, downloaded resources)", holdsData: false }],
  // The driver: it plans queries and collects results; the executors run on YARN.
  heapMb: 1024,
  extraMemoryMb: 256,
  javaMin: 17,
  runtime: {
    files: sparkSqlFiles,
    privateFiles: SPARK_SQL_PRIVATE_FILES,
    env: sparkSqlEnv,
    launch: sparkSqlLaunch,
    prelude: sparkSqlPrelude,
    facts: sparkSqlFacts,
    prepare: prepareSparkSql,
    logFile: 'spark-sql.out',
    stopGraceSec: 30,
    ready: sparkSqlReady,
  },
});
