import type { RawArtifacts } from './schema.js';
import type { PathSeg } from './source.js';
import type { ComponentSpec, ConfigOverrides, RoleSpec } from './spec.js';

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
  /** Install what the host lacks (Java, Python venv, OS packages) with its package manager before pushing. */
  prepare: boolean;
  /** Index in the inventory's hosts list (for locating errors). */
  index: number;
}

/** One service running on one host, with every setting resolved (component-wide, then role, then host). */
export interface ServiceInstance {
  def: RoleSpec;
  host: HostSpec;
  ports: Record<string, number>;
  dirs: Record<string, string>;
  heapMb: number;
  /** The heap was set in the inventory (not scaled down to fit the host). */
  heapSet: boolean;
  /** Free-form config overrides by file, merged in order. */
  config: ConfigOverrides;
  /** The component's and the role's typed settings, defaults applied; read through the service's own accessor. */
  settings: Readonly<Record<string, unknown>>;
  /** Where each port / dir came from in the inventory, for error locations. */
  origin: Record<string, PathSeg[]>;
}

/** Where distributions come from, from `artifacts:` (paths as written). */
export type ArtifactSettings = RawArtifacts;

/** A validated inventory with every default resolved. Nothing outside src/inventory sees the document itself. */
export interface Inventory {
  file: string;
  clusterName: string;
  hosts: HostSpec[];
  instances: ServiceInstance[];
  /** The components the inventory was loaded with (the catalogue's specs). */
  components: readonly ComponentSpec[];
  /** Each component's typed settings with defaults applied, by component name. */
  settings: Readonly<Record<string, Readonly<Record<string, unknown>>>>;
  /** Component-wide config overrides by component name. */
  config: Readonly<Record<string, ConfigOverrides>>;
  /** Top-level sections owned by components (topics:, jobs:, datasets: ...), as validated; absent ones missing. */
  sections: Readonly<Record<string, unknown>>;
  artifacts: ArtifactSettings;
}

export const DEFAULT_INSTALL_DIR = '/opt/pyro';
export const DEFAULT_DATA_DIR = '/var/lib/pyro';
