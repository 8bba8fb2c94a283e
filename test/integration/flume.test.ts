import { strict as assert } from 'node:assert';
import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { runPyro } from '../helpers/cli.js';
import { createTestbed, type Testbed } from '../testbed/testbed.js';

// Flume agents run by `pyro up` on h2 and h3: a taildir source over an application log and an HTTP source, each
// into a file channel and a Kafka sink, and a taildir source writing through a Kafka channel. What arrives in Kafka is counted with kcat (Debian's), not with pyro.

const LOG_DIR = '/var/lib/pyro/applog'; // private to each simulated host
const HTTP_PORT = 8081;

function inventoryYaml(tb: Testbed): string {
  const [h1, h2, h3] = tb.hosts;
  const worker = 'hdfs-datanode, yarn-nodemanager, kafka-controller, kafka-broker';
  return `cluster:
  name: flume-test
defaults:
  ssh: { user: root, identity: ${tb.identity} }
hosts:
  - { name: h1, address: ${h1!.address}, roles: [hdfs-namenode, yarn-resourcemanager, ${worker}] }
  - { name: h2, address: ${h2!.address}, roles: [${worker}, flume] }
  - { name: h3, address: ${h3!.address}, roles: [${worker}, flume] }
services:
  hdfs: { namenode: { heap: 384m }, datanode: { heap: 256m } }
  yarn: { resourcemanager: { heap: 384m }, nodemanager: { heap: 256m, memoryMb: 2048, vcores: 2 } }
  kafka: { controller: { heap: 256m }, broker: { heap: 384m } }
  flume:
    heap: 256m
    sources:
      # Rotation renames access.log to access-N.log: the glob still matches, and Flume follows the file by inode.
      - { name: access, type: taildir, topic: access, paths: [${LOG_DIR}/access*.log] }
      - { name: web, type: http, topic: web, port: ${HTTP_PORT} }
      # Straight into the topic through a Kafka channel: no file channel, no sink.
      - { name: direct, type: taildir, topic: direct, paths: [${LOG_DIR}/direct*.log], channel: kafka }
topics:
  - { name: access, partitions: 3, replicationFactor: 3 }
  - { name: web, partitions: 3, replicationFactor: 3 }
  - { name: direct, partitions: 3, replicationFactor: 3 }
`;
}

