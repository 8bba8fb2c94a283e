import type { ComponentSpec, RoleSpec } from '../inventory/types.js';
import type { Inventory, ServiceInstance } from '../inventory/types.js';
import type { ClusterIds, ClusterState } from '../state/cluster-state.js';
import type { IngestPath } from './ingest-path.js';
import type { ProbeContext, ServiceRuntime, StatusContext, ToolAccess } from './runtime.js';

/** One role as pyro runs it: what the inventory knows of it, plus how it is configured, launched and probed. */
export interface ServiceDefinition extends RoleSpec {
  /** How pyro runs it; roles without one are not started by `pyro up` yet. */
  runtime?: ServiceRuntime;
}

/** What a step a service adds to `pyro up` gets: the cluster, and where its changes and warnings go. */
export interface StepContext extends ProbeContext, ToolAccess {
  stateDir: string;
  dryRun: boolean;
  quiet: boolean;
  signal: AbortSignal;
  /** Roles `up` manages in this run (their tiers have been brought up before the service steps). */
  managedRoles: readonly string[];
  /** Whether an upgrade may be finalised (`up --no-finalize` holds feature levels, so a rollback stays possible). */
  finalize: boolean;
  log(line: string): void;
  /** Records a change made (or, in a dry run, one that would be made). */
  change(line: string): void;
  warn(line: string): void;
}

/**
 * A step a service adds after the tiers (topics, jobs, registrations). In a dry run it runs too, reading only,
 * and records what it would change; when what it reads is not up yet, the error becomes a warning.
 */
export interface ServiceStep {
  /** Short name, e.g. `topics`: the step's heading and the key of its result in `up --json`. */
  name: string;
  /** Whether there is anything to do for this inventory (declared topics, a running YARN...). */
  shouldRun(ctx: StepContext): boolean;
  /** Returns what it did (reported under its name in `up --json`). */
  run(ctx: StepContext): Promise<unknown>;
  /** The warning for a dry run whose target is not reachable yet (default: `<name> not checked: <error>`). */
  notReachable?(error: string): string;
  /** Lines printed last by `up` (where to look, how to log in), from what it returned. */
  closing?(ctx: StepContext, result: unknown): string | undefined;
}

/** A service's part of `pyro status`: JSON data under `key`, text lines, problems and web UIs. */
export interface ComponentSummary {
  key: string;
  data: unknown;
  lines: string[];
  problems: string[];
  ui: Record<string, string>;
}

/** A login pyro generated for a service, read from the cluster state (`pyro credentials NAME`). */
export type Credentials = Record<string, string | number>;

/** A service: one folder that owns its roles, settings, rules, secrets, runtime, steps and status. */
export interface ServiceModule extends ComponentSpec {
  roles: ServiceDefinition[];
  /** Secrets it uses, generated once into the cluster state (0600). */
  secrets?: string[];
  /**
   * Secrets that are not random strings (keys and certificates the cluster CA issues), by name, made or issued
   * again in the cluster state when missing or stale; merged into the generated ones before anything renders.
   */
  loadSecrets?(inv: Inventory, state: ClusterState): Promise<Record<string, string>>;
  /** Fills in ids that live in the cluster state (e.g. Kafka node ids) before anything renders. */
  loadIds?(inv: Inventory, state: ClusterState, ids: ClusterIds): Promise<void>;
  /**
   * Refuses, before anything changes, an inventory the running cluster cannot take (a version below the feature
   * levels it has finalised); returns the reason and what to do, or undefined. A cluster not up yet is not checked.
   */
  guard?(ctx: ProbeContext): Promise<{ code: string; message: string; hint: string } | undefined>;
  /** Steps after the tiers, in catalogue order. */
  steps?: ServiceStep[];
  /** Its part of `pyro status`; undefined when the inventory does not run it. */
  summary?(ctx: StatusContext, managed: readonly ServiceInstance[]): Promise<ComponentSummary | undefined>;
  /** The ways records enter Kafka through it (the whole-flow check sends a tagged record down each). */
  ingestPaths?(inv: Inventory): IngestPath[];
  /** The login pyro keeps for it, or undefined when the inventory does not run it (may write files it names). */
  credentials?(ctx: ProbeContext, state: ClusterState): Credentials | undefined | Promise<Credentials | undefined>;
}

export function defineService(def: ServiceDefinition): ServiceDefinition {
  return def;
}

export function defineModule(m: ServiceModule): ServiceModule {
  return m;
}
