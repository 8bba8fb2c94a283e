import type { ServiceInstance } from '../../inventory/types.js';
import { endpoint } from '../runtime.js';
import { sparkSqlInstance, sparkSqlSettingsOf } from './settings.js';

// How verbs, other services and users reach the Spark SQL server.

/** The YARN application name of the server's executors (one server per cluster). */
export const SQL_APP_NAME = 'pyro-spark-sql';

/** The JDBC URL of the server (HiveServer2's protocol), in the lake database (`database`: another one). */
export function sqlJdbcUrl(inst: ServiceInstance, database = sparkSqlSettingsOf(inst).lakeDatabase): string {
  return `jdbc:hive2://${endpoint(inst, 'thrift')}/${database}`;
}

/** The SQLAlchemy URI Superset uses for the server (PyHive's hive:// dialect). */
export function sqlAlchemyUri(inst: ServiceInstance, user: string): string {
  return `hive://${encodeURIComponent(user)}@${endpoint(inst, 'thrift')}/${sparkSqlSettingsOf(inst).lakeDatabase}`;
}

export { sparkSqlInstance };
