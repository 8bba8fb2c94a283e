import { strict as assert } from 'node:assert';
import { chmodSync, mkdtempSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { ROOT, runPyro } from '../helpers/cli.js';
import { findJava21 } from '../helpers/java.js';
import { createTestbed, type Testbed } from '../testbed/testbed.js';

// NiFi run by `pyro up` on h3 of three simulated hosts: mutual TLS from the cluster CA, two flows deployed from
// templates/nifi/http-to-kafka.json, records posted to ListenHTTP counted in Kafka with kcat (Debian's, not pyro's).

const CLUSTER = 'nifi-test';

function inventoryYaml(tb: Testbed, webBase = 'events'): string {
  const [h1, h2, h3] = tb.hosts;
  const worker = 'hdfs-datanode, yarn-nodemanager, kafka-controller, kafka-broker';
  const template = path.join(ROOT, 'templates', 'nifi', 'http-to-kafka.json');
  return `cluster:
  name: ${CLUSTER}
defaults:
  ssh: { user: root, identity: ${tb.identity} }
hosts:
  - { name: h1, address: ${h1!.address}, roles: [hdfs-namenode, yarn-resourcemanager, ${worker}] }
  - { name: h2, address: ${h2!.address}, roles: [${worker}] }
  - { name: h3, address: ${h3!.address}, roles: [${worker}, nifi], java21Home: ${findJava21()} }
services:
  hdfs: { namenode: { heap: 384m }, datanode: { heap: 256m } }
  yarn: { resourcemanager: { heap: 384m }, nodemanager: { heap: 256m, memoryMb: 2048, vcores: 2 } }
  kafka: { controller: { heap: 256m }, broker: { heap: 384m } }
  nifi:
    heap: 1g
    flows:
      - { name: orders, template: ${template}, parameters: { topic: orders, listenPort: 8081, basePath: orders } }
      - { name: web, template: ${template}, parameters: { topic: web, listenPort: 8082, basePath: ${webBase} } }
topics:
  - { name: orders, partitions: 3, replicationFactor: 3 }
  - { name: web, partitions: 3, replicationFactor: 3 }
`;
}

describe('NiFi deployed by pyro: mutual TLS, flows as code, records from ListenHTTP into Kafka (three simulated hosts)', function () {
  this.timeout(900_000);
  let tb: Testbed;
  let dir: string;
  let inv: string;
  let env: Record<string, string>;
  const pyro = (args: string[], timeoutMs = 600_000) => runPyro([...args, '-i', inv], { env, timeoutMs });
  const nifiAddress = () => tb.hosts[2]!.address;

  /** Every message body in a topic, from the beginning, read with kcat. */
  const bodies = async (topic: string): Promise<string[]> => {
    const r = await execa('kcat', ['-C', '-b', `${tb.hosts[0]!.address}:9092`, '-t', topic, '-o', 'beginning', '-e', '-q', '-f', '%s\\n'], {
      timeout: 60_000,
      reject: false,
    });
    assert.equal(r.exitCode, 0, r.stderr);
    return r.stdout.split('\n').filter(Boolean);
  };

  before(async () => {
    tb = await createTestbed(3);
    dir = mkdtempSync(path.join(os.tmpdir(), 'pyro-nifi-test-'));
    chmodSync(dir, 0o755);
    inv = path.join(dir, 'cluster.yaml');
    writeFileSync(inv, inventoryYaml(tb));
    env = { PYRO_STATE_DIR: path.join(dir, 'state') };
  });
  after(async () => {
    await tb?.destroy();
  });

  it('pyro up starts NiFi behind its gate, deploys both flows, and the whole-flow check posts through each into Kafka', async () => {
    const r = await pyro(['up', '--trust-new-hosts', '--json']);
    assert.equal(r.exitCode, 0, `${r.stdout}\n${r.stderr}`);
    const res = JSON.parse(r.stdout) as {
      changes: string[];
      verify: { ok: boolean; paths: { path: string; ok: boolean; hops: { name: string; reached: boolean }[] }[] };
    };
    const nifi = res.changes.filter((c) => c.startsWith('nifi:'));
    assert.equal(nifi.length, 2, nifi.join('\n'));
    assert.match(nifi[0]!, /^nifi: deployed flow orders on h3 \(Kafka publisher: pyro's\)/);
    assert.match(nifi[1]!, /^nifi: deployed flow web on h3/);
    // A tagged record posted to each flow's ListenHTTP reached its topic.
    assert.ok(res.verify.ok, JSON.stringify(res.verify));
    assert.deepEqual(
      res.verify.paths.map((p) => [p.path, p.hops.map((h) => [h.name, h.reached])]),
      [
        ['nifi h3/orders (ListenHTTP :8081/orders)', [['kafka orders', true]]],
        ['nifi h3/web (ListenHTTP :8082/events)', [['kafka web', true]]],
      ],
    );
  });

  it("the admin's client certificate logs in; without one the TLS handshake is refused; the files are 0600", async () => {
    const cred = await pyro(['credentials', 'nifi', '--json'], 60_000);
    assert.equal(cred.exitCode, 0, cred.stderr);
    const c = JSON.parse(cred.stdout) as { url: string; identity: string; certificate: string; key: string; ca: string; pkcs12: string };
    assert.equal(c.identity, 'CN=pyro-admin');
    for (const f of [c.key, c.pkcs12]) assert.equal(statSync(f).mode & 0o777, 0o600, `${f} is 0600`);
    const about = `https://${nifiAddress()}:8443/nifi-api/flow/about`;
    const ok = await execa('curl', ['-sS', '--cacert', c.ca, '--cert', c.certificate, '--key', c.key, about], { reject: false });
    assert.equal(ok.exitCode, 0, ok.stderr);
    assert.match(ok.stdout, /"version":"2\.3\.0"/);
    const anon = await execa('curl', ['-sS', '--cacert', c.ca, about], { reject: false });
    assert.notEqual(anon.exitCode, 0, `without a certificate: ${anon.stdout}`);
  });

  it('1,000 records posted to a flow arrive in Kafka, counted by kcat; status shows the flows running', async () => {
    const tag = `nifi-${Date.now()}`;
    const sent = new Set<string>();
    for (let batch = 0; batch < 20; batch++) {
      await Promise.all(
        Array.from({ length: 50 }, async (_x, k) => {
          const body = JSON.stringify({ id: batch * 50 + k, page: `/p${k % 5}`, user: tag, ts: Date.now() });
          const res = await fetch(`http://${nifiAddress()}:8081/orders`, { method: 'POST', body, headers: { 'content-type': 'application/json' } });
          assert.equal(res.status, 200, `POST ${batch}/${k}: HTTP ${res.status}`);
          sent.add(body);
        }),
      );
    }
    const end = Date.now() + 120_000;
    let got: string[] = [];
    for (;;) {
      got = (await bodies('orders')).filter((b) => b.includes(tag));
      if (new Set(got).size >= sent.size || Date.now() > end) break;
      await new Promise((res) => setTimeout(res, 2000));
    }
    const missing = [...sent].filter((b) => !got.includes(b));
    console.log(`      orders: ${new Set(got).size}/${sent.size} records in Kafka, ${got.length - new Set(got).size} duplicates`);
    assert.deepEqual(missing.slice(0, 5), [], `${missing.length} records missing`);
    const st = await pyro(['status', '--json'], 60_000);
    assert.equal(st.exitCode, 0, st.stdout);
    assert.ok((JSON.parse(st.stdout) as { nifi?: unknown }).nifi, 'status --json has a nifi section');
  });

  it('a second up redeploys nothing; a changed flow is redeployed alone', async () => {
    const again = await pyro(['up', '--json']);
    assert.equal(again.exitCode, 0, again.stderr);
    assert.deepEqual((JSON.parse(again.stdout) as { changes: string[] }).changes, []);
    writeFileSync(inv, inventoryYaml(tb, 'clicks'));
    const changed = await pyro(['up', '--json']);
    assert.equal(changed.exitCode, 0, changed.stderr);
    const changes = (JSON.parse(changed.stdout) as { changes: string[] }).changes;
    const nifi = changes.filter((c) => c.startsWith('nifi:'));
    assert.equal(nifi.length, 1, nifi.join('\n'));
    assert.match(nifi[0]!, /^nifi: replaced flow web on h3/);
    const res = await fetch(`http://${nifiAddress()}:8082/clicks`, { method: 'POST', body: '{"page":"/moved"}' });
    assert.equal(res.status, 200, 'the redeployed flow listens on its new base path');
  });

  it('NiFi down: status names the host and the log to read', async () => {
    await tb.ssh('h3', 'kill -9 $(cat /var/lib/pyro/run/nifi.pid)');
    await new Promise((res) => setTimeout(res, 2000));
    const st = await pyro(['status'], 60_000);
    assert.equal(st.exitCode, 1, st.stdout);
    assert.match(`${st.stdout}\n${st.stderr}`, /nifi on h3/);
    assert.match(`${st.stdout}\n${st.stderr}`, /nifi-app\.log/);
    console.log(`      ${(`${st.stdout}\n${st.stderr}`.split('\n').find((l) => /nifi-app\.log/.test(l)) ?? '').trim()}`);
  });
});
