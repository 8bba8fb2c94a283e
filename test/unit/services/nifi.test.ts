import { strict as assert } from 'node:assert';
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { NIFI_MAIN } from '../../../src/artifacts/recipes/nifi.js';
import type { Inventory } from '../../../src/inventory/types.js';
import { clusterSecrets } from '../../../src/phases/open.js';
import { moduleByName, serviceByRole } from '../../../src/services/catalog.js';
import { ClusterState } from '../../../src/state/cluster-state.js';
import { ROOT } from '../../helpers/cli.js';
import { execArgv, instanceOf, inventoryFromYaml, javaProps, renderOn } from '../../helpers/rendered.js';

// What a NiFi node renders (nifi.properties, authorizers.xml, state-management.xml, its TLS files, run.sh) from the
// inventory and the certificates the cluster CA issued into a (temporary) cluster state.

const yaml = (nifiHost = '  - { name: n, address: 10.7.0.5, roles: [nifi], java21Home: /opt/jdk-21 }', services = '') => `
cluster: { name: nifitest }
defaults: { javaHome: /usr/lib/jvm/java-17 }
hosts:
  - { name: a, address: 10.7.0.1, roles: [hdfs-namenode, hdfs-datanode, yarn-resourcemanager, yarn-nodemanager, kafka-controller, kafka-broker] }
${nifiHost}
${services}
topics:
  - name: events
`;

async function withSecrets(inv: Inventory): Promise<{ secrets: Record<string, string>; state: ClusterState }> {
  const state = new ClusterState(inv.clusterName, mkdtempSync(path.join(os.tmpdir(), 'pyro-nifi-state-')));
  return { secrets: (await clusterSecrets(inv, state)).secrets, state };
}

