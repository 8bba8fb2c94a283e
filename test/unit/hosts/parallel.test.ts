import { strict as assert } from 'node:assert';
import os from 'node:os';
import path from 'node:path';
import { createHost, createHosts } from '../../../src/hosts/connect.js';
import { LocalHost } from '../../../src/hosts/local-host.js';
import { runOnHosts, valuesOrThrow } from '../../../src/hosts/parallel.js';
import { SshHost } from '../../../src/hosts/ssh-host.js';
import type { HostSpec } from '../../../src/inventory/types.js';
import { AggregateFailure, HostError, PyroError } from '../../../src/util/errors.js';

const spec = (name: string, connection: 'ssh' | 'local' = 'ssh'): HostSpec => ({
  name,
  address: `${name}.example`,
  connection,
  roles: [],
  ssh: {},
  installDir: '/opt/pyro',
  dataDir: '/var/lib/pyro',
  logDir: '/var/log/pyro',
  python: 'python3',
  supervisor: 'pyro',
  prepare: false,
  index: 0,
});

describe('runOnHosts', () => {
  it('runs every host with a cap, keeps going after failures, returns results in order', async () => {
    let active = 0;
    let peak = 0;
    const hosts = Array.from({ length: 10 }, (_, i) => ({ name: `h${i}` }));
    const results = await runOnHosts(
      hosts,
      async (h) => {
        active++;
        peak = Math.max(peak, active);
        await new Promise((r) => setTimeout(r, 20));
        active--;
        if (h.name === 'h3') throw new HostError('BOOM', h.name, 'h3 broke', { hint: 'fix h3' });
        if (h.name === 'h7') throw new Error('plain error');
        return h.name.toUpperCase();
      },
      { concurrency: 3 },
    );
    assert.equal(peak, 3);
    assert.deepEqual(
      results.map((r) => r.host.name),
      hosts.map((h) => h.name),
    );
    assert.equal(results.filter((r) => r.ok).length, 8);
    const h3 = results[3]!;
    assert.ok(!h3.ok && h3.error.code === 'BOOM' && h3.error.hint === 'fix h3');
    const h7 = results[7]!;
    assert.ok(!h7.ok && h7.error instanceof PyroError && h7.error.host === 'h7' && h7.error.message === 'plain error');
    assert.throws(
      () => valuesOrThrow(results, 'check'),
      (e: unknown) => e instanceof AggregateFailure && e.errors.length === 2 && /failed on 2 hosts/.test(e.message),
    );
    assert.deepEqual(
      valuesOrThrow(
        results.filter((r) => r.ok),
        'check',
      ),
      ['H0', 'H1', 'H2', 'H4', 'H5', 'H6', 'H8', 'H9'],
    );
  });

  it('does not start hosts once aborted', async () => {
    const ac = new AbortController();
    const started: string[] = [];
    const results = await runOnHosts(
      [{ name: 'a' }, { name: 'b' }, { name: 'c' }],
      async (h) => {
        started.push(h.name);
        ac.abort();
        return 1;
      },
      { concurrency: 1, signal: ac.signal },
    );
    assert.deepEqual(started, ['a']);
    assert.deepEqual(
      results.map((r) => (r.ok ? 'ok' : r.error.code)),
      ['ok', 'EXEC_ABORTED', 'EXEC_ABORTED'],
    );
  });
});

describe('createHost', () => {
  const ctx = { knownHostsFile: path.join(os.tmpdir(), 'pyro-never-written'), trustNewHosts: false };
  it('picks LocalHost for connection: local and SshHost otherwise', () => {
    const local = createHost(spec('me', 'local'), ctx);
    assert.ok(local instanceof LocalHost);
    assert.equal(local.address, 'me.example');
    const remote = createHost(spec('nn1'), ctx);
    assert.ok(remote instanceof SshHost);
    assert.equal(remote.name, 'nn1');
    assert.equal(remote.address, 'nn1.example');
    assert.equal(createHosts([spec('a'), spec('b', 'local')], ctx).length, 2);
  });
});
