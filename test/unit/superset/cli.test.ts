import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runPyro } from '../../helpers/cli.js';
import { tempInventory } from './fixtures.js';

// The Superset verbs' answers that need no cluster: credentials from the state, and input errors.
describe('pyro credentials and pyro superset sync (no cluster needed)', function () {
  this.timeout(60_000);
  const state = mkdtempSync(path.join(os.tmpdir(), 'pyro-superset-cli-state-'));
  const env = { PYRO_STATE_DIR: state };

  it('credentials superset: URL, admin and the generated password, the same as the 0600 state file', async () => {
    const inv = await tempInventory({ cluster: 'cred-test', roles: ['postgresql', 'superset'], superset: { adminUser: 'boss' } });
    const r = await runPyro(['credentials', 'superset', '--json', '-i', inv.file], { env });
    assert.equal(r.exitCode, 0, r.stderr);
    const out = JSON.parse(r.stdout) as { service: string; url: string; user: string; password: string };
    const file = path.join(state, 'clusters', 'cred-test', 'secrets.json');
    assert.equal(statSync(file).mode & 0o777, 0o600);
    const secrets = JSON.parse(readFileSync(file, 'utf8')) as Record<string, string>;
    assert.deepEqual(out, { service: 'superset', url: `http://${inv.hosts[0]!.address}:8090/`, user: 'boss', password: secrets['superset-admin-password'] });
    const again = await runPyro(['credentials', 'superset', '--json', '-i', inv.file], { env });
    assert.equal((JSON.parse(again.stdout) as { password: string }).password, out.password, 'generated once, then kept');
  });

  it('credentials postgresql: host, port, database and login', async () => {
    const inv = await tempInventory({ cluster: 'cred-test', roles: ['postgresql', 'superset'] });
    const r = await runPyro(['credentials', 'postgresql', '--json', '-i', inv.file], { env });
    assert.equal(r.exitCode, 0, r.stderr);
    const out = JSON.parse(r.stdout) as Record<string, unknown>;
    assert.deepEqual(Object.keys(out).sort(), ['database', 'host', 'password', 'port', 'service', 'user']);
    assert.equal(out.database, 'serving');
    assert.equal(out.port, 5432);
  });

  it("credentials nifi: the URL, the admin's identity, its PEM files and a PKCS#12 file with its password", async () => {
    const inv = await tempInventory({ cluster: 'cred-nifi', roles: ['nifi'] });
    const r = await runPyro(['credentials', 'nifi', '--json', '-i', inv.file], { env });
    assert.equal(r.exitCode, 0, r.stderr);
    const out = JSON.parse(r.stdout) as Record<string, string>;
    const pki = path.join(state, 'clusters', 'cred-nifi', 'pki');
    assert.deepEqual(out, {
      service: 'nifi',
      url: `https://${inv.hosts[0]!.address}:8443/nifi/`,
      identity: 'CN=pyro-admin',
      certificate: path.join(pki, 'nifi-admin.crt'),
      key: path.join(pki, 'nifi-admin.key'),
      ca: path.join(pki, 'ca.crt'),
      pkcs12: path.join(pki, 'nifi-admin.p12'),
      pkcs12Password: out.pkcs12Password,
    });
    for (const f of [out.certificate!, out.key!, out.ca!, out.pkcs12!]) assert.equal(statSync(f).mode & 0o777, 0o600, f);
    const text = await runPyro(['credentials', 'nifi', '-i', inv.file], { env });
    assert.match(text.stdout, /pkcs12Password +\S{20,}/);
  });

  it('an unknown service, or a role the inventory lacks, exits 2 with a hint', async () => {
    const inv = await tempInventory({ cluster: 'cred-test', roles: [] });
    const unknown = await runPyro(['credentials', 'flume', '-i', inv.file], { env });
    assert.equal(unknown.exitCode, 2);
    assert.match(unknown.stderr, /pyro keeps no credentials for flume/);
    assert.match(unknown.stderr, /one of: nifi, postgresql, superset/);
    const noNifi = await runPyro(['credentials', 'nifi', '-i', inv.file], { env });
    assert.equal(noNifi.exitCode, 2);
    assert.match(noNifi.stderr, /has no host with the role nifi/);
    const missing = await runPyro(['credentials', 'superset', '-i', inv.file], { env });
    assert.equal(missing.exitCode, 2);
    assert.match(missing.stderr, /has no host with the role superset/);
    const sync = await runPyro(['superset', 'sync', '-i', inv.file], { env });
    assert.equal(sync.exitCode, 2);
    assert.match(sync.stderr, /has no host with the role superset/);
  });

  it('superset sync without a serving database exits 2 naming it', async () => {
    const inv = await tempInventory({ cluster: 'cred-test', roles: ['superset'] });
    const r = await runPyro(['superset', 'sync', '-i', inv.file], { env });
    assert.equal(r.exitCode, 2, r.stderr);
    assert.match(r.stderr, /no host with the role postgresql and declares no databases: there is no database to register/);
  });

  it('superset sync against a Superset that is not running: a clear error, exit 1', async () => {
    const inv = await tempInventory({ cluster: 'cred-test', roles: ['postgresql', 'superset'] });
    const r = await runPyro(['superset', 'sync', '-i', inv.file], { env });
    assert.equal(r.exitCode, 1, r.stderr);
    assert.match(r.stderr, /Superset at http:\/\/[^ ]+:8090 on [^ ]+ is not answering \(\/health: /);
    assert.match(r.stderr, /pyro up/);
  });
});
