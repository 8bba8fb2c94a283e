import { strict as assert } from 'node:assert';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { InventoryError } from '../../../src/inventory/diagnostics.js';
import { loadInventory } from '../../../src/services/catalog.js';
import { ROOT, runPyro, type PyroRun } from '../../helpers/cli.js';

// Each malformed inventory states on its first line where its error is and what it and its hint say:
//   # expect: LINE:COL | message substring | hint substring
const DIR = path.join(ROOT, 'test', 'fixtures', 'invalid');
const files = readdirSync(DIR)
  .filter((f) => f.endsWith('.yaml'))
  .sort();

function expectation(file: string): { line: number; col: number; message: string; hint: string } {
  const first = readFileSync(path.join(DIR, file), 'utf8').split('\n')[0] ?? '';
  const m = /^# expect: (\d+):(\d+) \| (.*?) \| ?(.*)$/.exec(first);
  // The empty file can't carry a header: its error is at 1:1.
  if (!m) return { line: 1, col: 1, message: 'the inventory is empty', hint: 'pyro init' };
  return { line: Number(m[1]), col: Number(m[2]), message: m[3]!, hint: m[4]!.trim() };
}

// The issue asks for an answer in under 2 s. Node's start alone can take that long on a saturated machine, so each run
// is set beside a plain one (a small fixture): pyro's own share must stay under 1.5 s, and the 2 s bound holds whenever
// the plain run leaves room for it. A run over the bound is tried again beside a fresh plain run: noise rarely
// strikes three times, a slow loader always does.
const PLAIN = ['validate', '-i', 'test/fixtures/invalid/29-duplicate-key.yaml'];
let plainMs = Infinity;
async function timedRun(args: string[]): Promise<PyroRun & { ms: number }> {
  const start = performance.now();
  const r = await runPyro(args);
  return { ...r, ms: performance.now() - start };
}
const quick = (ms: number, plain: number) => ms < plain + 1500 && (plain >= 1000 || ms < 2000);
async function runQuickly(what: string, args: string[]): Promise<PyroRun> {
  if (plainMs === Infinity) plainMs = Math.min((await timedRun(PLAIN)).ms, (await timedRun(PLAIN)).ms);
  let r = await timedRun(args);
  for (let tries = 1; !quick(r.ms, plainMs) && tries < 3; tries++) {
    plainMs = (await timedRun(PLAIN)).ms;
    r = await timedRun(args);
  }
  assert.ok(quick(r.ms, plainMs), `${what}: ${Math.round(r.ms)} ms, a plain run ${Math.round(plainMs)} ms`);
  return r;
}
function assertNoCrash(what: string, r: PyroRun): void {
  assert.doesNotMatch(r.stderr, /internal error/, `${what}: an internal error\n${r.stderr}`);
  assert.doesNotMatch(r.stderr, /\n\s+at .+:\d+:\d+\)?\n/, `${what}: printed a stack trace`);
}

