import { strict as assert } from 'node:assert';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import * as tar from 'tar';
import { importBundle, writeBundle } from '../../../src/artifacts/bundle.js';
import { ArtifactCache, sha256File } from '../../../src/artifacts/cache.js';
import { ensureArtifact, missingSupply } from '../../../src/artifacts/fetch.js';
import { logstashRecipe } from '../../../src/artifacts/recipes/logstash.js';
import type { ArtifactRecipe } from '../../../src/artifacts/types.js';

const tmp = (p: string) => mkdtempSync(path.join(os.tmpdir(), `pyro-${p}-`));

/** A tiny release archive `demo-1.0/` with bin/demo and lib/demo.jar, as a .tar.gz. */
async function makeRelease(dir: string): Promise<{ file: string; sha512: string }> {
  const src = path.join(dir, 'src', 'demo-1.0');
  mkdirSync(path.join(src, 'bin'), { recursive: true });
  mkdirSync(path.join(src, 'lib'), { recursive: true });
  writeFileSync(path.join(src, 'bin', 'demo'), '#!/bin/sh\necho demo\n', { mode: 0o755 });
  writeFileSync(path.join(src, 'lib', 'demo.jar'), Buffer.alloc(200_000, 7));
  const file = path.join(dir, 'demo-1.0.tar.gz');
  await tar.c({ gzip: true, file, cwd: path.join(dir, 'src') }, ['demo-1.0']);
  return { file, sha512: createHash('sha512').update(readFileSync(file)).digest('hex') };
}

function recipe(over: Partial<ArtifactRecipe> = {}): ArtifactRecipe {
  return { component: 'demo', version: '1.0', title: 'Demo', requiredPaths: ['bin/demo', 'lib'], fileNames: ['demo-1.0.tar.gz'], ...over };
}

function listTar(file: string): string[] {
  const names: string[] = [];
  tar.t({
    file,
    sync: true,
    onReadEntry: (e) => {
      names.push(e.path);
    },
  });
  return names;
}

