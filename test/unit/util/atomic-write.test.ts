import { strict as assert } from 'node:assert';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { renameDurable, writeFileAtomic } from '../../../src/util/atomic-write.js';

describe('writeFileAtomic', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(path.join(os.tmpdir(), 'pyro-atomic-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('writes the content with the mode given (0644 by default), leaving no temp file', async () => {
    const file = path.join(dir, 'state.json');
    await writeFileAtomic(file, '{"a":1}\n');
    assert.equal(readFileSync(file, 'utf8'), '{"a":1}\n');
    assert.equal(statSync(file).mode & 0o777, 0o644);
    await writeFileAtomic(file, Buffer.from('secret\n'), { mode: 0o600 });
    assert.equal(readFileSync(file, 'utf8'), 'secret\n');
    assert.equal(statSync(file).mode & 0o777, 0o600);
    assert.deepEqual(readdirSync(dir), ['state.json']);
  });

  it('replaces the file by rename (a new inode), never rewriting it in place', async () => {
    const file = path.join(dir, 'known_hosts');
    writeFileSync(file, 'old\n');
    const ino = statSync(file).ino;
    await writeFileAtomic(file, 'new\n');
    assert.notEqual(statSync(file).ino, ino);
  });

  it('streams an async iterable of chunks', async () => {
    const file = path.join(dir, 'bundle.tar');
    await writeFileAtomic(file, Readable.from([Buffer.from('one '), 'two ', Buffer.alloc(70_000, 'x')]));
    assert.equal(readFileSync(file, 'utf8'), `one two ${'x'.repeat(70_000)}`);
  });

  it('on a failing stream, leaves the old file intact and removes the temp file', async () => {
    const file = path.join(dir, 'state.json');
    writeFileSync(file, 'old\n', { mode: 0o600 });
    const failing = (async function* () {
      yield Buffer.from('half of the new');
      throw new Error('disk gone');
    })();
    await assert.rejects(writeFileAtomic(file, failing), /disk gone/);
    assert.equal(readFileSync(file, 'utf8'), 'old\n');
    assert.equal(statSync(file).mode & 0o777, 0o600);
    assert.deepEqual(readdirSync(dir), ['state.json']);
  });

  it('on abort, leaves the old file intact and removes the temp file', async () => {
    const file = path.join(dir, 'f');
    writeFileSync(file, 'old\n');
    const ac = new AbortController();
    ac.abort(new Error('cancelled'));
    await assert.rejects(writeFileAtomic(file, 'new\n', { signal: ac.signal }), /cancelled/);
    assert.equal(readFileSync(file, 'utf8'), 'old\n');
    assert.deepEqual(readdirSync(dir), ['f']);
  });

  it('fails without creating anything when the directory is missing', async () => {
    await assert.rejects(writeFileAtomic(path.join(dir, 'missing', 'f'), 'x'), { code: 'ENOENT' });
    assert.deepEqual(readdirSync(dir), []);
  });
});

describe('renameDurable', () => {
  it('moves a directory into place', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'pyro-atomic-'));
    try {
      mkdirSync(path.join(dir, 'tree.tmp'));
      writeFileSync(path.join(dir, 'tree.tmp', '.done'), 'x');
      await renameDurable(path.join(dir, 'tree.tmp'), path.join(dir, 'tree'));
      assert.deepEqual(readdirSync(dir), ['tree']);
      assert.equal(readFileSync(path.join(dir, 'tree', '.done'), 'utf8'), 'x');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
