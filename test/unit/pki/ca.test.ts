import { strict as assert } from 'node:assert';
import { createPrivateKey, X509Certificate } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import tls from 'node:tls';
import { createCa, issueCertificate, reissueReason, toPkcs12 } from '../../../src/pki/ca.js';
import { PkiStore } from '../../../src/state/pki-store.js';

// The cluster CA: what it issues verifies against it, names what it was asked to, bundles for a browser, and is
// kept 0600 in the cluster state, issued again only when it no longer fits.

describe('pki: the cluster CA', () => {
  const ca = createCa('pyro test CA');

  it('a self-signed CA that may sign end-entity certificates only', () => {
    const c = new X509Certificate(ca.certPem);
    assert.equal(c.subject, 'CN=pyro test CA');
    assert.equal(c.issuer, 'CN=pyro test CA');
    assert.equal(c.ca, true);
    assert.ok(c.verify(c.publicKey));
    assert.ok(c.checkPrivateKey(createPrivateKey(ca.keyPem)));
    assert.ok(Date.parse(c.validTo) - Date.now() > 3600 * 86_400_000);
  });

  it('a server certificate verifies against the CA and names the host and its address', () => {
    const s = issueCertificate(ca, { commonName: 'node3', altNames: ['node3', '10.7.0.3'], usage: ['server', 'client'] });
    const c = new X509Certificate(s.certPem);
    const caCert = new X509Certificate(ca.certPem);
    assert.ok(c.verify(caCert.publicKey));
    assert.ok(c.checkIssued(caCert));
    assert.equal(c.ca, false);
    assert.equal(c.subjectAltName, 'DNS:node3, IP Address:10.7.0.3');
    assert.equal(c.checkHost('node3'), 'node3');
    assert.equal(c.checkIP('10.7.0.3'), '10.7.0.3');
    assert.equal(c.checkIP('10.7.0.4'), undefined);
    assert.deepEqual(c.keyUsage, ['1.3.6.1.5.5.7.3.1', '1.3.6.1.5.5.7.3.2']);
    assert.ok(c.checkPrivateKey(createPrivateKey(s.keyPem)));
    // Another CA's certificate does not verify against this one.
    const other = createCa('other');
    assert.equal(c.verify(new X509Certificate(other.certPem).publicKey), false);
  });

  it('a TLS handshake: the server certificate, checked against the CA, and a client certificate required', async () => {
    const server = issueCertificate(ca, { commonName: 'localhost', altNames: ['localhost', '127.0.0.1'], usage: ['server'] });
    const client = issueCertificate(ca, { commonName: 'pyro-admin', usage: ['client'] });
    const srv = tls.createServer({ key: server.keyPem, cert: server.certPem, ca: ca.certPem, requestCert: true, rejectUnauthorized: true }, (s) => {
      s.end(`hello ${(s.getPeerCertificate().subject as { CN: string }).CN}\n`);
    });
    await new Promise<void>((ok) => srv.listen(0, '127.0.0.1', ok));
    const port = (srv.address() as { port: number }).port;
    const talk = (opts: tls.ConnectionOptions) =>
      new Promise<string>((ok, fail) => {
        const s = tls.connect({ host: '127.0.0.1', port, ca: ca.certPem, ...opts }, () => undefined);
        let out = '';
        s.on('data', (d: Buffer) => (out += d.toString()));
        s.on('end', () => ok(out));
        s.on('error', fail);
      });
    try {
      assert.equal(await talk({ key: client.keyPem, cert: client.certPem }), 'hello pyro-admin\n');
      await assert.rejects(talk({}));
    } finally {
      srv.close();
    }
  });

  it('PKCS#12: the key, its certificate and the CA, opened by its password (3DES: no legacy provider needed)', () => {
    const client = issueCertificate(ca, { commonName: 'pyro-admin', usage: ['client'] });
    const p12 = toPkcs12(client, ca.certPem, 's3cret', 'pyro-admin');
    assert.doesNotThrow(() => tls.createSecureContext({ pfx: p12, passphrase: 's3cret' }));
    assert.throws(() => tls.createSecureContext({ pfx: p12, passphrase: 'nope' }));
  });

  it('reissueReason: none for a fitting certificate; one for other names, another CA, a foreign key or a near end', () => {
    const spec = { commonName: 'n', altNames: ['n', '10.0.0.1'], usage: ['server' as const] };
    const s = issueCertificate(ca, spec);
    assert.equal(reissueReason(s, ca, spec), undefined);
    assert.match(reissueReason(s, ca, { ...spec, altNames: ['n', '10.0.0.2'] })!, /names are 10.0.0.1,n, not 10.0.0.2,n/);
    assert.match(reissueReason(s, createCa('other'), spec)!, /another CA/);
    assert.match(reissueReason({ ...s, keyPem: issueCertificate(ca, spec).keyPem }, ca, spec)!, /key does not match/);
    assert.match(reissueReason(s, ca, spec, Date.now() + 340 * 86_400_000)!, /expires/);
    assert.match(reissueReason({ ...s, certPem: 'garbage' }, ca, spec)!, /does not parse/);
  });
});

