import { featuresAt, type FeatureView } from '../../clients/kafka-wire.js';
import { recipeFor } from '../../artifacts/catalog.js';
import type { Inventory, ServiceInstance } from '../../inventory/types.js';
import { brokers, CONTROLLER } from './endpoints.js';
import { tool, type ToolContext } from './tool.js';

// Kafka's feature levels after a binary upgrade: the new binaries run at the old levels until they are finalised,
// and until then the old binaries can come back. Once metadata.version is raised, they cannot.

export const METADATA_VERSION = 'metadata.version';

/**
 * Levels pyro never raises when finalising: kraft.version 1 turns a static quorum into a dynamic one, a move of
 * its own (`--release-version` would make it as a side effect).
 */
const KEPT = new Set(['kraft.version']);

/** metadata.version of each release line's newest production level (`kafka-features version-mapping`). */
const RELEASE_METADATA_VERSION: Record<string, number> = { '3.9': 21, '4.0': 25, '4.1': 27, '4.2': 29, '4.3': 30 };

const FEATURE_COMMAND = 'org.apache.kafka.tools.FeatureCommand';

/** `4.3.1` -> `4.3`: the release line whose features a version maps to. */
export function releaseOf(version: string): string {
  return version.split('.').slice(0, 2).join('.');
}

/** The Kafka version the inventory asks for. */
export function kafkaVersion(inv: Inventory): string {
  return recipeFor('kafka', inv.artifacts.versions?.kafka).version;
}

/** What every node supports and what the cluster has finalised. */
export interface FeatureState {
  finalized: Record<string, number>;
  /** The highest metadata.version every node answering supports: what a finalise could raise it to. */
  commonMax: number;
  nodes: number;
}

export function combine(views: readonly FeatureView[]): FeatureState {
  const maxes = views.map((v) => v.supported[METADATA_VERSION]?.max ?? 0);
  return { finalized: views[0]?.finalized ?? {}, commonMax: maxes.length ? Math.min(...maxes) : 0, nodes: views.length };
}

/** Asks every broker and controller (ApiVersions): all must answer, since a finalise needs every node's support. */
export async function readFeatures(inv: Inventory): Promise<FeatureState> {
  const nodes: { inst: ServiceInstance; port: number }[] = inv.instances
    .filter((i) => i.def.component === 'kafka')
    .map((i) => ({ inst: i, port: i.def.role === CONTROLLER ? i.ports.controller! : i.ports.client! }));
  const views = await Promise.all(
    nodes.map(async (n) => {
      try {
        return await featuresAt(n.inst.host.address, n.port);
      } catch (e) {
        throw new Error(`${n.inst.def.role} on ${n.inst.host.name} (${n.inst.host.address}:${n.port}) did not answer: ${(e as Error).message}`, { cause: e });
      }
    }),
  );
  return combine(views);
}

/** The cluster's finalised levels from whichever node answers first; undefined when none does (not up yet). */
export async function finalizedLevels(inv: Inventory): Promise<Record<string, number> | undefined> {
  const nodes = inv.instances.filter((i) => i.def.component === 'kafka');
  if (!nodes.length) return undefined;
  try {
    return await Promise.any(
      nodes.map(async (i) => (await featuresAt(i.host.address, i.def.role === CONTROLLER ? i.ports.controller! : i.ports.client!, 3000)).finalized),
    );
  } catch {
    return undefined;
  }
}

/** Whether the binaries all support a higher metadata.version than the cluster runs at: an upgrade not finalised. */
export function pendingFinalize(st: FeatureState): boolean {
  return (st.finalized[METADATA_VERSION] ?? 0) < st.commonMax;
}

/**
 * Why `version` cannot run this cluster (its metadata.version is finalised above what that release supports), or
 * undefined. Releases pyro has no level for are let through: the broker then refuses to start, on the first host.
 */
export function downgradeRefusal(version: string, finalized: Record<string, number>): string | undefined {
  const supported = RELEASE_METADATA_VERSION[releaseOf(version)];
  const level = finalized[METADATA_VERSION];
  if (supported === undefined || level === undefined || level <= supported) return undefined;
  const at = Object.entries(RELEASE_METADATA_VERSION).find(([, l]) => l === level)?.[0];
  return `Kafka ${version} cannot run this cluster: its metadata.version is finalised at ${level}${at ? ` (Kafka ${at})` : ''}, and ${releaseOf(version)} supports up to ${supported}`;
}

/** `name=level (...)` lines of `kafka-features version-mapping`. */
export function parseVersionMapping(out: string): Record<string, number> {
  const levels: Record<string, number> = {};
  for (const m of out.matchAll(/^([a-z][a-z0-9._]*)=(\d+)/gm)) levels[m[1]!] = Number(m[2]);
  return levels;
}

/** The features to raise, each to its level for the release: only upward, and never those kept (kraft.version). */
export function finalizeUpdates(finalized: Record<string, number>, target: Record<string, number>): { feature: string; from: number; to: number }[] {
  return Object.entries(target)
    .filter(([f, to]) => !KEPT.has(f) && to > (finalized[f] ?? 0))
    .map(([feature, to]) => ({ feature, from: finalized[feature] ?? 0, to }))
    .sort((a, b) => (a.feature === METADATA_VERSION ? -1 : b.feature === METADATA_VERSION ? 1 : a.feature.localeCompare(b.feature)));
}

export interface FinalizeResult {
  release: string;
  updates: { feature: string; from: number; to: number }[];
  /** Why nothing was finalised, when nothing was. */
  skipped?: string;
}

/**
 * Raises the cluster's feature levels to those of the inventory's Kafka release, each feature set explicitly, once
 * every node runs binaries that support them. Kafka itself refuses a level a registered node does not support.
 */
export async function finalizeFeatures(ctx: ToolContext & { dryRun: boolean }, st?: FeatureState): Promise<FinalizeResult> {
  const version = kafkaVersion(ctx.inv);
  const release = releaseOf(version);
  const state = st ?? (await readFeatures(ctx.inv));
  if (!pendingFinalize(state))
    return { release, updates: [], skipped: `metadata.version ${state.finalized[METADATA_VERSION] ?? 0} is the highest every node supports` };
  const want = RELEASE_METADATA_VERSION[release];
  if (want !== undefined && state.commonMax < want)
    return { release, updates: [], skipped: `not every node runs Kafka ${release} yet (the highest level all support is ${state.commonMax})` };
  const on = brokers(ctx.inv)[0]!;
  const target = parseVersionMapping(await tool(ctx, on, FEATURE_COMMAND, ['version-mapping', '--release-version', release], { bootstrapFirst: true }));
  const updates = finalizeUpdates(state.finalized, target);
  if (updates.length && !ctx.dryRun)
    await tool(ctx, on, FEATURE_COMMAND, ['upgrade', ...updates.flatMap((u) => ['--feature', `${u.feature}=${u.to}`])], { bootstrapFirst: true });
  return { release, updates };
}
