import path from 'node:path';
import { recipeFor } from '../artifacts/catalog.js';
import type { ConfigValue } from '../inventory/types.js';
import type { HostSpec, Inventory, ServiceInstance } from '../inventory/types.js';
import type { ClusterIds } from '../state/cluster-state.js';

/** Where an instance keeps its files on its host. */
export interface InstancePaths {
  /** Rendered config files and the launch script (`run.sh`). */
  conf: string;
  /** Directory of the instance's logs (its own, so two roles on a host never share a log file). */
  logs: string;
  pidFile: string;
  /** Holds the hash of what the running process was started with. */
  hashFile: string;
}

/** Facts about the host a render may size things from. */
export interface HostResources {
  memTotalMb: number;
  cpus: number;
}

/** Everything a service needs to render its files and launch command. */
export interface RuntimeContext {
  inv: Inventory;
  inst: ServiceInstance;
  ids: ClusterIds;
  paths: InstancePaths;
  /** The versioned install dir of a component on this host (not `current`: a version change must restart). */
  artifactRoot(component: string): string;
  /** The java binary on the host. */
  java: string;
  heapMb: number;
  resources?: HostResources;
  /** Generated secrets by name (from the cluster state; never printed). */
  secrets: Record<string, string>;
  /** The sha256 of each artifact's build pushed, by component (absent in a render without artifacts). */
  builds?: Record<string, string>;
  /**
   * Instances leaving the cluster (`pyro up --decommission`), from the last inventory applied: masters keep them in
   * their include and exclude lists until they are drained.
   */
  retiring?: readonly ServiceInstance[];
}

/** Files a running instance takes in without a restart, and the command that makes it read them again. */
export interface Reload {
  /** Names among `files`: left out of the restart hash. */
  files: string[];
  /** Run on the instance's host once the files are written (e.g. `dfsadmin -refreshNodes`). */
  argv(ctx: RuntimeContext): string[];
}

/** Commands on the cluster's hosts through pyro's connections (running a service's own admin tools there). */
export interface ToolAccess {
  /** Runs sh on an instance's host (through pyro's connection); the exit code and output. */
  exec(inst: ServiceInstance, sh: string, timeoutSec?: number): Promise<{ exitCode: number; stdout: string; stderr: string }>;
  /** The versioned install dir of a component on an instance's host, and the java binary there. */
  toolEnv(inst: ServiceInstance, component: string): { root: string; java: string };
}

/** What draining an instance that leaves the cluster gets: the cluster, progress lines, and its hosts. */
export interface DrainContext extends ProbeContext, ToolAccess {
  /** Instances that stay (the inventory's). */
  staying: readonly ServiceInstance[];
  log(line: string): void;
  signal: AbortSignal;
  /** Seconds a drain may take before it fails (running containers are given this long to finish). */
  timeoutSec: number;
}

/**
 * How instances of a role leave the cluster (`pyro up --decommission`). Roles without it are simply stopped; with
 * `never`, removing one is refused with that reason.
 */
export interface Retire {
  never?: string;
  /** Why the instances cannot leave (too few would stay for the data's replication), or undefined; a hint may go with it. */
  refuse?(
    leaving: readonly ServiceInstance[],
    ctx: Omit<DrainContext, 'exec' | 'log' | 'timeoutSec'>,
  ): Promise<string | { reason: string; hint: string } | undefined>;
  /** Moves the instances' data or work to the others; returns once they can be stopped without loss. */
  drain?(leaving: readonly ServiceInstance[], ctx: DrainContext): Promise<void>;
  /** After they stopped: removes what the cluster still remembers of them (a broker's registration). */
  forget?(leaving: readonly ServiceInstance[], ctx: DrainContext): Promise<void>;
}

/** The outcome of a probe: a one-line detail either way, plus numbers for status. */
export interface ProbeResult {
  ok: boolean;
  detail: string;
  data?: Record<string, unknown>;
}

/** What probes get: the inventory, the instance(s) and the cluster's ids. */
export interface ProbeContext {
  inv: Inventory;
  ids: ClusterIds;
  secrets: Record<string, string>;
}

