import type { ServiceDefinition } from '../services/definition.js';
import type { RawDataset, RawInventory, RawJob, RawTopic } from './schema.js';
import type { PathSeg } from './source.js';

export interface SshSettings {
  user?: string;
  port?: number;
  identity?: string;
  /** Bastion as [user@]host[:port]. */
  jump?: string;
}

/** A host with defaults applied. */
export interface HostSpec {
  name: string;
  address: string;
  connection: 'ssh' | 'local';
  roles: string[];
  ssh: SshSettings;
  installDir: string;
  dataDir: string;
  logDir: string;
  javaHome?: string;
  java21Home?: string;
  python: string;
  /** Who keeps the services running: pyro's pid files, or systemd units. */
  supervisor: 'pyro' | 'systemd';
  /** Index in the inventory's hosts list (for locating errors). */
  index: number;
}

/** One service running on one host, with its resolved ports and dirs. */
export interface ServiceInstance {
  def: ServiceDefinition;
  host: HostSpec;
  ports: Record<string, number>;
  dirs: Record<string, string>;
  heapMb: number;
  /** Where each port / dir came from in the inventory, for error locations. */
  origin: Record<string, PathSeg[]>;
}

/** A validated inventory with every default resolved. */
export interface Inventory {
  file: string;
  clusterName: string;
  hosts: HostSpec[];
  instances: ServiceInstance[];
  topics: RawTopic[];
  jobs: RawJob[];
  datasets: RawDataset[];
  /** The inventory as written (after schema validation). */
  raw: RawInventory;
}

export const DEFAULT_INSTALL_DIR = '/opt/pyro';
export const DEFAULT_DATA_DIR = '/var/lib/pyro';
