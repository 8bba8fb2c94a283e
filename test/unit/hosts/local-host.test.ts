import { strict as assert } from 'node:assert';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { LocalHost } from '../../../src/hosts/local-host.js';
import { rejectsWith } from '../../helpers/assert.js';

/** Whether a process whose command line contains `needle` is running. */
function running(needle: string): boolean {
  return readdirSync('/proc')
    .filter((d) => /^\d+$/.test(d))
    .some((d) => {
      try {
        return readFileSync(`/proc/${d}/cmdline`, 'utf8').replace(/\0/g, ' ').includes(needle);
      } catch {
        return false;
      }
    });
}

describe('LocalHost', function () {
  this.timeout(10_000);
  const host = new LocalHost({ name: 'me' });
  let dir: string;
  before(() => (dir = mkdtempSync(path.join(os.tmpdir(), 'pyro-local-'))));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('runs sh -c with exit codes, stderr and env; non-zero resolves', async () => {
    assert.equal(host.address, 'local');
    assert.deepEqual(await host.exec('echo out; echo err >&2; exit 7'), { exitCode: 7, stdout: 'out\n', stderr: 'err\n' });
    assert.equal((await host.exec('echo "$A-$B"', { env: { A: '1', B: 'two words' } })).stdout, '1-two words\n');
    const killed = await host.exec('kill -KILL $$');
    assert.equal(killed.signal, 'SIGKILL');
    assert.equal(killed.exitCode, 137);
  });

  it('streams output chunks as they come', async () => {
    const seen: { at: number; text: string }[] = [];
    const start = Date.now();
    const r = await host.exec('echo one; sleep 0.3; echo two >&2', {
      onStdout: (c) => seen.push({ at: Date.now() - start, text: `out:${c.toString()}` }),
      onStderr: (c) => seen.push({ at: Date.now() - start, text: `err:${c.toString()}` }),
    });
    assert.deepEqual(
      seen.map((s) => s.text),
      ['out:one\n', 'err:two\n'],
    );
    assert.ok(seen[0]!.at < 250, `first chunk only after ${seen[0]!.at} ms`);
    assert.equal(r.stderr, 'two\n');
  });

  it('takes stdin from a string, a Buffer or a stream, and EOF otherwise', async () => {
    assert.equal((await host.exec('cat', { stdin: 'text' })).stdout, 'text');
    assert.equal((await host.exec('wc -c', { stdin: Buffer.alloc(100_000) })).stdout.trim(), '100000');
    assert.equal((await host.exec('cat', { stdin: Readable.from(['a', 'b']) })).stdout, 'ab');
    assert.equal((await host.exec('cat; echo eof')).stdout, 'eof\n');
    assert.equal((await host.exec('true', { stdin: Buffer.alloc(1 << 20) })).exitCode, 0, 'unread stdin must not fail');
  });

  it('kills the whole command on timeout (EXEC_TIMEOUT naming host and command)', async () => {
    const start = Date.now();
    const err = await rejectsWith(host.exec('sleep 41.25; echo never', { timeoutMs: 200 }), 'EXEC_TIMEOUT');
    assert.ok(Date.now() - start < 1500);
    assert.equal(err.host, 'me');
    assert.match(err.message, /me: "sleep 41\.25; echo never"/);
    assert.equal(running('sleep 41.25'), false);
  });

  it('is cancelled by an AbortSignal (EXEC_ABORTED), also when already aborted', async () => {
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 150);
    await rejectsWith(host.exec('sleep 42.5', { signal: ac.signal }), 'EXEC_ABORTED');
    assert.equal(running('sleep 42.5'), false);
    await rejectsWith(host.exec('true', { signal: ac.signal }), 'EXEC_ABORTED');
  });

  it('writes atomically with a mode, creating parent dirs and leaving no temp files', async () => {
    const target = path.join(dir, 'a', 'b', 'c.conf');
    await host.writeFile(target, 'x=1\n', { mode: 0o600 });
    assert.equal(readFileSync(target, 'utf8'), 'x=1\n');
    assert.equal(statSync(target).mode & 0o777, 0o600);
    await host.writeFile(target, Readable.from([Buffer.from('y='), Buffer.from('2\n')]));
    assert.equal(readFileSync(target, 'utf8'), 'y=2\n');
    assert.equal(statSync(target).mode & 0o777, 0o644);
    assert.deepEqual(readdirSync(path.dirname(target)), ['c.conf']);
  });

  it('keeps the old file when a streamed write fails or is aborted', async () => {
    const target = path.join(dir, 'keep.txt');
    writeFileSync(target, 'old');
    const failing = new Readable({
      read() {
        this.push('partial');
        this.destroy(new Error('source broke'));
      },
    });
    await rejectsWith(host.writeFile(target, failing), 'WRITE_FAILED');
    const ac = new AbortController();
    const slow = new Readable({ read() {} });
    slow.push('partial');
    setTimeout(() => ac.abort(), 50);
    await rejectsWith(host.writeFile(target, slow, { signal: ac.signal }), 'EXEC_ABORTED');
    assert.equal(readFileSync(target, 'utf8'), 'old');
    assert.deepEqual(
      readdirSync(dir).filter((f) => f.includes('keep')),
      ['keep.txt'],
    );
  });

  it('reads files; missing is FILE_NOT_FOUND with a hint', async () => {
    const f = path.join(dir, 'bin');
    writeFileSync(f, Buffer.from([1, 2, 3]));
    assert.deepEqual(await host.readFile(f), Buffer.from([1, 2, 3]));
    const err = await rejectsWith(host.readFile(path.join(dir, 'missing')), 'FILE_NOT_FOUND');
    assert.ok(err.hint);
  });

  it('hashes files (sha256 hex, null when missing)', async () => {
    const f = path.join(dir, 'hash.bin');
    const data = Buffer.alloc(300_000, 7);
    writeFileSync(f, data);
    assert.equal(await host.sha256(f), createHash('sha256').update(data).digest('hex'));
    assert.equal(await host.sha256(path.join(dir, 'missing')), null);
  });
});
