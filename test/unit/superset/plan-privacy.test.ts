import assert from 'node:assert/strict';
import { loadInventory } from '../../../src/services/catalog.js';
import type { Inventory } from '../../../src/inventory/types.js';
import { desiredFor, type Desired } from '../../../src/phases/desired.js';
import type { HostState } from '../../../src/phases/host-state.js';
import { planInstance, type FileChange } from '../../../src/phases/plan.js';
import { IDS, SECRETS } from './fixtures.js';

/** Every form a secret could take in a rendered file. */
const SECRET_FORMS = ['p@ss/1', encodeURIComponent('p@ss/1'), 'k'.repeat(40), 'adminpw', 'p@ss/2', encodeURIComponent('p@ss/2')];

function hostState(files?: Record<string, string>): HostState {
  return {
    services: {},
    files: files ? { superset: files } : {},
    formatted: {},
    noSystemd: [],
    resources: { memTotalMb: 16384, cpus: 4 },
    push: [],
    facts: {},
  };
}

function assertNoSecretInDiffs(files: FileChange[]): void {
  for (const f of files) {
    for (const line of f.diff) for (const v of SECRET_FORMS) assert.ok(!line.includes(v), `${f.name} diff shows ${v}: ${line}`);
  }
}

describe('planInstance keeps Superset secrets out of the plan', () => {
  let inv: Inventory;
  let d: Desired;
  before(async () => {
    inv = (await loadInventory('inventories/three-hosts.yaml')).inventory;
    d = desiredFor(
      inv,
      inv.instances.find((i) => i.def.role === 'superset')!,
      IDS,
      undefined,
      {},
      SECRETS,
    );
  });

  it('on an empty host: the private files are new, marked private, their diff says only that they hold secrets', () => {
    const p = planInstance(d, hostState());
    assert.deepEqual(p.files.map((f) => f.name).sort(), Object.keys(d.files).sort());
    const byName = new Map(p.files.map((f) => [f.name, f]));
    for (const name of ['superset_secrets.py', 'admin.secret']) {
      const f = byName.get(name)!;
      assert.equal(f.private, true, name);
      assert.deepEqual(f.diff, ['(new file, holds secrets)']);
      assert.equal(f.path, `${d.paths.conf}/${name}`);
      assert.equal(f.content, d.files[name], 'the content to write is the real one');
    }
    for (const f of p.files.filter((x) => !['superset_secrets.py', 'admin.secret'].includes(x.name))) {
      assert.equal(f.private, false, f.name);
      assert.deepEqual(f.diff, ['(new file)'], f.name);
    }
    assertNoSecretInDiffs(p.files);
  });

  it('a changed password: only the secrets file changes, and its diff hides how', () => {
    const next = desiredFor(inv, d.inst, IDS, undefined, {}, { ...SECRETS, 'postgresql-password': 'p@ss/2' });
    const p = planInstance(next, hostState(d.files));
    assert.deepEqual(
      p.files.map((f) => [f.name, f.private, f.diff]),
      [['superset_secrets.py', true, ['(holds secrets: changes not shown)']]],
    );
    assertNoSecretInDiffs(p.files);
  });

  it('a changed admin password: admin.secret changes, hidden', () => {
    const next = desiredFor(inv, d.inst, IDS, undefined, {}, { ...SECRETS, 'superset-admin-password': 'p@ss/2' });
    const p = planInstance(next, hostState(d.files));
    assert.deepEqual(
      p.files.map((f) => [f.name, f.diff]),
      [['admin.secret', ['(holds secrets: changes not shown)']]],
    );
    assertNoSecretInDiffs(p.files);
  });

  it('a changed public setting is shown line by line, still without secrets; unchanged files are left out', () => {
    const have = {
      ...d.files,
      'superset_config.py': d.files['superset_config.py']!.replace(/^SUPERSET_WEBSERVER_TIMEOUT = 120$/m, 'SUPERSET_WEBSERVER_TIMEOUT = 60'),
    };
    const p = planInstance(d, hostState(have));
    assert.equal(p.files.length, 1);
    assert.equal(p.files[0]!.private, false);
    assert.deepEqual(p.files[0]!.diff, ['-SUPERSET_WEBSERVER_TIMEOUT = 60', '+SUPERSET_WEBSERVER_TIMEOUT = 120']);
    assert.deepEqual(planInstance(d, hostState(d.files)).files, []);
    assertNoSecretInDiffs(p.files);
  });
});
