import type { Inventory } from '../../inventory/types.js';
import { name } from '../../inventory/schema-parts.js';

/** `services.postgresql` settings beside heap, ports, dirs and config. */
export const POSTGRESQL_SETTINGS = {
  database: { ...name('serving database name (default serving)'), default: 'serving' },
};

export interface PostgresqlSettings {
  database: string;
}

/** The settings of the one server: its host's own `services.postgresql` block over the component's. */
export function postgresqlSettings(inv: Inventory): PostgresqlSettings {
  const server = inv.instances.find((i) => i.def.component === 'postgresql');
  return (server?.settings ?? inv.settings.postgresql) as unknown as PostgresqlSettings;
}