/** What a service's part of `pyro status` gets: probes' context, and the facts its hosts reported. */
export interface StatusContext extends ProbeContext {
  /** What the instance's `facts` printed in status's one exec on its host (undefined: host not read, or none). */
  factsOf(inst: ServiceInstance): Promise<Record<string, string> | undefined>;
}

/** What a role's preparation on the control machine gets (see ServiceRuntime.prepare). */
export interface PrepareContext extends ProbeContext {
  log(line: string): void;
  signal?: AbortSignal;
}

/** How a service runs: its files, launch command, format step and probes. */
export interface ServiceRuntime {
  /** Config files by name (inside the instance's conf dir). */
  files(ctx: RuntimeContext): Record<string, string>;
  /** Files holding secrets: written 0600, and a dry run says they change without showing how. */
  privateFiles?: string[];
  /** Environment `run.sh` exports before it execs the command. */
  env?(ctx: RuntimeContext): Record<string, string>;
  /**
   * The command `run.sh` execs, as argv, or as a raw sh line (`{ sh }`) when it needs the shell. It carries the
   * role's marker (`-Dpyro.role=<role>`, or `marker`) so pid files are checked against it.
   */
  launch(ctx: RuntimeContext): string[] | { sh: string };
  /** Raw sh lines `run.sh` runs before exec (finding binaries, choosing the user). */
  prelude?(ctx: RuntimeContext): string;
  /** The argument that marks the process as this role's (default `-Dpyro.role=<role>`). */
  marker?: string;
  /**
   * sh lines run on the host before a (re)start, in the same exec and before any stop: what must hold on the host
   * for the start to work (paths that must exist). A line `@fail <role> <message>` followed by `exit 0` refuses
   * the start with the message and `hint`; the running process, if any, is left alone.
   */
  preStart?(ctx: RuntimeContext): { sh: string; hint: string } | undefined;
  /**
   * Work on the control machine before instances of the role start or restart, once the roles it depends on pass
   * their gates (a database to create, files to put in HDFS). Not run in a dry run.
   */
  prepare?(ctx: PrepareContext): Promise<void>;
  /**
   * sh lines run on the host after the instance is stopped for good (`pyro down`, a decommission), never on a
   * restart: what it keeps across its own restarts (a NodeManager's containers) goes here.
   */
  afterStop?(ctx: RuntimeContext): string;
  /** sh lines run on the host right after a (re)start, in the same exec (create users, databases). */
  postStart?(ctx: RuntimeContext): string;
  /** A one-time initialisation of a data dir; skipped forever once `done` (a path) exists. */
  format?(ctx: RuntimeContext): { dir: string; done: string; argv: string[] };
  /**
   * sh lines printing `@fact <role> <key> <value> [<key> <value>...]` about the instance (what only its host can
   * tell, e.g. open sessions), read by `pyro status` in its one exec per host.
   */
  facts?(inst: ServiceInstance): string;
  /** The main log file, inside the instance's log dir. */
  logFile: string;
  /** Seconds between SIGTERM and SIGKILL on stop. */
  stopGraceSec: number;
  /** This instance serves (probed from the control machine). */
  ready(inst: ServiceInstance, ctx: ProbeContext): Promise<ProbeResult>;
  /** The role as a whole is healthy (all instances counted by their master), checked after each start wave. */
  gate?(instances: ServiceInstance[], ctx: ProbeContext): Promise<ProbeResult>;
  /** In a running cluster, restart one instance at a time, each followed by the gate (rollingGate if set). */
  rolling?: boolean;
  /**
   * The gate after each instance of a rolling restart, and before the first: stricter than `gate` where data must
   * be safe before the next instance goes down (no under-replicated block).
   */
  rollingGate?(instances: ServiceInstance[], ctx: ProbeContext): Promise<ProbeResult>;
  /** What a restart of a running instance takes away while it lasts (a single master): announced before it begins. */
  outage?: string;
  /** Files it reads again on command (host lists), so changing them does not restart it. */
  reload?: Reload;
  /** How an instance leaves the cluster (see Retire). */
  retire?: Retire;
  /**
   * Processes it started outlive its restart (a NodeManager's containers, which the next one recovers): under
   * systemd only its main process is signalled. `afterStop` cleans them up when it stops for good.
   */
  keepChildren?: boolean;
  /**
   * After instances started (and are ready), before the role's gate: what makes the cluster take in new ones (a
   * controller's add-controller). Must leave instances already members alone.
   */
  join?(started: readonly ServiceInstance[], ctx: DrainContext): Promise<void>;
}

