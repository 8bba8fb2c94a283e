import { randomBytes } from 'node:crypto';
import { link, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { PyroError } from '../util/errors.js';
import { ensureStateDir } from './paths.js';

interface LockInfo {
  pid: number;
  hostname: string;
  command: string;
  started: string;
}

export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** A held cluster lock; release() is idempotent. */
export interface ClusterLock {
  file: string;
  /** Set when a stale lock (its process gone) was taken over. */
  recovered?: LockInfo;
  /** The run's id in the cluster's history, when its start was recorded. */
  run?: string;
  release(): Promise<void>;
}

/**
 * Takes `<dir>/lock` with O_EXCL. A lock whose process is gone (same machine) is stale: it is taken over and
 * reported. A live one refuses with who holds it.
 */
export async function acquireLock(dir: string, command: string): Promise<ClusterLock> {
  await ensureStateDir(dir);
  const file = path.join(dir, 'lock');
  const me: LockInfo = { pid: process.pid, hostname: os.hostname(), command, started: new Date().toISOString() };
  let recovered: LockInfo | undefined;
  for (let attempt = 0; attempt < 3; attempt++) {
    // Written whole under a temporary name, then hard-linked into place: link() fails when the lock exists, and a
    // reader never sees a half-written lock (which it would take for a stale one).
    const tmp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}`;
    await writeFile(tmp, `${JSON.stringify(me)}\n`, { mode: 0o600 });
    try {
      await link(tmp, file);
      await rm(tmp, { force: true });
      let released = false;
      return {
        file,
        recovered,
        release: async () => {
          if (released) return;
          released = true;
          await rm(file, { force: true });
        },
      };
    } catch (e) {
      await rm(tmp, { force: true });
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
    let held: LockInfo | undefined;
    try {
      held = JSON.parse(await readFile(file, 'utf8')) as LockInfo;
    } catch {
      held = undefined; // unreadable or half-written: treat as stale
    }
    const sameMachine = held?.hostname === os.hostname();
    if (held && (!sameMachine || pidAlive(held.pid))) {
      throw new PyroError(
        'CLUSTER_LOCKED',
        `another pyro run holds the cluster lock: \`${held.command}\` (pid ${held.pid} on ${held.hostname}, since ${held.started})`,
        {
          hint: sameMachine ? 'wait for it to finish, or stop it' : `if that run is gone, remove ${file}`,
        },
      );
    }
    recovered = held;
    await rm(file, { force: true });
  }
  throw new PyroError('CLUSTER_LOCKED', `cannot take the cluster lock ${file}`, { hint: `remove ${file} if no pyro run is active` });
}