describe('Flume agents deployed by pyro: tailed files and HTTP events into Kafka, on three simulated hosts', function () {
  this.timeout(900_000);
  let tb: Testbed;
  let inv: string;
  let env: Record<string, string>;
  const pyro = (args: string[], timeoutMs = 600_000) => runPyro([...args, '-i', inv], { env, timeoutMs });

  /** Every message body in a topic, read from the beginning to the end with kcat. */
  const bodies = async (topic: string): Promise<string[]> => {
    const r = await execa('kcat', ['-C', '-b', `${tb.hosts[0]!.address}:9092`, '-t', topic, '-o', 'beginning', '-e', '-q', '-f', '%s\\n'], {
      timeout: 60_000,
      reject: false,
    });
    assert.equal(r.exitCode, 0, r.stderr);
    return r.stdout.split('\n').filter(Boolean);
  };
  /** Waits until every expected line is in the topic; returns how many arrived and how many were duplicates. */
  const arrived = async (topic: string, expected: Set<string>, timeoutMs = 180_000): Promise<{ missing: string[]; duplicates: number }> => {
    const end = Date.now() + timeoutMs;
    for (;;) {
      const got = await bodies(topic);
      const seen = new Set(got);
      const missing = [...expected].filter((l) => !seen.has(l));
      if (!missing.length || Date.now() > end) return { missing, duplicates: got.length - seen.size };
      await new Promise((r) => setTimeout(r, 2000));
    }
  };
  const append = (host: string, tag: string, from: number, to: number, file = 'access.log') =>
    tb.ssh(host, `seq ${from} ${to} | sed 's/^/${tag} line /' >> ${LOG_DIR}/${file}`);

  before(async () => {
    tb = await createTestbed(3);
    const dir = mkdtempSync(path.join(os.tmpdir(), 'pyro-flume-test-'));
    chmodSync(dir, 0o755);
    inv = path.join(dir, 'cluster.yaml');
    writeFileSync(inv, inventoryYaml(tb));
    env = { PYRO_STATE_DIR: path.join(dir, 'state') };
  });
  after(async () => {
    await tb?.destroy();
  });

  it('pyro up starts an agent on h2 and h3 behind its gate; status shows each source, sink and channel', async () => {
    for (const h of ['h2', 'h3']) await tb.ssh(h, `mkdir -p ${LOG_DIR}`);
    const r = await pyro(['up', '--trust-new-hosts']);
    assert.equal(r.exitCode, 0, `${r.stdout}\n${r.stderr}`);
    assert.match(r.stdout, /\[h2\] flume: ready/);
    assert.match(r.stdout, /\[h3\] flume: ready/);
    const st = await pyro(['status', '--json'], 60_000);
    assert.equal(st.exitCode, 0, st.stdout);
    const json = JSON.parse(st.stdout) as { instances: { host: string; role: string; state: string }[]; flume?: unknown };
    assert.deepEqual(
      json.instances.filter((i) => i.role === 'flume').map((i) => [i.host, i.state]),
      [
        ['h2', 'healthy'],
        ['h3', 'healthy'],
      ],
    );
    assert.ok(json.flume, `status --json has a flume section: ${st.stdout.slice(0, 2000)}`);
    const text = await pyro(['status'], 60_000);
    assert.match(text.stdout, /Flume/);
    const again = await pyro(['up', '--json']);
    assert.equal(again.exitCode, 0, again.stderr);
    assert.deepEqual((JSON.parse(again.stdout) as { changes: string[] }).changes, [], 'a second up changes nothing');
  });

  it('20,000 lines with a rotation and a kill -9 of an agent mid-stream: every line reaches Kafka', async () => {
    const expected = new Set<string>();
    const expect = (tag: string, from: number, to: number) => {
      for (let i = from; i <= to; i++) expected.add(`${tag} line ${i}`);
    };
    // h3: 10,000 lines, rotated halfway.
    await append('h3', 'h3', 1, 5000);
    await tb.ssh('h3', `mv ${LOG_DIR}/access.log ${LOG_DIR}/access-1.log`);
    await append('h3', 'h3', 5001, 10000);
    expect('h3', 1, 10000);
    // h2: 10,000 lines; its agent is killed with -9 after the first 2,500, the rest is written while it is down.
    // The same for the source behind a Kafka channel: 5,000 lines, 2,500 of them while the agent is down.
    const direct = new Set<string>();
    for (let i = 1; i <= 5000; i++) direct.add(`h2d line ${i}`);
    await append('h2', 'h2', 1, 2500);
    await append('h2', 'h2d', 1, 2500, 'direct.log');
    await new Promise((r) => setTimeout(r, 1500));
    await tb.ssh('h2', 'kill -9 $(cat /var/lib/pyro/run/flume.pid)');
    await append('h2', 'h2', 2501, 5000);
    await append('h2', 'h2d', 2501, 5000, 'direct.log');
    await tb.ssh('h2', `mv ${LOG_DIR}/access.log ${LOG_DIR}/access-1.log`);
    await append('h2', 'h2', 5001, 10000);
    expect('h2', 1, 10000);
    const st = await pyro(['status'], 60_000);
    assert.equal(st.exitCode, 1, 'the killed agent makes the cluster unhealthy');
    assert.match(st.stdout, /flume on h2 is (dead|stopped)/);
    const up = await pyro(['up']);
    assert.equal(up.exitCode, 0, `${up.stdout}\n${up.stderr}`);
    assert.match(up.stdout, /\[h2\] flume/);
    const { missing, duplicates } = await arrived('access', expected);
    console.log(`      access: ${expected.size - missing.length}/${expected.size} lines in Kafka, ${duplicates} duplicates (at-least-once after the kill)`);
    assert.deepEqual(missing.slice(0, 10), [], `${missing.length} lines missing`);
    const viaChannel = await arrived('direct', direct);
    console.log(`      direct (Kafka channel): ${direct.size - viaChannel.missing.length}/${direct.size} lines in Kafka, ${viaChannel.duplicates} duplicates`);
    assert.deepEqual(viaChannel.missing.slice(0, 10), [], `${viaChannel.missing.length} lines missing through the Kafka channel`);
  });

  it('5,000 JSON events posted to the HTTP source arrive; malformed JSON gets a 4xx and the agent keeps running', async () => {
    const url = `http://${tb.hosts[1]!.address}:${HTTP_PORT}`;
    const expected = new Set<string>();
    for (let batch = 0; batch < 50; batch++) {
      const events = Array.from({ length: 100 }, (_, i) => ({ headers: { src: 'test' }, body: `web event ${batch * 100 + i}` }));
      events.forEach((e) => expected.add(e.body));
      const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(events) });
      assert.equal(res.status, 200, `batch ${batch}: HTTP ${res.status}`);
    }
    const bad = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"not": "an array", ' });
    assert.ok(bad.status >= 400 && bad.status < 500, `malformed JSON: HTTP ${bad.status}`);
    const after = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify([{ headers: {}, body: 'web event after' }]),
    });
    assert.equal(after.status, 200, 'the agent still takes events');
    expected.add('web event after');
    const { missing, duplicates } = await arrived('web', expected);
    console.log(`      web: ${expected.size - missing.length}/${expected.size} events in Kafka, ${duplicates} duplicates`);
    assert.deepEqual(missing.slice(0, 10), [], `${missing.length} events missing`);
    const st = await pyro(['status', '--json'], 60_000);
    assert.equal(st.exitCode, 0, st.stdout);
  });
});
