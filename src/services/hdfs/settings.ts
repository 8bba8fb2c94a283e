import { Type } from '@sinclair/typebox';
import type { Inventory } from '../../inventory/types.js';

/** `services.hdfs` settings beside the role blocks. */
export const HDFS_SETTINGS = {
  replication: Type.Integer({ minimum: 1, description: 'dfs.replication (default: min(3, DataNodes))' }),
};

export interface HdfsSettings {
  replication: number;
}

/** Defaults that count the DataNodes. */
export function deriveHdfs(s: Record<string, unknown>, inv: Pick<Inventory, 'instances'>): Record<string, unknown> {
  const dataNodes = inv.instances.filter((i) => i.def.role === 'hdfs-datanode').length;
  return { ...s, replication: s.replication ?? Math.max(1, Math.min(3, dataNodes)) };
}

export function hdfsSettings(inv: Inventory): HdfsSettings {
  return inv.settings.hdfs as unknown as HdfsSettings;
}