describe('artifact cache and sources', () => {
  let dir: string;
  let release: { file: string; sha512: string };
  let server: Server;
  let base: string;

  before(async () => {
    dir = tmp('fetch');
    release = await makeRelease(dir);
    server = createServer((req, res) => {
      if (req.url === '/demo-1.0.tar.gz') res.end(readFileSync(release.file));
      else if (req.url === '/stall.tar.gz')
        res.writeHead(200, { 'content-length': '1000000' }).write(Buffer.alloc(1000)); // then never ends
      else res.writeHead(404).end();
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => {
    server.closeAllConnections();
    server.close();
  });

  it('takes a release archive from a local dir, strips its top dir and caches one tar by sha256', async () => {
    const cache = new ArtifactCache(tmp('cache'));
    const r = await ensureArtifact(recipe(), { cache, sources: ['local'], localDirs: [dir] });
    assert.equal(r.fetched, true);
    assert.equal(r.entry.source, 'local');
    const blob = cache.blobPath(r.entry.sha256);
    assert.equal(await sha256File(blob), r.entry.sha256);
    assert.deepEqual(
      listTar(blob)
        .filter((n) => !n.endsWith('/'))
        .sort(),
      ['demo-1.0/bin/demo', 'demo-1.0/lib/demo.jar'],
    );
    const again = await ensureArtifact(recipe(), { cache, sources: ['local'], localDirs: [] });
    assert.equal(again.fetched, false, 'second call served from the cache');
  });

  it('downloads an official URL, verifying its SHA-512', async () => {
    const cache = new ArtifactCache(tmp('cache'));
    const r = await ensureArtifact(recipe({ url: { url: `${base}/demo-1.0.tar.gz`, sha512: release.sha512 } }), { cache, sources: ['url'] });
    assert.equal(r.entry.source, 'url');
    assert.ok(listTar(cache.blobPath(r.entry.sha256)).includes('demo-1.0/bin/demo'));
  });

  it('rejects a download whose SHA-512 differs and falls through to the next source', async () => {
    const cache = new ArtifactCache(tmp('cache'));
    const bad = recipe({ url: { url: `${base}/demo-1.0.tar.gz`, sha512: 'ab'.repeat(64) } });
    await assert.rejects(ensureArtifact(bad, { cache, sources: ['url'] }), /SHA-512 is .* expected abababab/);
    const r = await ensureArtifact(bad, { cache, sources: ['url', 'local'], localDirs: [dir] });
    assert.equal(r.entry.source, 'local');
    assert.deepEqual(readdirSync(path.join(cache.root, 'tmp')), [], 'no temp files left');
  });

  it('an interrupted download leaves nothing under a final name', async () => {
    const cache = new ArtifactCache(tmp('cache'));
    const stall = recipe({ url: { url: `${base}/stall.tar.gz`, sha512: release.sha512 } });
    const ctrl = new AbortController();
    setTimeout(() => ctrl.abort(new Error('interrupted by test')), 300);
    await assert.rejects(ensureArtifact(stall, { cache, sources: ['url'], signal: ctrl.signal }));
    assert.equal(await cache.peek('demo', '1.0'), undefined);
    assert.equal(existsSync(path.join(cache.root, 'blobs')), false);
    assert.deepEqual(readdirSync(path.join(cache.root, 'tmp')), []);
  });

  it('a corrupted cache entry is detected on use and fetched again', async () => {
    const cache = new ArtifactCache(tmp('cache'));
    const first = await ensureArtifact(recipe(), { cache, sources: ['local'], localDirs: [dir] });
    const blob = cache.blobPath(first.entry.sha256);
    const bytes = readFileSync(blob);
    bytes[bytes.length - 2000] = bytes[bytes.length - 2000]! ^ 0xff;
    writeFileSync(blob, bytes);
    assert.equal(await cache.get('demo', '1.0'), undefined, 'corrupt entry refused');
    const again = await ensureArtifact(recipe(), { cache, sources: ['local'], localDirs: [dir] });
    assert.equal(again.fetched, true);
    assert.equal(await sha256File(cache.blobPath(again.entry.sha256)), again.entry.sha256);
  });

  it('takes an unpacked directory, and refuses a tree missing required paths', async () => {
    const cache = new ArtifactCache(tmp('cache'));
    const unpacked = path.join(dir, 'src', 'demo-1.0');
    const r = await ensureArtifact(recipe(), { cache, sources: ['local'], files: { demo: unpacked } });
    assert.ok(r.fetched);
    await assert.rejects(
      ensureArtifact(recipe({ version: '2.0', requiredPaths: ['bin/missing'] }), { cache, sources: ['local'], files: { demo: unpacked } }),
      /lacks bin\/missing/,
    );
  });

  it('assembles through the recipe and reports every source that failed, with a hint', async () => {
    const cache = new ArtifactCache(tmp('cache'));
    const r = await ensureArtifact(
      recipe({
        assemble: async (ctx) => {
          await ctx.write('bin/demo', 'x', 0o755);
          await ctx.write('lib/a.jar', 'y');
        },
      }),
      { cache, sources: ['assemble'] },
    );
    assert.equal(r.entry.source, 'assemble');
    const err = (await ensureArtifact(recipe({ version: '9', fileNames: ['demo-9.tar.gz'], unavailable: 'Demo is on no registry' }), {
      cache,
      sources: ['local', 'url', 'assemble'],
      localDirs: [dir],
    }).then(
      () => assert.fail('expected no source to work'),
      (e: unknown) => e,
    )) as Error & { hint?: string };
    assert.match(err.message, /cannot obtain Demo 9:/);
    assert.match(err.message, /- local: no demo-9.tar.gz/);
    assert.match(err.message, /- url: no official release URL/);
    assert.match(err.message, /- assemble: Demo is on no registry/);
    assert.match(err.hint!, /artifacts\.files\.demo/);
  });

  it('a distribution only the user can supply (Logstash): the error names the archive and every way to hand it in', async () => {
    const cache = new ArtifactCache(tmp('cache'));
    const fail = (opts: Omit<Parameters<typeof ensureArtifact>[1], 'cache'>) =>
      ensureArtifact(logstashRecipe('8.15.3'), { cache, ...opts }).then(
        () => assert.fail('expected no source to work'),
        (e: unknown) => e as Error & { hint?: string },
      );
    const err = await fail({ sources: ['local', 'url', 'assemble'], localDirs: [dir] });
    assert.match(err.message, /cannot obtain Logstash 8\.15\.3:/);
    assert.ok(err.message.includes(`- local: no logstash-8.15.3-linux-x86_64.tar.gz or logstash-oss-8.15.3-linux-x86_64.tar.gz`), err.message);
    assert.match(err.message, /- assemble: Logstash is not on Maven Central, PyPI, npm or Debian/);
    assert.match(err.hint!, /^supply logstash-8\.15\.3-linux-x86_64\.tar\.gz \(also taken: logstash-oss-8\.15\.3-linux-x86_64\.tar\.gz/);
    for (const way of [
      'set artifacts.files.logstash to it',
      'artifacts.localDirs',
      '`pyro bundle -o FILE`',
      '`pyro cache import FILE`',
      'artifacts.versions.logstash',
    ])
      assert.ok(err.hint!.includes(way), `hint lacks ${way}: ${err.hint}`);
    assert.ok(!err.hint!.includes('artifacts.sources'), err.hint);
    // Without the local source in the inventory's list, that comes first.
    assert.match((await fail({ sources: ['url', 'assemble'] })).hint!, /: add local to artifacts\.sources, then set artifacts\.files\.logstash/);
    // A push from a bundle (no sources at all): the bundle lacks it, the sources are not the matter.
    assert.ok(!(await fail({ sources: [] })).hint!.includes('artifacts.sources'));
    // The archive under a name pyro looks for, in a local dir: taken (an unpacked tree with what Logstash's has).
    const src = path.join(tmp('ls'), 'logstash-8.15.3');
    for (const d of ['bin', 'logstash-core', 'config']) mkdirSync(path.join(src, d), { recursive: true });
    writeFileSync(path.join(src, 'bin', 'logstash'), '#!/bin/sh\n', { mode: 0o755 });
    const local = tmp('ls-dir');
    await tar.c({ gzip: true, file: path.join(local, 'logstash-oss-8.15.3-linux-x86_64.tar.gz'), cwd: path.dirname(src) }, ['logstash-8.15.3']);
    const got = await ensureArtifact(logstashRecipe('8.15.3'), { cache, sources: ['local'], localDirs: [local] });
    assert.equal(got.entry.source, 'local');
  });

  it('a plan (up --dry-run) says the same before anything runs; it stays quiet when a copy is found or a source may work', async () => {
    const ls = logstashRecipe('8.15.3');
    const missing = missingSupply(ls, { cache: new ArtifactCache(tmp('cache')), sources: ['local', 'url', 'assemble'], localDirs: [dir] });
    assert.match(missing!, /^Logstash 8\.15\.3 is not in the cache, and no copy of it was found; supply logstash-8\.15\.3-linux-x86_64\.tar\.gz/);
    assert.match(
      missingSupply(ls, { cache: new ArtifactCache(tmp('cache')), files: { logstash: '/no/such/logstash.tar.gz' } })!,
      /^Logstash 8\.15\.3 is not in the cache, and \/no\/such\/logstash\.tar\.gz \(artifacts\.files\.logstash\) does not exist$/,
    );
    const local = tmp('ls-dir');
    writeFileSync(path.join(local, 'logstash-8.15.3-linux-x86_64.tar.gz'), 'not read by a plan');
    assert.equal(missingSupply(ls, { cache: new ArtifactCache(tmp('cache')), localDirs: [local] }), undefined);
    assert.equal(missingSupply(recipe({ assemble: async () => undefined }), { cache: new ArtifactCache(tmp('cache')) }), undefined);
  });

  it('a bundle carries entries into another cache, verified', async () => {
    const a = new ArtifactCache(tmp('cache'));
    const r = await ensureArtifact(recipe(), { cache: a, sources: ['local'], localDirs: [dir] });
    const file = path.join(tmp('bundle'), 'pyro-bundle.tar');
    await writeBundle(a, [r.entry], file);
    const b = new ArtifactCache(tmp('cache'));
    const imported = await importBundle(b, file);
    assert.equal(imported[0]!.sha256, r.entry.sha256);
    assert.equal(imported[0]!.source, 'bundle');
    const got = await ensureArtifact(recipe(), { cache: b, sources: [] });
    assert.equal(got.fetched, false);
    // A damaged bundle is refused.
    const bytes = readFileSync(file);
    const mid = Math.floor(bytes.length / 2);
    bytes[mid] = bytes[mid]! ^ 0xff;
    writeFileSync(file, bytes);
    await assert.rejects(importBundle(new ArtifactCache(tmp('cache')), file), /damaged|not a pyro bundle|TAR_/);
  });

  it('lists entries and prunes blobs nothing refers to', async () => {
    const cache = new ArtifactCache(tmp('cache'));
    const first = await ensureArtifact(recipe(), { cache, sources: ['local'], localDirs: [dir] });
    const orphan = path.join(cache.root, 'blobs', 'sha256', `${'0'.repeat(64)}.tar`);
    writeFileSync(orphan, Buffer.alloc(4096));
    assert.deepEqual(
      (await cache.list()).map((e) => `${e.component} ${e.version}`),
      ['demo 1.0'],
    );
    const dry = await cache.prune({ dryRun: true });
    assert.deepEqual(dry.files, [orphan]);
    assert.ok(existsSync(orphan));
    await cache.prune();
    assert.equal(existsSync(orphan), false);
    assert.ok(existsSync(cache.blobPath(first.entry.sha256)), 'a referenced blob stays');
  });
});
