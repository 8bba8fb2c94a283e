import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { KnownHostsStore, entryMatches, fingerprint, hostToken, keyTypeOf, parseKnownHosts, type HostKeyTarget } from '../../../src/hosts/known-hosts.js';
import { keygen } from './sshd-fixture.js';
import { rejectsWith } from '../../helpers/assert.js';

const blob = (pub: string): Buffer => Buffer.from(pub.split(' ')[1]!, 'base64');
const keyPart = (pub: string): string => pub.split(' ').slice(0, 2).join(' ');

describe('known hosts', function () {
  this.timeout(10_000);
  let dir: string;
  let ed: string;
  let ed2: string;
  let rsa: string;
  const target = (port = 22, ...names: string[]): HostKeyTarget => ({ host: 'nn1', names: names.length ? names : ['nn1', '10.0.0.11'], port });

  before(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'pyro-kh-'));
    ed = keygen(path.join(dir, 'ed'));
    ed2 = keygen(path.join(dir, 'ed2'));
    rsa = keygen(path.join(dir, 'rsa'), { type: 'rsa' });
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('computes fingerprints exactly like ssh-keygen -lf', () => {
    for (const name of ['ed', 'ed2', 'rsa']) {
      const pub = readFileSync(path.join(dir, `${name}.pub`), 'utf8');
      const expected = execFileSync('ssh-keygen', ['-lf', path.join(dir, `${name}.pub`)], { encoding: 'utf8' }).split(' ')[1];
      assert.equal(fingerprint(blob(pub)), expected);
    }
    assert.equal(keyTypeOf(blob(ed)), 'ssh-ed25519');
    assert.equal(keyTypeOf(blob(rsa)), 'ssh-rsa');
  });

  it('parses plain, [host]:port, negated, wildcard, marker and hashed lines', () => {
    const file = path.join(dir, 'parse');
    writeFileSync(
      file,
      [
        '# comment',
        '',
        `nn1,10.0.0.11 ${keyPart(ed)}`,
        `[nn2]:2222,[10.0.0.12]:2222 ${keyPart(ed)} comment here`,
        `*.example.com,!bad.example.com ${keyPart(rsa)}`,
        `@revoked * ${keyPart(ed2)}`,
        `hashed.example ${keyPart(ed2)}`,
        '',
      ].join('\n'),
    );
    execFileSync('ssh-keygen', ['-q', '-H', '-f', file], { stdio: 'ignore' }); // hashes the plain host lines in place
    // Lines ssh-keygen would refuse to process: skipped by the parser.
    const text = `${readFileSync(file, 'utf8')}garbage line\nnn3 ssh-ed25519 ${blob(rsa).toString('base64')}\n`;
    const entries = parseKnownHosts(text, file);
    const find = (token: string) => entries.filter((e) => e.marker === undefined && entryMatches(e, token));
    assert.equal(find('nn1').length, 1);
    assert.equal(find('10.0.0.11').length, 1);
    assert.equal(find('nn1:22').length, 0);
    assert.equal(find('[nn2]:2222').length, 1);
    assert.equal(find('nn2').length, 0, 'a [host]:port entry does not match port 22');
    assert.equal(find('hashed.example').length, 1);
    assert.equal(find('hashed.example')[0]!.hosts.kind, 'hashed');
    // ssh-keygen -H leaves wildcard lines alone.
    assert.equal(find('db.example.com').length, 1);
    assert.equal(find('bad.example.com').length, 0);
    assert.equal(find('nn3').length, 0, 'a line whose key type does not match its blob is skipped');
    assert.equal(entries.filter((e) => e.marker === '@revoked').length, 1);
    assert.equal(hostToken('NN1', 22), 'nn1');
    assert.equal(hostToken('10.0.0.1', 2222), '[10.0.0.1]:2222');
  });

  it('accepts a known key by name or address, plain or hashed, in either file', async () => {
    const own = path.join(dir, 'own1');
    writeFileSync(own, `nn1,10.0.0.11 ${keyPart(ed)}\n`);
    const store = new KnownHostsStore({ file: own, userFile: null, trustNew: false });
    assert.equal(await store.verify(target(22, 'nn1'), blob(ed)), 'known');
    assert.equal(await store.verify(target(22, 'other', '10.0.0.11'), blob(ed)), 'known');

    const user = path.join(dir, 'user1');
    writeFileSync(user, `[10.0.0.11]:2222 ${keyPart(rsa)}\n`);
    execFileSync('ssh-keygen', ['-q', '-H', '-f', user], { stdio: 'ignore' });
    const both = new KnownHostsStore({ file: path.join(dir, 'absent'), userFile: user, trustNew: false });
    assert.equal(await both.verify(target(2222), blob(rsa)), 'known');
    assert.deepEqual(await both.knownKeyTypes(target(2222)), ['ssh-rsa']);
    await rejectsWith(both.verify(target(22), blob(rsa)), 'HOST_KEY_UNKNOWN');
  });

  it('rejects an unknown key with its fingerprint and the trust hint', async () => {
    const store = new KnownHostsStore({ file: path.join(dir, 'none'), userFile: null, trustNew: false });
    const err = await rejectsWith(store.verify(target(), blob(ed)), 'HOST_KEY_UNKNOWN');
    assert.ok(err.message.includes(fingerprint(blob(ed))));
    assert.equal(err.host, 'nn1');
    assert.equal(err.hint, 'run `pyro check --trust-new-hosts` to accept it after verifying the fingerprint');
  });

  it('with trustNew, records an unknown key atomically and accepts it afterwards', async () => {
    const file = path.join(dir, 'sub', 'trust');
    const store = new KnownHostsStore({ file, userFile: null, trustNew: true });
    assert.equal(await store.verify(target(2222), blob(ed)), 'added');
    assert.equal(await store.verify(target(2222), blob(ed)), 'known');
    assert.equal(readFileSync(file, 'utf8'), `[nn1]:2222,[10.0.0.11]:2222 ${keyPart(ed)}\n`);
    assert.deepEqual(store.accepted, [{ host: 'nn1', endpoint: '10.0.0.11:2222', keyType: 'ssh-ed25519', fingerprint: fingerprint(blob(ed)) }]);
    const fresh = new KnownHostsStore({ file, userFile: null, trustNew: false });
    assert.equal(await fresh.verify(target(2222, '10.0.0.11'), blob(ed)), 'known');
  });

  it('serializes parallel appends from several stores on one file', async () => {
    const file = path.join(dir, 'parallel');
    const stores = [0, 1, 2].map(() => new KnownHostsStore({ file, userFile: null, trustNew: true }));
    await Promise.all(
      Array.from({ length: 12 }, (_, i) => stores[i % 3]!.verify({ host: `h${i}`, names: [`h${i}`, `10.1.0.${i}`], port: 22 }, blob(i % 2 ? ed : rsa))),
    );
    const lines = readFileSync(file, 'utf8').trim().split('\n');
    assert.equal(lines.length, 12);
    assert.equal(stores.flatMap((st) => st.accepted).length, 12, 'each key accepted once');
    for (let i = 0; i < 12; i++)
      assert.ok(
        lines.some((l) => l.startsWith(`h${i},10.1.0.${i} `)),
        `h${i} missing`,
      );
  });

  it('refuses a changed key even with trustNew, naming both fingerprints and the line', async () => {
    const file = path.join(dir, 'changed');
    const text = `# header\nnn1,10.0.0.11 ${keyPart(ed)}\n`;
    writeFileSync(file, text);
    const store = new KnownHostsStore({ file, userFile: null, trustNew: true });
    const err = await rejectsWith(store.verify(target(), blob(ed2)), 'HOST_KEY_CHANGED');
    assert.ok(err.message.includes(fingerprint(blob(ed))), 'old fingerprint');
    assert.ok(err.message.includes(fingerprint(blob(ed2))), 'new fingerprint');
    assert.ok(err.message.includes(`${file}:2`));
    assert.match(err.hint ?? '', /remove line 2/);
    // A key of another type for the same host is a change too.
    await rejectsWith(store.verify(target(), blob(rsa)), 'HOST_KEY_CHANGED');
    assert.equal(readFileSync(file, 'utf8'), text);
  });

  it('refuses a revoked key', async () => {
    const file = path.join(dir, 'revoked');
    writeFileSync(file, `@revoked * ${keyPart(ed2)}\nnn1 ${keyPart(ed2)}\n`);
    const store = new KnownHostsStore({ file, userFile: null, trustNew: true });
    await rejectsWith(store.verify(target(), blob(ed2)), 'HOST_KEY_REVOKED');
  });
});
