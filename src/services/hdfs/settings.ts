import { Type } from '@sinclair/typebox';
import type { Inventory, ServiceInstance } from '../../inventory/types.js';

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

/** The cluster's settings (what clients outside the cluster, like spark-submit, use). */
export function hdfsSettings(inv: Inventory): HdfsSettings {
  return inv.settings.hdfs as unknown as HdfsSettings;
}

/** An HDFS daemon's settings: its host's own `services.hdfs` block over the cluster's. */
export function hdfsSettingsOf(inst: ServiceInstance): HdfsSettings {
  return inst.settings as unknown as HdfsSettings;
}
