import { strict as assert } from 'node:assert';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { InventoryError } from '../../../src/inventory/diagnostics.js';
import { loadInventory } from '../../../src/services/catalog.js';
import { ROOT, runPyro } from '../../helpers/cli.js';

// Each malformed inventory states on its first line where its error is and what it and its hint say:
//   # expect: LINE:COL | message substring | hint substring
const DIR = path.join(ROOT, 'test', 'fixtures', 'invalid');
const files = readdirSync(DIR).filter((f) => f.endsWith('.yaml')).sort();

function expectation(file: string): { line: number; col: number; message: string; hint: string } {
  const first = readFileSync(path.join(DIR, file), 'utf8').split('\n')[0] ?? '';
  const m = /^# expect: (\d+):(\d+) \| (.*?) \| ?(.*)$/.exec(first);
  // The empty file can't carry a header: its error is at 1:1.
  if (!m) return { line: 1, col: 1, message: 'the inventory is empty', hint: 'pyro init' };
  return { line: Number(m[1]), col: Number(m[2]), message: m[3]!, hint: m[4]!.trim() };
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
      assert.ok(hit, `no error at ${want.line}:${want.col} containing "${want.message}"; got:\n${err.diagnostics.map((d) => `${d.line}:${d.col} ${d.message}`).join('\n')}`);
      assert.ok(hit.hint && hit.hint.includes(want.hint), `hint "${hit.hint}" lacks "${want.hint}"`);
      assert.equal(err.exitCode, 2);
    });
  }

  it('the CLI exits 2 and prints file:line:col and a hint for every fixture', async function () {
    this.timeout(120_000);
    for (const file of files) {
      const rel = path.join('test', 'fixtures', 'invalid', file);
      const want = expectation(file);
      const r = await runPyro(['validate', '-i', rel]);
      assert.equal(r.exitCode, 2, `${file}: exit ${r.exitCode}\n${r.stderr}`);
      assert.ok(r.stderr.includes(`${rel}:${want.line}:${want.col}: error:`), `${file}: stderr lacks location\n${r.stderr}`);
      assert.match(r.stderr, /hint: /, `${file}: no hint`);
      assert.doesNotMatch(r.stderr, /\n\s+at .+:\d+:\d+\)?\n/, `${file}: printed a stack trace`);
    }
  });

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
    assert.deepEqual(order, [...order].sort((a, b) => a - b));
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
