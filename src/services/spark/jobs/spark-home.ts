import { existsSync } from 'node:fs';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { ArtifactCache } from '../../../artifacts/cache.js';
import { recipeFor } from '../../../artifacts/catalog.js';
import { unpack } from '../../../artifacts/archive.js';
import { ensureArtifact, staleAssembly } from '../../../artifacts/fetch.js';
import { fetchOptionsFor } from '../../../artifacts/needs.js';
import type { Inventory } from '../../../inventory/types.js';
import { renameDurable } from '../../../util/atomic-write.js';

/** A distribution unpacked on the control machine (Spark for spark-submit, the JDBC driver for jobs). */
export async function controlTree(inv: Inventory, component: string, log?: (l: string) => void): Promise<string> {
  const cache = new ArtifactCache();
  const recipe = recipeFor(component, inv.artifacts.versions?.[component]);
  const peeked = await cache.peek(recipe.component, recipe.version);
  const usable = peeked && existsSync(cache.blobPath(peeked.sha256)) && !staleAssembly(peeked, recipe);
  const entry = usable ? peeked : (await ensureArtifact(recipe, { ...fetchOptionsFor(inv, cache), log })).entry;
  const root = path.join(cache.root, 'unpacked', entry.sha256.slice(0, 16));
  // unpack() strips the archive's single top dir, so the tree is the root itself.
  const tree = root;
  if (existsSync(path.join(root, '.done'))) return tree;
  // Unpacked beside, then renamed: a half-unpacked tree is never used.
  const tmp = `${root}.tmp-${process.pid}`;
  await rm(tmp, { recursive: true, force: true });
  await mkdir(tmp, { recursive: true });
  await unpack(cache.blobPath(entry.sha256), tmp, 1);
  await writeFile(path.join(tmp, '.done'), `${entry.sha256}\n`);
  await rm(root, { recursive: true, force: true });
  await renameDurable(tmp, root);
  return tree;
}