describe('nifi renders a node', () => {
  it('nifi.properties: HTTPS only on the host address with PEM files, the managed authorizer, every path absolute', async () => {
    const inv = await inventoryFromYaml(yaml());
    const { secrets } = await withSecrets(inv);
    const d = renderOn(inv, 'n', 'nifi', { secrets });
    const p = javaProps(d.files['nifi.properties']!);
    const conf = '/opt/pyro/conf/nifi';
    const repo = '/var/lib/pyro/nifi';
    assert.equal(p.get('nifi.web.http.port'), '');
    assert.equal(p.get('nifi.web.http.host'), '');
    assert.equal(p.get('nifi.web.https.host'), '10.7.0.5');
    assert.equal(p.get('nifi.web.https.port'), '8443');
    assert.equal(p.get('nifi.web.proxy.host'), 'n:8443,10.7.0.5:8443');
    assert.equal(p.get('nifi.security.keystoreType'), 'PEM');
    assert.equal(p.get('nifi.security.keystore.certificate'), `${conf}/server.crt`);
    assert.equal(p.get('nifi.security.keystore.privateKey'), `${conf}/server.key`);
    assert.equal(p.get('nifi.security.truststoreType'), 'PEM');
    assert.equal(p.get('nifi.security.truststore.certificate'), `${conf}/ca.crt`);
    assert.equal(p.get('nifi.security.user.authorizer'), 'managed-authorizer');
    assert.equal(p.get('nifi.security.user.login.identity.provider'), '');
    assert.equal(p.get('nifi.sensitive.props.key'), secrets['nifi-sensitive-props-key']);
    assert.ok(p.get('nifi.sensitive.props.key')!.length >= 32);
    assert.equal(p.get('nifi.flow.configuration.file'), `${repo}/conf/flow.json.gz`);
    assert.equal(p.get('nifi.nar.library.directory'), '/opt/pyro/nifi/2.3.0/lib');
    assert.equal(p.get('nifi.nar.library.autoload.directory'), `${repo}/extensions`);
    assert.equal(p.get('nifi.flowfile.repository.directory'), `${repo}/flowfile_repository`);
    assert.equal(p.get('nifi.content.repository.directory.default'), `${repo}/content_repository`);
    assert.equal(p.get('nifi.provenance.repository.directory.default'), `${repo}/provenance_repository`);
    assert.equal(p.get('nifi.authorizer.configuration.file'), `${conf}/authorizers.xml`);
    assert.equal(p.get('nifi.state.management.configuration.file'), `${conf}/state-management.xml`);
    // No relative path is left for NiFi to resolve against its working directory.
    for (const [k, v] of p) assert.ok(!v.startsWith('./'), `${k}=${v} is relative`);
    // The distribution's defaults that pyro does not set are kept.
    assert.equal(p.get('nifi.queue.backpressure.count'), '10000');
    assert.deepEqual(d.runtime.privateFiles, ['nifi.properties', 'server.key']);
  });

  it('authorizers.xml names the admin certificate as initial admin; users and policies live in the data dir', async () => {
    const inv = await inventoryFromYaml(yaml());
    const { secrets } = await withSecrets(inv);
    const x = renderOn(inv, 'n', 'nifi', { secrets }).files['authorizers.xml']!;
    assert.match(x, /<property name="Initial User Identity 1">CN=pyro-admin<\/property>/);
    assert.match(x, /<property name="Initial Admin Identity">CN=pyro-admin<\/property>/);
    assert.match(x, /<property name="Users File">\/var\/lib\/pyro\/nifi\/conf\/users.xml<\/property>/);
    assert.match(x, /<property name="Authorizations File">\/var\/lib\/pyro\/nifi\/conf\/authorizations.xml<\/property>/);
    assert.match(x, /<class>org.apache.nifi.authorization.StandardManagedAuthorizer<\/class>/);
    const s = renderOn(inv, 'n', 'nifi', { secrets }).files['state-management.xml']!;
    assert.match(s, /<property name="Directory">\/var\/lib\/pyro\/nifi\/state\/local<\/property>/);
  });

  it("TLS files: the node's key, its certificate (names: host and address) chained to the cluster CA", async () => {
    const inv = await inventoryFromYaml(yaml());
    const { secrets } = await withSecrets(inv);
    const f = renderOn(inv, 'n', 'nifi', { secrets }).files;
    const ca = new X509Certificate(f['ca.crt']!);
    const chain = f['server.crt']!.split(/(?<=-----END CERTIFICATE-----\n)/).filter(Boolean);
    assert.equal(chain.length, 2);
    const leaf = new X509Certificate(chain[0]!);
    assert.equal(new X509Certificate(chain[1]!).fingerprint256, ca.fingerprint256);
    assert.ok(leaf.verify(ca.publicKey));
    assert.equal(leaf.subject, 'CN=n');
    assert.equal(leaf.subjectAltName, 'DNS:n, IP Address:10.7.0.5');
    assert.equal(leaf.checkIP('10.7.0.5'), '10.7.0.5');
    assert.equal(leaf.checkHost('n'), 'n');
    assert.match(f['server.key']!, /^-----BEGIN PRIVATE KEY-----/);
    assert.ok(leaf.checkPrivateKey((await import('node:crypto')).createPrivateKey(f['server.key']!)));
  });

  it('run.sh: the Java 21 home, NiFi main on lib/ and conf/, the properties file, the log dir, management on loopback', async () => {
    const inv = await inventoryFromYaml(yaml(undefined, 'services:\n  nifi:\n    ports: { management: 52021 }\n    heap: 2g'));
    const { secrets } = await withSecrets(inv);
    const run = renderOn(inv, 'n', 'nifi', { secrets }).files['run.sh']!;
    assert.match(run, /^export JAVA_HOME=\/opt\/jdk-21$/m);
    assert.match(run, /^mkdir -p '?\/var\/lib\/pyro\/nifi\/conf'? && cd '?\/var\/lib\/pyro\/nifi'?$/m);
    const argv = execArgv(run);
    assert.equal(argv[0], '/opt/jdk-21/bin/java');
    assert.ok(argv.includes('-Xmx2048m'));
    assert.ok(argv.includes('-Dpyro.role=nifi'));
    assert.ok(argv.includes('-Dnifi.properties.file.path=/opt/pyro/conf/nifi/nifi.properties'));
    assert.ok(argv.includes('-Dorg.apache.nifi.bootstrap.config.log.dir=/var/lib/pyro/logs/nifi'));
    assert.ok(argv.includes('-Dorg.apache.nifi.management.server.address=127.0.0.1:52021'));
    assert.equal(argv[argv.indexOf('-cp') + 1], '/opt/pyro/nifi/2.3.0/lib/*:/opt/pyro/nifi/2.3.0/conf');
    assert.equal(argv.at(-1), NIFI_MAIN);
  });

  it('without java21Home the JDK of javaHome runs it; the other roles keep javaHome', async () => {
    const inv = await inventoryFromYaml(yaml('  - { name: n, address: 10.7.0.5, roles: [nifi] }'));
    const { secrets } = await withSecrets(inv);
    assert.match(renderOn(inv, 'n', 'nifi', { secrets }).files['run.sh']!, /^export JAVA_HOME=\/usr\/lib\/jvm\/java-17$/m);
    assert.match(renderOn(inv, 'a', 'kafka-broker').files['run.sh']!, /^export JAVA_HOME=\/usr\/lib\/jvm\/java-17$/m);
  });

  it('nifi.properties overrides from the inventory win; the ports are the inventory’s', async () => {
    const inv = await inventoryFromYaml(
      yaml(
        undefined,
        'services:\n  nifi:\n    ports: { https: 9443 }\n    config:\n      nifi.properties: { nifi.queue.backpressure.count: 20000, nifi.web.jetty.threads: 50 }',
      ),
    );
    const { secrets } = await withSecrets(inv);
    const p = javaProps(renderOn(inv, 'n', 'nifi', { secrets }).files['nifi.properties']!);
    assert.equal(p.get('nifi.queue.backpressure.count'), '20000');
    assert.equal(p.get('nifi.web.jetty.threads'), '50');
    assert.equal(p.get('nifi.web.https.port'), '9443');
    assert.deepEqual(instanceOf(inv, 'n', 'nifi').ports, { https: 9443, management: 52020 });
  });

  it('inventories/three-hosts.yaml: node3 runs NiFi on Java 21 from its repositories dir', async () => {
    // Its job and dashboard paths are relative to inventories/: made absolute, the copy loads anywhere.
    const yaml = (await import('node:fs')).readFileSync(path.join(ROOT, 'inventories', 'three-hosts.yaml'), 'utf8').replaceAll(': ../', `: ${ROOT}/`);
    const inv = await inventoryFromYaml(yaml);
    const n = instanceOf(inv, 'node3', 'nifi');
    assert.deepEqual(n.dirs, { repositories: '/data/pyro/nifi' });
    assert.equal(n.heapMb, 1536);
    assert.equal(serviceByRole('nifi')!.javaMin, 21);
    assert.ok(serviceByRole('nifi')!.runtime);
  });
});

