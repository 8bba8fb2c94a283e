import { existsSync } from 'node:fs';
import { link, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import * as tar from 'tar';
import { writeFileAtomic } from '../util/atomic-write.js';
import { InputError, PyroError } from '../util/errors.js';
import { BLOB_LAYOUT, sha256File, type ArtifactCache, type CacheEntry } from './cache.js';

export const BUNDLE_FORMAT = 'pyro-bundle/1';

export interface BundleManifest {
  format: typeof BUNDLE_FORMAT;
  createdAt: string;
  artifacts: Pick<CacheEntry, 'component' | 'version' | 'sha256' | 'size' | 'source' | 'layout'>[];
}

/**
 * Writes one tar holding a manifest and the cached distributions, to carry into an air-gapped network.
 * Written under a temp name, synced and renamed, so a half-written bundle never has the final name.
 */
export async function writeBundle(cache: ArtifactCache, entries: CacheEntry[], file: string): Promise<BundleManifest> {
  const manifest: BundleManifest = {
    format: BUNDLE_FORMAT,
    createdAt: new Date().toISOString(),
    artifacts: entries.map(({ component, version, sha256, size, source, layout }) => ({ component, version, sha256, size, source, layout })),
  };
  const work = await cache.tmpPath('bundle');
  await mkdir(path.join(work, 'blobs'), { recursive: true });
  try {
    await writeFile(path.join(work, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
    // Hard links keep the staging free of copies; the cache and the staging share a filesystem.
    for (const e of entries) await link(cache.blobPath(e.sha256), path.join(work, 'blobs', `${e.sha256}.tar`));
    await mkdir(path.dirname(path.resolve(file)), { recursive: true });
    await writeFileAtomic(file, tar.c({ cwd: work, portable: true }, ['manifest.json', 'blobs']));
  } finally {
    await rm(work, { recursive: true, force: true });
  }
  return manifest;
}

/** Imports a bundle into the cache, verifying every distribution against the manifest. */
export async function importBundle(cache: ArtifactCache, file: string): Promise<CacheEntry[]> {
  if (!existsSync(file))
    throw new InputError('BUNDLE_NOT_FOUND', `bundle ${file} does not exist`, { hint: 'make one with `pyro bundle -o FILE` on a machine that can fetch' });
  const work = await cache.tmpPath('import');
  await mkdir(work, { recursive: true });
  try {
    await tar.x({ file, cwd: work, preserveOwner: false });
    let manifest: BundleManifest;
    try {
      manifest = JSON.parse(await readFile(path.join(work, 'manifest.json'), 'utf8')) as BundleManifest;
    } catch {
      throw new InputError('BAD_BUNDLE', `${file} is not a pyro bundle (no readable manifest.json)`, { hint: 'make bundles with `pyro bundle`' });
    }
    if (manifest.format !== BUNDLE_FORMAT)
      throw new InputError('BAD_BUNDLE', `${file}: unknown bundle format ${String(manifest.format)}`, { hint: `this pyro reads ${BUNDLE_FORMAT}` });
    const out: CacheEntry[] = [];
    for (const a of manifest.artifacts) {
      if (a.layout !== BLOB_LAYOUT)
        throw new InputError('BAD_BUNDLE', `${file} was written by another pyro version (layout ${String(a.layout)})`, {
          hint: 'make the bundle again with this pyro',
        });
      const blob = path.join(work, 'blobs', `${a.sha256}.tar`);
      if (!existsSync(blob) || (await sha256File(blob)) !== a.sha256) {
        throw new PyroError('BUNDLE_CORRUPT', `${file}: ${a.component} ${a.version} is missing or damaged in the bundle`, {
          hint: 'copy the bundle again and compare its size',
        });
      }
      out.push(await cache.put(blob, { component: a.component, version: a.version, source: 'bundle' }, a.sha256));
    }
    return out;
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}