describe('pki: kept in the cluster state', () => {
  const spec = { commonName: 'n', altNames: ['n', '10.0.0.1'], usage: ['server' as const] };

  it('files 0600 in a 0700 dir; the same certificate on the next run; a new one when the names change', async () => {
    const dir = path.join(mkdtempSync(path.join(os.tmpdir(), 'pyro-pki-')), 'pki');
    const store = new PkiStore(dir, 'pyro t CA');
    const first = await store.certificate('nifi-n', spec);
    assert.equal(first.issued, 'none was issued yet');
    assert.equal(statSync(dir).mode & 0o777, 0o700);
    for (const f of ['ca.key', 'ca.crt', 'nifi-n.key', 'nifi-n.crt']) assert.equal(statSync(path.join(dir, f)).mode & 0o777, 0o600, f);
    const again = await new PkiStore(dir, 'pyro t CA').certificate('nifi-n', spec);
    assert.equal(again.issued, undefined);
    assert.equal(again.certPem, first.certPem);
    const moved = await new PkiStore(dir, 'pyro t CA').certificate('nifi-n', { ...spec, altNames: ['n', '10.0.0.9'] });
    assert.match(moved.issued!, /names are/);
    assert.notEqual(moved.certPem, first.certPem);
    assert.equal(readFileSync(path.join(dir, 'nifi-n.crt'), 'utf8'), moved.certPem);
    // The CA stayed: what it issued before still verifies against it.
    assert.ok(new X509Certificate(first.certPem).verify(new X509Certificate(readFileSync(path.join(dir, 'ca.crt'), 'utf8')).publicKey));
  });

  it('a PKCS#12 file written once (0600), dropped when its certificate is issued again', async () => {
    const dir = path.join(mkdtempSync(path.join(os.tmpdir(), 'pyro-pki-')), 'pki');
    const store = new PkiStore(dir, 'pyro t CA');
    await store.certificate('admin', { commonName: 'pyro-admin', usage: ['client'] });
    const p12 = await store.pkcs12('admin', 'pw');
    assert.equal(statSync(p12).mode & 0o777, 0o600);
    assert.doesNotThrow(() => tls.createSecureContext({ pfx: readFileSync(p12), passphrase: 'pw' }));
    await store.certificate('admin', { commonName: 'pyro-admin2', usage: ['client'] });
    assert.equal(existsSync(p12), false);
  });

  it('read-only (a dry run): made in memory, stable within the run, nothing written', async () => {
    const dir = path.join(mkdtempSync(path.join(os.tmpdir(), 'pyro-pki-')), 'pki');
    const store = new PkiStore(dir, 'pyro t CA', { readOnly: true });
    const a = await store.certificate('nifi-n', spec);
    const b = await store.certificate('nifi-n', spec);
    assert.equal(a.certPem, b.certPem);
    assert.equal(existsSync(dir), false);
  });
});
