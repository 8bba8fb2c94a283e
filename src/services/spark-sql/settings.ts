import { Type } from '@sinclair/typebox';
import type { Inventory, ServiceInstance } from '../../inventory/types.js';
import { memory, name } from '../../inventory/schema-parts.js';

/** `services.spark-sql` settings beside heap (the driver's), ports, dirs and config. */
export const SPARK_SQL_SETTINGS = {
  executors: Type.Integer({ minimum: 1, maximum: 64, default: 1, description: 'executors the server keeps on YARN (default 1)' }),
  executorMemory: { ...memory('memory of each executor (default 1g)'), default: '1g' },
  executorCores: Type.Integer({ minimum: 1, maximum: 32, default: 1, description: 'cores of each executor (default 1)' }),
  metastoreDatabase: { ...name('PostgreSQL database that holds the Hive metastore (default metastore)'), default: 'metastore' },
  lakeDatabase: {
    ...Type.String({
      pattern: '^[a-z][a-z0-9_]{0,62}$',
      description: 'SQL database the lake tables are registered in (default lake)',
      'x-hint': 'lowercase letters, digits and underscores, starting with a letter',
    }),
    default: 'lake',
  },
};

export interface SparkSqlSettings {
  executors: number;
  executorMemory: string;
  executorCores: number;
  metastoreDatabase: string;
  lakeDatabase: string;
}

export function sparkSqlSettingsOf(inst: ServiceInstance): SparkSqlSettings {
  return inst.settings as unknown as SparkSqlSettings;
}

export const SPARK_SQL = 'spark-sql';

export function sparkSqlInstance(inv: Inventory): ServiceInstance | undefined {
  return inv.instances.find((i) => i.def.role === SPARK_SQL);
}
