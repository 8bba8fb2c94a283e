import type { Inventory } from '../../inventory/types.js';
import { name } from '../../inventory/schema-parts.js';

/** `services.postgresql` settings beside heap, ports, dirs and config. */
export const POSTGRESQL_SETTINGS = {
  database: { ...name('serving database name (default serving)'), default: 'serving' },
};

export interface PostgresqlSettings {
  database: string;
}

export function postgresqlSettings(inv: Inventory): PostgresqlSettings {
  return inv.settings.postgresql as unknown as PostgresqlSettings;
}
