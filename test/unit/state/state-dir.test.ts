import { strict as assert } from 'node:assert';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { KnownHostsStore } from '../../../src/hosts/known-hosts.js';
import { ClusterState } from '../../../src/state/cluster-state.js';
import { appendHistory } from '../../../src/state/history.js';
import { acquireLock } from '../../../src/state/lock.js';
import { clusterStateDir, ensureStateDir, knownHostsFile, stateRoot } from '../../../src/state/paths.js';
import { ensurePrivateDir } from '../../../src/util/private-dir.js';

const modeOf = (p: string): number => statSync(p).mode & 0o777;

describe('state dirs are 0700', () => {
  let tmp: string;
  let saved: string | undefined;
  beforeEach(() => {
    tmp = mkdtempSync(path.join(os.tmpdir(), 'pyro-statedir-'));
    saved = process.env.PYRO_STATE_DIR;
    process.env.PYRO_STATE_DIR = path.join(tmp, 'state');
  });
  afterEach(() => {
    if (saved === undefined) delete process.env.PYRO_STATE_DIR;
    else process.env.PYRO_STATE_DIR = saved;
    rmSync(tmp, { recursive: true, force: true });
  });

  /** The state root, clusters/ and the cluster's dir, as an older pyro or a hand would have left them. */
  function openDirs(): string[] {
    const dirs = [stateRoot(), path.join(stateRoot(), 'clusters'), clusterStateDir('c1')];
    for (const d of dirs) {
      mkdirSync(d, { recursive: true });
      chmodSync(d, 0o755);
    }
    return dirs;
  }

  it('creates the root, clusters/ and the cluster dir 0700 when none exists', async () => {
    chmodSync(tmp, 0o755);
    await ensureStateDir(clusterStateDir('c1'));
    for (const d of [stateRoot(), path.join(stateRoot(), 'clusters'), clusterStateDir('c1')]) assert.equal(modeOf(d), 0o700, d);
    assert.equal(modeOf(tmp), 0o755, 'nothing above the state root is touched');
  });

  const users: [string, () => Promise<unknown>][] = [
    ['the cluster state', () => new ClusterState('c1').ids()],
    ['the history', () => appendHistory(clusterStateDir('c1'), { command: 'check --trust-new-hosts', result: 'ok', seconds: 0 })],
    ['the lock', async () => (await acquireLock(clusterStateDir('c1'), 'up')).release()],
  ];
  for (const [what, use] of users) {
    it(`tightens existing open dirs when ${what} is written`, async () => {
      const dirs = openDirs();
      await use();
      for (const d of dirs) assert.equal(modeOf(d), 0o700, d);
    });
  }

  it('creates the dir of known_hosts 0700 when a new key is trusted, and tightens it', async () => {
    const file = knownHostsFile('c2');
    const key = (n: number) => Buffer.concat([Buffer.from([0, 0, 0, 11]), Buffer.from('ssh-ed25519'), Buffer.from([0, 0, 0, 32]), Buffer.alloc(32, n)]);
    const store = new KnownHostsStore({ file, userFile: null, trustNew: true });
    assert.equal(await store.verify({ host: 'n1', names: ['n1', '10.0.0.1'], port: 22 }, key(1)), 'added');
    for (const d of [stateRoot(), path.join(stateRoot(), 'clusters'), path.dirname(file)]) assert.equal(modeOf(d), 0o700, d);
    chmodSync(path.dirname(file), 0o755);
    assert.equal(await store.verify({ host: 'n2', names: ['n2', '10.0.0.2'], port: 22 }, key(2)), 'added');
    assert.equal(modeOf(path.dirname(file)), 0o700);
  });

  it('ensurePrivateDir never climbs above the top it is given, nor outside it', async () => {
    const above = path.join(tmp, 'a');
    mkdirSync(path.join(above, 'b'), { recursive: true });
    chmodSync(above, 0o755);
    await ensurePrivateDir(path.join(above, 'b', 'c'), path.join(above, 'b'));
    assert.equal(modeOf(above), 0o755);
    assert.equal(modeOf(path.join(above, 'b')), 0o700);
    await ensurePrivateDir(path.join(tmp, 'elsewhere'), path.join(tmp, 'a'));
    assert.equal(modeOf(path.join(tmp, 'elsewhere')), 0o700);
    assert.equal(modeOf(above), 0o755);
  });
});
