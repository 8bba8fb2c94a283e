import { createWriteStream } from 'node:fs';
import { mkdir, readdir, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import extractZip from 'extract-zip';
import * as tar from 'tar';
import { PyroError } from '../util/errors.js';

export type ArchiveKind = 'tar' | 'tar.gz' | 'zip';

export function archiveKind(file: string): ArchiveKind | undefined {
  if (/\.(tar\.gz|tgz)$/i.test(file)) return 'tar.gz';
  if (/\.tar$/i.test(file)) return 'tar';
  if (/\.zip$/i.test(file)) return 'zip';
  return undefined;
}

/** Unpacks a release archive into `dest`, dropping the single top directory releases wrap themselves in. */
export async function unpack(file: string, dest: string, stripComponents?: number): Promise<void> {
  const kind = archiveKind(file);
  if (!kind)
    throw new PyroError('BAD_ARCHIVE', `${file} is not a .tar, .tar.gz, .tgz or .zip`, { hint: 'point at a release archive or an unpacked directory' });
  await mkdir(dest, { recursive: true });
  if (kind === 'zip') {
    await extractZip(file, { dir: path.resolve(dest) });
  } else {
    await tar.x({ file, cwd: dest, preserveOwner: false });
  }
  // Strip: explicit count, or one level when the archive holds exactly one directory.
  const strip = stripComponents ?? ((await readdir(dest)).length === 1 && (await stat(path.join(dest, (await readdir(dest))[0]!))).isDirectory() ? 1 : 0);
  for (let i = 0; i < strip; i++) {
    const [top, ...rest] = await readdir(dest);
    if (!top || rest.length)
      throw new PyroError('BAD_ARCHIVE', `${file}: expected one top directory to strip`, { hint: 'set stripComponents to 0 for this source' });
    const inner = path.join(dest, top);
    const moved = `${dest}.strip`;
    await rename(inner, moved);
    await rm(dest, { recursive: true, force: true });
    await rename(moved, dest);
  }
}

/**
 * Packs a directory's contents into an uncompressed tar (jars and wheels are compressed already), every entry under
 * `prefix/`, so tars of several distributions can be unpacked by one `tar -i` into their own dirs.
 */
export async function packDir(dir: string, outFile: string, prefix: string): Promise<void> {
  const entries = (await readdir(dir)).sort();
  await pipeline(tar.c({ cwd: dir, portable: true, follow: false, prefix }, entries), createWriteStream(outFile));
}
