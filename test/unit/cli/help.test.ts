import { strict as assert } from 'node:assert';
import { runPyro } from '../../helpers/cli.js';

describe('CLI conventions', () => {
  it('pyro --help lists every verb with an example and the exit codes', async () => {
    const r = await runPyro(['--help']);
    assert.equal(r.exitCode, 0);
    for (const verb of ['validate', 'init', 'check', 'fetch', 'push', 'bundle', 'cache']) assert.match(r.stdout, new RegExp(`\\n  ${verb} `));
    assert.match(r.stdout, /Examples:\n {2}\$ pyro /);
    assert.match(r.stdout, /Exit codes: 0 ok, 1 .*, 2 invalid input/);
  });

  for (const verb of ['validate', 'init', 'check', 'fetch', 'push', 'bundle']) {
    it(`pyro ${verb} --help shows an example`, async () => {
      const r = await runPyro([verb, '--help']);
      assert.equal(r.exitCode, 0);
      assert.match(r.stdout, new RegExp(`Examples:\\n  \\$ pyro ${verb}`));
    });
  }

  it('an unknown verb or flag is invalid input (exit 2)', async () => {
    assert.equal((await runPyro(['frobnicate'])).exitCode, 2);
    const r = await runPyro(['check', '--no-such-flag']);
    assert.equal(r.exitCode, 2);
    assert.match(r.stderr, /unknown option '--no-such-flag'/);
  });

  it('-i defaults to $PYRO_INVENTORY', async () => {
    const r = await runPyro(['validate'], { env: { PYRO_INVENTORY: 'inventories/three-hosts.yaml' } });
    assert.equal(r.exitCode, 0, r.stderr);
    assert.match(r.stdout, /three-hosts\.yaml: valid/);
  });

  it('NO_COLOR keeps escape codes out; FORCE-free pipes are plain too', async () => {
    const r = await runPyro(['validate', '-i', 'test/fixtures/multi-error.yaml']);
    assert.doesNotMatch(r.stderr, /\u001b\[/);
  });

  it('validate --json prints only JSON on stdout', async () => {
    const r = await runPyro(['validate', '--json']);
    assert.equal(r.exitCode, 0);
    const out = JSON.parse(r.stdout) as { valid: boolean; hosts: unknown[] };
    assert.equal(out.valid, true);
    assert.equal(out.hosts.length, 1);
  });

  it('a verb that contacts hosts validates first: an invalid inventory reaches no host (exit 2)', async () => {
    const r = await runPyro(['check', '-i', 'test/fixtures/invalid/19-port-clash.yaml']);
    assert.equal(r.exitCode, 2);
    assert.match(r.stderr, /port 9092 on host h1 is claimed by both/);
    assert.doesNotMatch(r.stderr + r.stdout, /checking \d+ host/);
  });
});
