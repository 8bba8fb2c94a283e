import YAML from 'yaml';
import type { Inventory } from '../../../src/inventory/types.js';
import type { ClusterIds } from '../../../src/state/cluster-state.js';
import { inventoryFromYaml } from '../../helpers/rendered.js';

// Shared by the Superset unit tests: small inventories written to a temp dir and loaded the way the CLI does.

/** The roles every inventory needs, on one host. */
const CORE = ['hdfs-namenode', 'hdfs-datanode', 'yarn-resourcemanager', 'yarn-nodemanager', 'kafka-controller', 'kafka-broker'];

export interface InventoryOptions {
  cluster?: string;
  /** Roles besides the core ones, on the one host. */
  roles?: string[];
  superset?: Record<string, unknown>;
  postgresql?: Record<string, unknown>;
  datasets?: { table: string; schema?: string; description?: string; database?: string }[];
  databases?: { name: string; uri?: string; passwordEnv?: string }[];
  dashboards?: { template: string }[];
  /** Where to write the inventory (a new temp dir when not given). */
  dir?: string;
}

/** Writes a one-host inventory and loads it. */
export async function tempInventory(opts: InventoryOptions = {}): Promise<Inventory> {
  const services: Record<string, unknown> = {
    hdfs: { replication: 1 },
    kafka: {
      config: {
        'server.properties': {
          'offsets.topic.replication.factor': 1,
          'transaction.state.log.replication.factor': 1,
          'transaction.state.log.min.isr': 1,
        },
      },
    },
  };
  if (opts.superset) services.superset = opts.superset;
  if (opts.postgresql) services.postgresql = opts.postgresql;
  const doc: Record<string, unknown> = {
    cluster: { name: opts.cluster ?? 'sstest' },
    hosts: [{ name: 'h1', address: '10.9.8.7', roles: [...CORE, ...(opts.roles ?? ['postgresql', 'superset'])] }],
    services,
  };
  if (opts.databases) doc.databases = opts.databases;
  if (opts.datasets) doc.datasets = opts.datasets;
  if (opts.dashboards) doc.dashboards = opts.dashboards;
  return inventoryFromYaml(YAML.stringify(doc), opts.dir);
}

/** Ids desiredFor needs; Superset uses none of them. */
export const IDS: ClusterIds = { hdfsClusterId: 'CID-test', kafkaClusterId: 'kafka-test', kafkaNodeIds: {} };

export const SECRETS = {
  'postgresql-password': 'p@ss/1',
  'superset-secret-key': 'k'.repeat(40),
  'superset-admin-password': 'adminpw',
};
