import { Type } from '@sinclair/typebox';
import type { Inventory } from '../../inventory/types.js';
import { stringEnum } from '../../inventory/schema-parts.js';

/** `services.superset` settings beside heap, ports, dirs and config. */
export const SUPERSET_SETTINGS = {
  adminUser: Type.String({
    pattern: '^[A-Za-z0-9_.@-]{1,64}$',
    description: 'admin login (default admin; the password is generated into the cluster state)',
    'x-hint': 'letters, digits and . _ @ - only',
    default: 'admin',
  }),
  metadata: stringEnum(['postgresql', 'sqlite'], 'where Superset keeps its own metadata (default postgresql when a host runs it, else sqlite in the home dir)'),
  workers: Type.Integer({ minimum: 1, maximum: 64, description: 'gunicorn worker processes (default 2; each takes about 300 MB)', default: 2 }),
};

export interface SupersetSettings {
  adminUser: string;
  metadata: 'postgresql' | 'sqlite';
  workers: number;
}

/** The metadata store follows the serving store unless set. */
export function deriveSuperset(s: Record<string, unknown>, inv: Pick<Inventory, 'instances'>): Record<string, unknown> {
  return { ...s, metadata: s.metadata ?? (inv.instances.some((i) => i.def.role === 'postgresql') ? 'postgresql' : 'sqlite') };
}

/** The settings of the one server: its host's own `services.superset` block over the component's. */
export function supersetSettings(inv: Inventory): SupersetSettings {
  const server = inv.instances.find((i) => i.def.component === 'superset');
  return (server?.settings ?? inv.settings.superset) as unknown as SupersetSettings;
}
