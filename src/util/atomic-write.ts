import { randomBytes } from 'node:crypto';
import { open, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { addAbortSignal, Readable } from 'node:stream';

export interface AtomicWriteOptions {
  /** Mode of the finished file (default 0o644), set before the rename so it never appears with another. */
  mode?: number;
  signal?: AbortSignal;
}

/**
 * Replaces `file` whole or not at all, also across a crash: a temporary file beside it (same filesystem, so the
 * rename is atomic), fsync, chmod, rename over the target, fsync of the directory. The directory must exist. The
 * temporary file is removed on any failure or abort, leaving the old file as it was.
 */
export async function writeFileAtomic(file: string, data: string | Buffer | AsyncIterable<Buffer | string>, opts: AtomicWriteOptions = {}): Promise<void> {
  const dir = dirname(file);
  const tmp = join(dir, `.${basename(file)}.pyro-tmp-${randomBytes(6).toString('hex')}`);
  const fh = await open(tmp, 'wx', 0o600);
  let closed = false;
  try {
    if (typeof data === 'string' || Buffer.isBuffer(data)) {
      opts.signal?.throwIfAborted();
      await fh.writeFile(data);
    } else {
      // A stalled stream must still end on abort, which checking between chunks would not do.
      if (opts.signal && data instanceof Readable) addAbortSignal(opts.signal, data);
      for await (const chunk of data) {
        opts.signal?.throwIfAborted();
        const buf = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
        for (let off = 0; off < buf.length;) off += (await fh.write(buf, off)).bytesWritten;
      }
    }
    await fh.sync();
    await fh.chmod(opts.mode ?? 0o644);
    await fh.close();
    closed = true;
    opts.signal?.throwIfAborted();
    await rename(tmp, file);
  } catch (err) {
    if (!closed) await fh.close().catch(() => undefined);
    await rm(tmp, { force: true });
    throw err;
  }
  await fsyncDir(dir);
}

/**
 * Makes a rename (or a new entry) in `dir` durable. Best effort: some filesystems refuse fsync on a directory, and
 * the entry is already there for every reader; only its survival of a power cut is at stake.
 */
export async function fsyncDir(dir: string): Promise<void> {
  try {
    const d = await open(dir, 'r');
    await d.sync().finally(() => d.close());
  } catch {
    /* see above */
  }
}

/** Flushes a file written by someone else (a tar tool, a download) to disk, before it is renamed into place. */
export async function fsyncFile(file: string): Promise<void> {
  const fh = await open(file, 'r');
  await fh.sync().finally(() => fh.close());
}

/** rename(2), then fsync of the parent dirs of both names, so that the move survives a crash (files and dirs). */
export async function renameDurable(from: string, to: string): Promise<void> {
  await rename(from, to);
  await fsyncDir(dirname(to));
  if (dirname(from) !== dirname(to)) await fsyncDir(dirname(from));
}