describe('malformed inventories (test/fixtures/invalid)', () => {
  it('has a corpus of at least 25', () => assert.ok(files.length >= 25, `only ${files.length} fixtures`));

  for (const file of files) {
    it(`${file}: a located error with a hint`, async () => {
      const want = expectation(file);
      const err = await loadInventory(path.join(DIR, file)).then(
        () => assert.fail('expected the inventory to be rejected'),
        (e: unknown) => e,
      );
      assert.ok(err instanceof InventoryError, `expected InventoryError, got ${String(err)}`);
      const hit = err.diagnostics.find((d) => d.severity === 'error' && d.line === want.line && d.col === want.col && d.message.includes(want.message));
      assert.ok(
        hit,
        `no error at ${want.line}:${want.col} containing "${want.message}"; got:\n${err.diagnostics.map((d) => `${d.line}:${d.col} ${d.message}`).join('\n')}`,
      );
      assert.ok(hit.hint && hit.hint.includes(want.hint), `hint "${hit.hint}" lacks "${want.hint}"`);
      assert.equal(err.exitCode, 2);
    });
  }

  // One test each: through a spawned CLI, the corpus outlasts any single timeout on a busy machine.
  for (const file of files) {
    it(`${file}: the CLI exits 2 and prints file:line:col and a hint, quickly`, async () => {
      const rel = path.join('test', 'fixtures', 'invalid', file);
      const want = expectation(file);
      const r = await runQuickly(file, ['validate', '-i', rel]);
      assert.equal(r.exitCode, 2, `${file}: exit ${r.exitCode}\n${r.stderr}`);
      assert.ok(r.stderr.includes(`${rel}:${want.line}:${want.col}: error:`), `${file}: stderr lacks location\n${r.stderr}`);
      assert.match(r.stderr, /hint: /, `${file}: no hint`);
      assertNoCrash(file, r);
    });
  }

  it('a missing file, a directory and an unreadable path are clear errors, exit 2', async () => {
    const missing = await runPyro(['validate', '-i', 'no/such/inventory.yaml']);
    assert.equal(missing.exitCode, 2);
    assert.match(missing.stderr, /inventory no\/such\/inventory.yaml does not exist/);
    assert.match(missing.stderr, /hint: create one with `pyro init`/);
    const dir = await runPyro(['validate', '-i', 'inventories']);
    assert.equal(dir.exitCode, 2);
    assert.match(dir.stderr, /inventories is a directory/);
    assert.match(dir.stderr, /hint: pass a YAML file inside it/);
  });

  it('reports all errors at once, in file order', async () => {
    const r = await runPyro(['validate', '-i', 'test/fixtures/multi-error.yaml']);
    assert.equal(r.exitCode, 2);
    const lines = r.stderr.split('\n').filter((l) => / error: /.test(l) && /:\d+:\d+:/.test(l));
    assert.ok(lines.length >= 4, `expected several errors:\n${r.stderr}`);
    const order = lines.map((l) => Number(/:(\d+):\d+:/.exec(l)![1]));
    assert.deepEqual(
      order,
      [...order].sort((a, b) => a - b),
    );
    assert.match(r.stderr, /error: test\/fixtures\/multi-error.yaml: \d+ errors in the inventory/);
  });

  it('validate --json reports errors as data', async () => {
    const r = await runPyro(['validate', '--json', '-i', 'test/fixtures/multi-error.yaml']);
    assert.equal(r.exitCode, 2);
    const out = JSON.parse(r.stdout) as { valid: boolean; errors: { line: number; path: string; hint?: string }[] };
    assert.equal(out.valid, false);
    assert.ok(out.errors.length >= 4);
    assert.ok(out.errors.every((e) => e.line > 0 && e.path));
  });
});

