import { defineModule } from '../definition.js';
import { registerStep } from './register.js';
import { sparkSqlRules } from './rules.js';
import server from './server.js';
import { sparkSqlStatus } from './status.js';

/** The Spark SQL server: Spark's Thrift JDBC/ODBC server on YARN, its metastore in PostgreSQL, the lake's tables in it. */
export default defineModule({
  name: 'spark-sql',
  roles: [server],
  configFiles: ['spark-defaults.conf', 'hive-site.xml'],
  rules: [sparkSqlRules],
  steps: [registerStep],
  summary: sparkSqlStatus,
});
