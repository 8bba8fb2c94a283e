import { existsSync } from 'node:fs';
import type { Inventory } from '../inventory/types.js';
import type { ArtifactCache } from './cache.js';
import { ensureArtifact, staleAssembly } from './fetch.js';
import { artifactNeeds, fetchOptionsFor } from './needs.js';
import type { PushItem } from './push.js';

export interface PushItemsOptions {
  signal?: AbortSignal;
  log?: (line: string) => void;
  /** Fetch nothing: what the cache lacks is an error (pushing from a bundle). */
  offline?: boolean;
}

/**
 * The cached distribution of every component the inventory's hosts run, fetched first when missing. Not re-hashed
 * here: a push hashes the bytes as it streams them, and a skipped one doesn't read them.
 */
export async function pushItems(inv: Inventory, cache: ArtifactCache, opts: PushItemsOptions = {}): Promise<Map<string, PushItem>> {
  const needs = artifactNeeds(inv);
  const fopts = { ...fetchOptionsFor(inv, cache), signal: opts.signal, log: opts.log };
  if (opts.offline) fopts.sources = [];
  const pushed = new Set(needs.perHost.flatMap((h) => h.components));
  const items = new Map<string, PushItem>();
  for (const recipe of needs.recipes.filter((r) => pushed.has(r.component))) {
    const peeked = await cache.peek(recipe.component, recipe.version);
    const usable = peeked && existsSync(cache.blobPath(peeked.sha256)) && !staleAssembly(peeked, recipe);
    const entry = usable ? peeked : (await ensureArtifact(recipe, fopts)).entry;
    items.set(recipe.component, {
      component: entry.component,
      version: entry.version,
      sha256: entry.sha256,
      size: entry.size,
      blob: cache.blobPath(entry.sha256),
      hostSetup: recipe.hostSetup,
    });
  }
  return items;
}
