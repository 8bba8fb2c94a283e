import { existsSync } from 'node:fs';
import { mkdir, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { PyroError } from '../util/errors.js';
import { archiveKind, packDir, unpack } from './archive.js';
import { type ArtifactCache, blobTopDir, type CacheEntry } from './cache.js';
import { download } from './sources/url.js';
import { assembleContext, type RegistryOptions } from './tools.js';
import type { ArtifactRecipe, AssembleContext } from './types.js';

export type SourceKind = 'local' | 'url' | 'assemble';
export const DEFAULT_SOURCES: SourceKind[] = ['local', 'url', 'assemble'];

export interface FetchOptions {
  cache: ArtifactCache;
  sources?: SourceKind[];
  /** Dirs searched for release archives by name. */
  localDirs?: string[];
  /** An archive or unpacked dir per component (wins over localDirs). */
  files?: Record<string, string>;
  registry?: RegistryOptions;
  log?: (line: string) => void;
  signal?: AbortSignal;
}

export interface FetchResult {
  entry: CacheEntry;
  /** False when the cache already had it. */
  fetched: boolean;
  seconds: number;
}

/** Names a user's copy of the release may carry. */
function candidateNames(recipe: ArtifactRecipe): string[] {
  const names = [...(recipe.fileNames ?? [])];
  if (recipe.url) names.push(path.basename(new URL(recipe.url.url).pathname));
  return [...new Set(names)];
}

function findLocal(recipe: ArtifactRecipe, opts: FetchOptions): string | undefined {
  const given = opts.files?.[recipe.component];
  if (given) {
    if (!existsSync(given))
      throw new PyroError('LOCAL_ARTIFACT_MISSING', `${given} (artifacts.files.${recipe.component}) does not exist`, { hint: 'fix the path in the inventory' });
    return given;
  }
  for (const dir of opts.localDirs ?? []) {
    for (const name of candidateNames(recipe)) {
      const p = path.join(dir, name);
      if (existsSync(p)) return p;
    }
  }
  return undefined;
}

async function checkTree(recipe: ArtifactRecipe, root: string, from: string): Promise<void> {
  const missing = recipe.requiredPaths.filter((p) => !existsSync(path.join(root, p)));
  if (missing.length) {
    throw new PyroError('ARTIFACT_INCOMPLETE', `${from} lacks ${missing.join(', ')}: not a ${recipe.title} ${recipe.version} distribution`, {
      hint: `expected ${recipe.requiredPaths.join(', ')} inside it`,
    });
  }
}

function logFileFor(opts: FetchOptions, label: string): string {
  return path.join(opts.cache.root, 'logs', `${label}.log`);
}

async function withContext(stage: string, scratch: string, opts: FetchOptions, label: string, fn: (ctx: AssembleContext) => Promise<void>): Promise<void> {
  await mkdir(path.join(opts.cache.root, 'logs'), { recursive: true });
  const ctx = await assembleContext(stage, scratch, logFileFor(opts, label), opts.registry ?? {});
  try {
    await fn(ctx);
  } finally {
    await ctx.close();
  }
}

/** Runs the recipe's additions on an unpacked release. */
async function complete(recipe: ArtifactRecipe, stage: string, scratch: string, opts: FetchOptions, label: string): Promise<void> {
  if (recipe.complete) await withContext(stage, scratch, opts, label, recipe.complete);
}

/** An assembly made by an older recipe revision lacks what the recipe now adds: it must be built again. */
export function staleAssembly(entry: CacheEntry, recipe: ArtifactRecipe): boolean {
  return entry.source === 'assemble' && (entry.assemblyRevision ?? 0) !== (recipe.assemblyRevision ?? 0);
}

/**
 * Makes sure the cache holds a verified distribution of `recipe`, trying the sources in order. Every failure is
 * kept and reported together when no source works.
 */
export async function ensureArtifact(recipe: ArtifactRecipe, opts: FetchOptions): Promise<FetchResult> {
  const started = Date.now();
  const seconds = () => (Date.now() - started) / 1000;
  const cached = await opts.cache.get(recipe.component, recipe.version);
  const stale = cached !== undefined && staleAssembly(cached, recipe);
  if (cached && !stale) return { entry: cached, fetched: false, seconds: seconds() };

  const log = opts.log ?? (() => undefined);
  const failures: string[] = [];
  const label = `${recipe.component}-${recipe.version}`;
  for (const kind of opts.sources ?? DEFAULT_SOURCES) {
    opts.signal?.throwIfAborted();
    const stage = await opts.cache.tmpPath(`${label}.stage`);
    const scratch = await opts.cache.tmpPath(`${label}.scratch`);
    const tarTmp = await opts.cache.tmpPath(`${label}.tar`);
    try {
      let root = stage;
      if (kind === 'local') {
        const found = findLocal(recipe, opts);
        if (!found) {
          failures.push(
            `local: no ${candidateNames(recipe).join(' or ') || 'file'} in ${opts.localDirs?.length ? opts.localDirs.join(', ') : '(no artifacts.localDirs)'}`,
          );
          continue;
        }
        log(`${label}: from ${found}`);
        if ((await stat(found)).isDirectory()) root = found;
        else {
          await unpack(found, stage);
          await complete(recipe, stage, scratch, opts, label);
        }
        await checkTree(recipe, root, found);
      } else if (kind === 'url') {
        if (!recipe.url) {
          failures.push('url: no official release URL is known for this version');
          continue;
        }
        const ext = archiveKind(recipe.url.url) ?? 'tar.gz';
        const file = `${scratch}.${ext}`;
        log(`${label}: downloading ${recipe.url.url}`);
        await download(recipe.url, file, { signal: opts.signal });
        try {
          await unpack(file, stage, recipe.url.stripComponents);
        } finally {
          await rm(file, { force: true });
        }
        await complete(recipe, stage, scratch, opts, label);
        await checkTree(recipe, root, recipe.url.url);
      } else {
        if (!recipe.assemble) {
          failures.push(`assemble: ${recipe.unavailable ?? 'no assembly from registries exists for it'}`);
          continue;
        }
        log(
          `${label}: assembling from ${opts.registry?.mavenRepo ?? 'Maven Central'} / ${opts.registry?.pypiIndex ?? 'PyPI'} (log: ${logFileFor(opts, label)})`,
        );
        await withContext(stage, scratch, opts, label, (ctx) => recipe.assemble!(ctx));
        await checkTree(recipe, root, 'the assembly');
      }
      await packDir(root, tarTmp, blobTopDir(recipe.component, recipe.version));
      const entry = await opts.cache.put(tarTmp, {
        component: recipe.component,
        version: recipe.version,
        source: kind,
        ...(kind === 'assemble' && recipe.assemblyRevision ? { assemblyRevision: recipe.assemblyRevision } : {}),
      });
      log(`${label}: cached ${(entry.size / 1048576).toFixed(0)} MiB as ${entry.sha256.slice(0, 12)} in ${seconds().toFixed(0)} s`);
      return { entry, fetched: true, seconds: seconds() };
    } catch (err) {
      if (opts.signal?.aborted) throw err;
      failures.push(`${kind}: ${(err as Error).message.split('\n')[0]}`);
    } finally {
      await Promise.all([stage, scratch, tarTmp].map((p) => rm(p, { recursive: true, force: true })));
    }
  }
  throw new PyroError('ARTIFACT_UNAVAILABLE', `cannot obtain ${recipe.title} ${recipe.version}:\n${failures.map((f) => `    - ${f}`).join('\n')}`, {
    hint: unavailableHint(recipe, opts),
  });
}

/**
 * For a plan: why a distribution the cache lacks could not be had now, or undefined when a source may work (a local
 * copy is there, or a release URL or an assembly exists). Looks at the local file system only.
 */
export function missingSupply(recipe: ArtifactRecipe, opts: FetchOptions): string | undefined {
  if (recipe.url || recipe.assemble) return undefined;
  const what = `${recipe.title} ${recipe.version} is not in the cache`;
  try {
    if ((opts.sources ?? DEFAULT_SOURCES).includes('local') && findLocal(recipe, opts)) return undefined;
  } catch (err) {
    return `${what}, and ${(err as Error).message}`;
  }
  return `${what}, and no copy of it was found; ${unavailableHint(recipe, opts)}`;
}

/**
 * What to do when no source worked. A distribution only the user can supply (no release URL, no assembly) gets the
 * file it needs and every way pyro takes one in.
 */
function unavailableHint(recipe: ArtifactRecipe, opts: FetchOptions): string {
  if (recipe.url || recipe.assemble) {
    return 'put the release archive in a dir listed under artifacts.localDirs, or check the registry settings (artifacts.mavenRepo / artifacts.pypiIndex)';
  }
  const c = recipe.component;
  const [first, ...others] = candidateNames(recipe);
  const file = first ? `${first}${others.length ? ` (also taken: ${others.join(', ')})` : ''}` : `a ${recipe.title} ${recipe.version} release`;
  const sources = opts.sources ?? DEFAULT_SOURCES;
  // No sources at all is a push from a bundle: the bundle lacks it, and artifacts.sources is not the matter.
  const addLocal = sources.length && !sources.includes('local') ? 'add local to artifacts.sources, then ' : '';
  return (
    `supply ${file}: ${addLocal}set artifacts.files.${c} to it (or to the ` +
    `dir it unpacks to), or put it in a dir listed under artifacts.localDirs; or, on a machine whose cache has it, ` +
    `\`pyro bundle -o FILE\`, then \`pyro cache import FILE\` here. Another version: set artifacts.versions.${c} too.`
  );
}