describe('nifi credentials', () => {
  it('the URL, the admin identity, the PEM pair and a PKCS#12 file with its password, all 0600 in the cluster state', async () => {
    const inv = await inventoryFromYaml(yaml());
    const { secrets, state } = await withSecrets(inv);
    const c = (await moduleByName('nifi')!.credentials!({ inv, ids: { hdfsClusterId: '', kafkaClusterId: '', kafkaNodeIds: {} }, secrets }, state))!;
    assert.equal(c.url, 'https://10.7.0.5:8443/nifi/');
    assert.equal(c.identity, 'CN=pyro-admin');
    assert.equal(c.certificate, path.join(state.dir, 'pki', 'nifi-admin.crt'));
    assert.equal(c.key, path.join(state.dir, 'pki', 'nifi-admin.key'));
    assert.equal(c.pkcs12, path.join(state.dir, 'pki', 'nifi-admin.p12'));
    for (const f of [c.certificate, c.key, c.pkcs12, c.ca]) assert.equal(statSync(String(f)).mode & 0o777, 0o600, String(f));
    assert.equal(statSync(path.join(state.dir, 'pki')).mode & 0o777, 0o700);
    // The password opens the file: OpenSSL (inside Node's TLS) loads it.
    const tls = await import('node:tls');
    const { readFileSync } = await import('node:fs');
    assert.doesNotThrow(() => tls.createSecureContext({ pfx: readFileSync(String(c.pkcs12)), passphrase: String(c.pkcs12Password) }));
    assert.throws(() => tls.createSecureContext({ pfx: readFileSync(String(c.pkcs12)), passphrase: 'wrong' }));
    // Asked again: the same password and file.
    const again = (await moduleByName('nifi')!.credentials!({ inv, ids: { hdfsClusterId: '', kafkaClusterId: '', kafkaNodeIds: {} }, secrets }, state))!;
    assert.equal(again.pkcs12Password, c.pkcs12Password);
  });
});
