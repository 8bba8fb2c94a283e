import type { TSchema } from '@sinclair/typebox';
import type { Diagnostic } from './diagnostics.js';
import type { RawArtifacts } from './schema-parts.js';
import type { InventorySource, PathSeg } from './source.js';

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
  /** Ports its settings declare beyond the role's named ones (e.g. a Flume source's), located. */
  settingPorts: SettingPort[];
  /** Where each port / dir (`port:NAME`, `dir:NAME`) and each written setting (`setting:KEY`) came from, for error locations. */
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
  /** The document as read (validated): what the cluster state keeps of the last inventory applied. */
  raw?: unknown;
}

export const DEFAULT_INSTALL_DIR = '/opt/pyro';
export const DEFAULT_DATA_DIR = '/var/lib/pyro';

// The contract between the inventory and the services: what a service declares so the inventory can validate,
// default and check it. The inventory never imports a service; the catalogue hands these in (see load.ts).

/** A scalar config value, as written under `config:` in the inventory. */
export type ConfigValue = string | number | boolean;

/** Free-form overrides of one service: file name -> key -> value. */
export type ConfigOverrides = Record<string, Record<string, ConfigValue>>;

export interface PortSpec {
  /** Key under `ports:` in the inventory. */
  name: string;
  default: number;
  description: string;
}

export interface DirSpec {
  /** Key under `dirs:` in the inventory. */
  name: string;
  /** Default path, relative to the host's data dir. */
  default: string;
  description: string;
  /** Holds data that must never be reformatted or deleted by pyro. */
  holdsData: boolean;
}

/** A port an instance listens on that its typed settings declare, beyond the role's named ports. */
export interface SettingPortSpec {
  /** Which one, in messages: `source web`. */
  name: string;
  port: number;
  protocol: 'tcp' | 'udp';
  /** Where it is written, from the settings key down: ['sources', 0, 'port']. */
  at: PathSeg[];
}

/** A SettingPortSpec located in the inventory (the block whose setting won). */
export interface SettingPort {
  name: string;
  port: number;
  protocol: 'tcp' | 'udp';
  origin: PathSeg[];
}

/** How many hosts may run a role; checked by the inventory's generic count rule. */
export interface RoleCount {
  /** What one instance is called in messages, e.g. `NameNode`. */
  what: string;
  exactly?: number;
  atLeast?: number;
  atMost?: number;
  /** An odd number (a quorum), zero included as even. */
  odd?: boolean;
  /** Why the limit exists, appended to the message (e.g. `no HA yet`). */
  why?: string;
}

/**
 * Something a role needs from the host's OS packages beyond Java and Python (those follow from javaMin and
 * pythonMin). `pyro check` runs `test` on the host; `pyro up --prepare` installs `packages` when it fails.
 */
export interface HostPackageNeed {
  /** Short id, also the name of its `pyro check` row ('postgresql-server'). */
  id: string;
  /** What it is, for people ('PostgreSQL server'). */
  title: string;
  /** POSIX sh, run as the SSH user in a subshell: exits 0 when the thing is present. */
  test: string;
  /** Package names per package manager; a family left out has no package for it (the hint says so). */
  packages: { apt?: string[]; dnf?: string[] };
  /** sh run as root just before those packages are installed, per package manager (e.g. to stop a default setup). */
  before?: { apt?: string; dnf?: string };
}

/** One role: a process kind that runs on some hosts. */
export interface RoleSpec {
  /** Role name as written in the inventory. */
  role: string;
  /** Inventory key under `services:` that groups the component's settings. */
  component: string;
  /** Key of this role's block inside `services.<component>`; undefined when the component has one role. */
  settingsKey?: string;
  title: string;
  /** Roles that must be healthy before this one starts (across the cluster). */
  dependsOn: string[];
  ports: PortSpec[];
  dirs: DirSpec[];
  /** Default JVM heap (or, for `memory: 'process'`, the process's memory) in MiB. */
  heapMb: number;
  /** What the memory setting sizes: a JVM heap (default) or a non-JVM process's memory budget. */
  memory?: 'heap' | 'process';
  /** For `memory: 'process'`: what the setting controls, as the schema tells the user (a JVM heap needs none). */
  memoryDescription?: string;
  /** Memory the host must have for this role beyond the heap (off-heap, containers), in MiB. */
  extraMemoryMb: number;
  /** Minimum Java major version, when the role runs on a JVM. */
  javaMin?: number;
  /** Minimum Python version ('3.10'), when the role runs Python code. */
  pythonMin?: string;
  /** Platform packages the role needs on its host (beyond Java and Python). */
  hostPackages?: HostPackageNeed[];
  /** Artifact components (distributions) this role runs from, pushed to its hosts. */
  artifacts: string[];
  /** Install-dir space its distribution needs beyond the common allowance (MiB), for `pyro check`. */
  installDiskMb?: number;
  /** How many hosts may run it (none: any number, zero included). */
  count?: RoleCount;
  /** Typed settings of this role's block beyond heap, ports, dirs and config; `default` keywords apply. */
  settings?: Record<string, TSchema>;
  /** Where `pyro init` proposes the role (none: not proposed; the user adds it). */
  placement?: Placement;
  /** Ports an instance's resolved settings declare (checked for clashes and probed free like the named ones). */
  settingPorts?(settings: Readonly<Record<string, unknown>>): SettingPortSpec[];
}

/**
 * Where `pyro init` puts a role on n hosts: `first` on the first host (masters, serving); `quorum` on the first
 * 1 or 3 hosts (3 from three hosts on); `workers` on every host, except the first one from five hosts on;
 * `second` on the second host (the first when alone), away from the masters.
 */
export type Placement = 'first' | 'quorum' | 'workers' | 'second';

/** What `pyro init` writes for a component, given how many hosts run each role of the proposed layout. */
export interface InitDraft {
  /** The component's block under `services:`. */
  settings?: Record<string, unknown>;
  /** Top-level sections the component owns (e.g. `topics:`). */
  sections?: Record<string, unknown>;
}

/** A semantic check after the schema: returns errors and warnings, each located in the file. */
export type Rule = (inv: Inventory, src: InventorySource) => Diagnostic[];

/** One component (a key under `services:`): its roles, typed settings, config files, sections and rules. */
export interface ComponentSpec {
  /** Key under `services:`. */
  name: string;
  roles: RoleSpec[];
  /** Config files that take free-form overrides (`services.<name>.config.<file>`). */
  configFiles: string[];
  /** What the component-wide `config:` applies to (default: every role of the component). */
  configDescription?: string;
  /** Role settings keys whose `config:` replaces rather than extends the component-wide one (Kafka controllers). */
  roleOnlyConfig?: string[];
  /** Typed component-wide settings; `default` keywords apply at load. */
  settings?: Record<string, TSchema>;
  /** Defaults that depend on the rest of the inventory (e.g. replication from the DataNodes), applied once. */
  derive?(settings: Record<string, unknown>, inv: Pick<Inventory, 'hosts' | 'instances'>): Record<string, unknown>;
  /** Top-level inventory sections the component owns (e.g. `topics:`), validated by the schema. */
  sections?: Record<string, TSchema>;
  rules?: Rule[];
  /** Optional components may have settings without any host running them, without a warning. */
  settingsWithoutRoles?: boolean;
  /** What `pyro init` writes for the component, from the number of hosts that run each role. */
  initDraft?(count: (role: string) => number): InitDraft;
}
