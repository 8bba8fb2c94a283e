import type { ServiceRuntime } from './runtime.js';

/** Inventory key under `services:` that groups a component's settings. */
export type ComponentName =
  | 'hdfs' | 'yarn' | 'kafka' | 'spark' | 'nifi' | 'flume' | 'logstash' | 'superset' | 'postgresql';

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

/**
 * Declarative definition of one service (one role): what the inventory rules and preflight checks read (ports,
 * dirs, needs) and, in `runtime`, how it is configured, launched and probed.
 */
export interface ServiceDefinition {
  /** Role name as written in the inventory. */
  role: string;
  component: ComponentName;
  /** Key of this role's block inside `services.<component>`; undefined when the component has one role. */
  settingsKey?: string;
  title: string;
  /** Roles that must be healthy before this one starts (across the cluster). */
  dependsOn: string[];
  ports: PortSpec[];
  dirs: DirSpec[];
  /** Default JVM heap (or process memory) in MiB. */
  heapMb: number;
  /** Memory the host must have for this role beyond the heap (off-heap, containers), in MiB. */
  extraMemoryMb: number;
  /** Minimum Java major version, when the role runs on a JVM. */
  javaMin?: number;
  /** Minimum Python version ('3.10'), when the role runs Python code. */
  pythonMin?: string;
  /** OS packages the role needs on its hosts, beyond Java and Python. */
  hostPackages?: HostPackageNeed[];
  /** Artifact components (distributions) this role runs from, pushed to its hosts. */
  artifacts: string[];
  /** Optional roles may be absent from an inventory without warnings. */
  optional?: boolean;
  /** How pyro runs it; roles without one are not started by `pyro up` yet. */
  runtime?: ServiceRuntime;
}

export function defineService(def: ServiceDefinition): ServiceDefinition {
  return def;
}
