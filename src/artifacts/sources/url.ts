import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { PyroError } from '../../util/errors.js';
import type { UrlSource } from '../types.js';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';

export interface DownloadOptions {
  /** Give up when no connection is made or no byte arrives for this long (default 20 s). */
  idleTimeoutMs?: number;
  signal?: AbortSignal;
  onProgress?: (received: number, total: number | undefined) => void;
}

/** Downloads `src.url` to `dest`, verifying its SHA-512; removes `dest` on any failure. */
export async function download(src: UrlSource, dest: string, opts: DownloadOptions = {}): Promise<void> {
  const idle = opts.idleTimeoutMs ?? 20_000;
  const ctrl = new AbortController();
  const onAbort = () => ctrl.abort(opts.signal?.reason);
  opts.signal?.addEventListener('abort', onAbort, { once: true });
  let timer = setTimeout(() => ctrl.abort(new Error(`no data for ${idle / 1000} s`)), idle);
  const poke = () => {
    clearTimeout(timer);
    timer = setTimeout(() => ctrl.abort(new Error(`no data for ${idle / 1000} s`)), idle);
  };
  const hash = createHash('sha512');
  try {
    const res = await fetch(src.url, { signal: ctrl.signal, redirect: 'follow' });
    if (!res.ok || !res.body) throw new Error(`HTTP ${res.status} ${res.statusText}`);
    const total = Number(res.headers.get('content-length')) || undefined;
    let received = 0;
    const meter = new Transform({
      transform(chunk: Buffer, _enc, cb) {
        poke();
        received += chunk.length;
        hash.update(chunk);
        opts.onProgress?.(received, total);
        cb(null, chunk);
      },
    });
    await pipeline(Readable.fromWeb(res.body as WebReadableStream), meter, createWriteStream(dest));
    const got = hash.digest('hex');
    if (got !== src.sha512.toLowerCase()) {
      throw new PyroError('CHECKSUM_MISMATCH', `${src.url}: SHA-512 is ${got.slice(0, 16)}..., expected ${src.sha512.slice(0, 16)}...`, {
        hint: 'the download is corrupt or was tampered with; try again or use another mirror',
      });
    }
  } catch (err) {
    await rm(dest, { force: true });
    if (err instanceof PyroError) throw err;
    const reason = ctrl.signal.aborted && ctrl.signal.reason instanceof Error ? ctrl.signal.reason.message : (err as Error).message;
    const cause = (err as Error & { cause?: Error }).cause?.message;
    throw new PyroError('DOWNLOAD_FAILED', `cannot download ${src.url}: ${reason}${cause ? ` (${cause})` : ''}`, {
      hint: 'without internet access, put the archive in a dir listed under artifacts.localDirs, or use `pyro bundle` on a connected machine',
      cause: err,
    });
  } finally {
    clearTimeout(timer);
    opts.signal?.removeEventListener('abort', onAbort);
  }
}
