import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { acquireLock } from '../../../src/state/lock.js';
import { PyroError } from '../../../src/util/errors.js';

/** A pid that belonged to a process that has exited (so nothing answers signal 0). */
function deadPid(): number {
  const r = spawnSync('true');
  assert.ok(r.pid);
  return r.pid;
}

describe('acquireLock', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(path.join(os.tmpdir(), 'pyro-lock-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('writes a 0600 lock naming this process and the command', async () => {
    const lock = await acquireLock(dir, 'up');
    const info = JSON.parse(readFileSync(lock.file, 'utf8')) as { pid: number; hostname: string; command: string };
    assert.equal(lock.file, path.join(dir, 'lock'));
    assert.equal(info.pid, process.pid);
    assert.equal(info.hostname, os.hostname());
    assert.equal(info.command, 'up');
    assert.equal(statSync(lock.file).mode & 0o777, 0o600);
    assert.equal(lock.recovered, undefined);
    await lock.release();
  });

  it('refuses a second acquire while held, naming the command and pid', async () => {
    const lock = await acquireLock(dir, 'up --roles kafka-broker');
    await assert.rejects(acquireLock(dir, 'down'), (e: unknown) => {
      assert.ok(e instanceof PyroError);
      assert.equal(e.code, 'CLUSTER_LOCKED');
      assert.match(e.message, /`up --roles kafka-broker`/);
      assert.match(e.message, new RegExp(`pid ${process.pid}\\b`));
      return true;
    });
    // The refused attempt must not have touched the holder's lock.
    assert.equal((JSON.parse(readFileSync(lock.file, 'utf8')) as { command: string }).command, 'up --roles kafka-broker');
    await lock.release();
  });

  it('release removes the file, is idempotent, and frees the lock for the next run', async () => {
    const lock = await acquireLock(dir, 'up');
    await lock.release();
    assert.equal(existsSync(lock.file), false);
    const next = await acquireLock(dir, 'down');
    // A second release of the first lock must not delete the new holder's file.
    await lock.release();
    assert.equal(existsSync(next.file), true);
    await next.release();
    assert.equal(existsSync(next.file), false);
  });

  it('takes over a lock whose process on this machine is gone, and reports it', async () => {
    const pid = deadPid();
    const stale = { pid, hostname: os.hostname(), command: 'up', started: '2020-01-01T00:00:00.000Z' };
    writeFileSync(path.join(dir, 'lock'), `${JSON.stringify(stale)}\n`);
    const lock = await acquireLock(dir, 'status');
    assert.deepEqual(lock.recovered, stale);
    assert.equal((JSON.parse(readFileSync(lock.file, 'utf8')) as { pid: number }).pid, process.pid);
    await lock.release();
  });

  it('refuses a lock held from another machine even when its pid means nothing here', async () => {
    const other = { pid: deadPid(), hostname: `${os.hostname()}-elsewhere`, command: 'up', started: '2020-01-01T00:00:00.000Z' };
    writeFileSync(path.join(dir, 'lock'), JSON.stringify(other));
    await assert.rejects(
      acquireLock(dir, 'up'),
      (e: unknown) => e instanceof PyroError && e.code === 'CLUSTER_LOCKED' && e.message.includes(`on ${other.hostname}`) && (e.hint ?? '').includes('remove'),
    );
    assert.deepEqual(JSON.parse(readFileSync(path.join(dir, 'lock'), 'utf8')), other);
  });

  it('treats a garbage lock file as stale', async () => {
    writeFileSync(path.join(dir, 'lock'), 'not json{');
    const lock = await acquireLock(dir, 'up');
    assert.equal(lock.recovered, undefined);
    assert.equal((JSON.parse(readFileSync(lock.file, 'utf8')) as { command: string }).command, 'up');
    await lock.release();
  });

  it('creates the state dir when it does not exist', async () => {
    const nested = path.join(dir, 'clusters', 'c1');
    const lock = await acquireLock(nested, 'up');
    assert.equal(existsSync(path.join(nested, 'lock')), true);
    await lock.release();
  });
});