/** The marker in a managed process's command line; checked before any signal is sent to a pid. */
export function roleMarker(role: string): string {
  return `-Dpyro.role=${role}`;
}

export function instancePaths(inst: ServiceInstance): InstancePaths {
  const h = inst.host;
  const role = inst.def.role;
  return {
    conf: path.posix.join(h.installDir, 'conf', role),
    logs: path.posix.join(h.logDir, role),
    pidFile: path.posix.join(h.dataDir, 'run', `${role}.pid`),
    hashFile: path.posix.join(h.dataDir, 'run', `${role}.hash`),
  };
}

export function artifactRootFor(inv: Inventory, host: HostSpec): (component: string) => string {
  return (component) => path.posix.join(host.installDir, component, recipeFor(component, inv.artifacts.versions?.[component]).version);
}

/**
 * The JDK a role runs on: `java21Home` for a role that needs Java 21+ (NiFi), falling back to `javaHome` as the
 * host facts do; `javaHome` otherwise. Undefined: the java on the PATH.
 */
export function javaHomeFor(host: HostSpec, javaMin?: number): string | undefined {
  return (javaMin ?? 0) >= 21 ? (host.java21Home ?? host.javaHome) : host.javaHome;
}

export function javaFor(host: HostSpec, javaMin?: number): string {
  const home = javaHomeFor(host, javaMin);
  return home ? `${home}/bin/java` : 'java';
}

/**
 * An instance's heap: the inventory's value when set; otherwise the definition's default, scaled down when the
 * heaps and reserves of every role on the host would not fit in 80% of its memory (never below 256 MiB).
 */
export function heapFor(inv: Inventory, inst: ServiceInstance, resources?: HostResources): number {
  if (inst.heapSet || !resources) return inst.heapMb;
  const onHost = inv.instances.filter((i) => i.host === inst.host);
  const want = onHost.reduce((n, i) => n + i.heapMb + i.def.extraMemoryMb, 0);
  const room = resources.memTotalMb * 0.8;
  if (want <= room) return inst.heapMb;
  return Math.max(256, Math.floor((inst.heapMb * room) / want / 64) * 64);
}

/** A config file's user overrides for an instance (component-wide, role, host; merged at load). */
export function userConfig(inst: ServiceInstance, file: string): Record<string, ConfigValue> {
  return inst.config[file] ?? {};
}

/** The first instance of a role (masters: exactly one by the inventory rules). */
export function theOne(inv: Inventory, role: string): ServiceInstance {
  const i = inv.instances.find((x) => x.def.role === role);
  if (!i) throw new Error(`the inventory has no ${role}`);
  return i;
}

export function countOf(inv: Inventory, role: string): number {
  return inv.instances.filter((x) => x.def.role === role).length;
}

/** `host:port` of an instance's named port. */
export function endpoint(inst: ServiceInstance, port: string): string {
  return `${inst.host.address}:${inst.ports[port]}`;
}

export function probeContextOf(inv: Inventory, ids: ClusterIds, secrets: Record<string, string> = {}): ProbeContext {
  return { inv, ids, secrets };
}

/** `http://address:port` of an instance's named port (default `http`). */
export const httpBase = (inst: ServiceInstance, port = 'http') => `http://${inst.host.address}:${inst.ports[port]}`;

/** The value, or `{ error }` with the failure's text: a summary that cannot be read is reported, not thrown. */
export async function orError<T>(f: () => Promise<T>, text: (e: unknown) => string): Promise<T | { error: string }> {
  try {
    return await f();
  } catch (e) {
    return { error: text(e) };
  }
}
