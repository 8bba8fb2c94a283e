import path from 'node:path';
import type { Inventory, HostSpec } from '../inventory/types.js';
import { CATALOG, CONTROL_COMPONENTS, recipeFor } from './catalog.js';
import type { ArtifactCache } from './cache.js';
import { DEFAULT_SOURCES, type FetchOptions } from './fetch.js';
import type { ArtifactRecipe } from './types.js';

/** Which distributions an inventory needs: per host (from its roles) and on the control machine. */
export interface ArtifactNeeds {
  recipes: ArtifactRecipe[];
  perHost: { spec: HostSpec; components: string[] }[];
}

function versionOf(inv: Inventory, component: string): string | undefined {
  return inv.artifacts.versions?.[component];
}

export function artifactNeeds(inv: Inventory, opts: { all?: boolean } = {}): ArtifactNeeds {
  const perHost = inv.hosts.map((spec) => ({
    spec,
    components: [...new Set(inv.instances.filter((i) => i.host === spec).flatMap((i) => i.def.artifacts))],
  }));
  const wanted = new Set<string>(opts.all ? Object.keys(CATALOG) : [...perHost.flatMap((h) => h.components), ...CONTROL_COMPONENTS]);
  const recipes = Object.keys(CATALOG)
    .filter((c) => wanted.has(c))
    .map((c) => recipeFor(c, versionOf(inv, c)));
  return { recipes, perHost };
}

/** Fetch settings from the inventory's `artifacts:` block (paths relative to the inventory). */
export function fetchOptionsFor(inv: Inventory, cache: ArtifactCache): FetchOptions {
  const a = inv.artifacts;
  const base = path.dirname(path.resolve(inv.file));
  const abs = (p: string) => path.resolve(base, p.replace(/^~(?=\/)/, process.env.HOME ?? '~'));
  return {
    cache,
    sources: a.sources ?? DEFAULT_SOURCES,
    localDirs: (a.localDirs ?? []).map(abs),
    files: Object.fromEntries(Object.entries(a.files ?? {}).map(([k, v]) => [k, abs(v)])),
    registry: { mavenRepo: a.mavenRepo, pypiIndex: a.pypiIndex },
  };
}