// Too large to commit, or not text at all: built in a temp dir, each refused through the real CLI.
describe('hostile inventories (built at test time)', () => {
  const MiB = 1 << 20;
  // Its job and dashboard paths are relative to inventories/: made absolute, the copy is valid anywhere.
  const threeHosts = Buffer.from(readFileSync(path.join(ROOT, 'inventories', 'three-hosts.yaml'), 'utf8').replaceAll(': ../', `: ${ROOT}/`));
  // Bytes 1..255 from a fixed seed: not UTF-8, and no NUL, so it is the decoder, not the binary check, that refuses them.
  const garbage = (n: number) => {
    let x = 42;
    return Buffer.from(Array.from({ length: n }, () => ((x = (x * 1103515245 + 12345) >>> 0) % 255) + 1));
  };
  const cases: { file: string; bytes: () => string | Buffer; at?: string; message: RegExp; hint: RegExp }[] = [
    {
      file: 'thirty-mib.yaml',
      bytes: () => `hosts:\n${'  - name: node1\n'.repeat((30 * MiB) / 16)}`,
      at: '1:1',
      message: /the file is 30\.0 MiB; an inventory is at most 1\.0 MiB/,
      hint: /is this the inventory\?/,
    },
    {
      file: 'many-keys.yaml',
      bytes: () => `cluster:\n${Array.from({ length: 300_000 }, (_, i) => `  k${i}: ${i}\n`).join('')}`,
      at: '1:1',
      message: /the file is \d\.\d MiB; an inventory is at most 1\.0 MiB/,
      hint: /is this the inventory\?/,
    },
    {
      file: 'long-line.yaml',
      bytes: () => `cluster: {name: "${'x'.repeat(5 * MiB)}"}\n`,
      at: '1:1',
      message: /the file is 5\.0 MiB/,
      hint: /is this the inventory\?/,
    },
    // Under the size cap, yet 100000 keys: the token cap refuses it before the parser spends seconds on it.
    {
      file: 'many-keys-under-a-mib.yaml',
      bytes: () => `cluster:\n${Array.from({ length: 100_000 }, (_, i) => `${i.toString(36)}: 1\n`).join('')}`,
      at: '1:1',
      message: /over 100000 YAML tokens/,
      hint: /is this the inventory\?/,
    },
    // Under the size cap: parsed, and refused by the schema, which quotes only the start of the value.
    {
      file: 'long-value.yaml',
      bytes: () => `cluster:\n  name: "${'x'.repeat(900_000)}"\n`,
      at: '2:9',
      message: /invalid value "x{59}… \(900002 characters\)/,
      hint: /DNS label/,
    },
    // Deep enough to overflow the parser's stack (fixture 52 stops short of it): the overflow is reported as nesting.
    {
      file: 'deeper-than-the-stack.yaml',
      bytes: () => `cluster: ${'['.repeat(5000)}${']'.repeat(5000)}\n`,
      message: /nested more than 64 levels deep/,
      hint: /a few levels of nesting/,
    },
    {
      file: 'an-executable.yaml',
      bytes: () => readFileSync(process.execPath).subarray(0, 64 * 1024),
      message: /holds a NUL byte: it is binary, not YAML/,
      hint: /-i inventories\/local.yaml/,
    },
    { file: 'garbage.yaml', bytes: () => garbage(4096), message: /byte 0x[0-9a-f]{2} is not valid UTF-8/, hint: /save the file as UTF-8/ },
    {
      file: 'utf16.yaml',
      bytes: () => Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(threeHosts.toString('utf8'), 'utf16le')]),
      at: '1:1',
      message: /UTF-16/,
      hint: /iconv -f UTF-16 -t UTF-8/,
    },
  ];
  let dir: string;
  before(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'pyro-hostile-'));
    for (const c of cases) writeFileSync(path.join(dir, c.file), c.bytes());
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  for (const c of cases) {
    it(`${c.file}: exit 2, the file named and located, a hint, quickly`, async () => {
      const file = path.join(dir, c.file);
      const r = await runQuickly(c.file, ['validate', '-i', file]);
      assert.equal(r.exitCode, 2, `exit ${r.exitCode}\n${r.stderr}`);
      assert.match(r.stderr, new RegExp(`^${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:${c.at ?? '\\d+:\\d+'}: error: `, 'm'));
      assert.match(r.stderr, c.message);
      assert.match(r.stderr, new RegExp(`hint: .*${c.hint.source}`));
      assertNoCrash(c.file, r);
      assert.ok(r.stderr.length < 2000, `${c.file}: ${r.stderr.length} characters of messages`);
    });
  }

  it("a UTF-8 BOM is dropped: the file is valid, as the user's editor shows it", async () => {
    const file = path.join(dir, 'bom.yaml');
    writeFileSync(file, Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), threeHosts]));
    const r = await runPyro(['validate', '-i', file]);
    assert.equal(r.exitCode, 0, r.stderr);
    assert.match(r.stdout, /valid\. Cluster analytics: 3 hosts/);
  });

  it('a thousand hosts stay under every cap', async () => {
    const file = path.join(dir, 'thousand-hosts.yaml');
    const hosts = Array.from(
      { length: 1000 },
      (_, i) => `  - name: node${i}\n    address: 10.0.${i >> 8}.${i & 255}\n    roles: [hdfs-datanode, yarn-nodemanager, kafka-broker]\n`,
    );
    const master = '  - name: master\n    address: 10.1.0.1\n    roles: [hdfs-namenode, yarn-resourcemanager, kafka-controller]\n';
    writeFileSync(file, `cluster:\n  name: big\nhosts:\n${master}${hosts.join('')}`);
    const { inventory } = await loadInventory(file);
    assert.equal(inventory.hosts.length, 1001);
  });
});
