import { strict as assert } from 'node:assert';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { Kafka, logLevel, Partitioners } from 'kafkajs';
import { PYRO, runPyro, type PyroRun } from '../helpers/cli.js';
import { createTestbed, type Testbed } from '../testbed/testbed.js';

// The tiers issue end to end: three simulated hosts, real sshd, real HDFS, YARN and a KRaft quorum, driven only
// through the CLI, as a user would.

interface StatusJson {
  healthy: boolean;
  problems: string[];
  instances: { host: string; role: string; state: string; pid?: number }[];
  hdfs?: { liveDataNodes: number };
  yarn?: { activeNodes: number };
  kafka?: { brokers: number[]; underReplicated: number; topicNames: string[]; controller?: { leaderId: number; voters: number[] } };
}

interface UpJson {
  ok: boolean;
  changes: string[];
  tiers: { role: string; started: number; restarted: number; waitSeconds: number }[];
}

/** The Kafka release the cluster starts on; the upgrade test moves it to 4.3.1 (pyro's default) for the tests after it. */
let kafkaRelease = '4.2.2';

/** The cluster: h1-h3; with `h4`, a fourth host of workers (or the roles given); `h3` replaces h3's roles ('' leaves h3 out). */
function inventoryYaml(tb: Testbed, extraBroker = '', o: { h4?: boolean | string; h3?: string } = {}): string {
  const [h1, h2, h3, h4] = tb.hosts;
  const h3Roles = o.h3 ?? 'hdfs-datanode, yarn-nodemanager, kafka-controller, kafka-broker';
  return `cluster:
  name: up-test
defaults:
  ssh: { user: root, identity: ${tb.identity} }
hosts:
  - { name: h1, address: ${h1!.address}, roles: [hdfs-namenode, yarn-resourcemanager, kafka-controller, kafka-broker, hdfs-datanode, yarn-nodemanager] }
  - { name: h2, address: ${h2!.address}, roles: [hdfs-datanode, yarn-nodemanager, kafka-controller, kafka-broker] }
${
  h3Roles
    ? `  - { name: h3, address: ${h3!.address}, roles: [${h3Roles}] }
`
    : ''
}${
    o.h4
      ? `  - { name: h4, address: ${h4!.address}, roles: [${typeof o.h4 === 'string' ? o.h4 : 'hdfs-datanode, yarn-nodemanager, kafka-broker'}] }
`
      : ''
  }services:
  hdfs:
    namenode: { heap: 384m }
    datanode: { heap: 256m }
  yarn:
    resourcemanager: { heap: 384m }
    nodemanager: { heap: 256m, memoryMb: 2048, vcores: 2 }
  kafka:
    controller: { heap: 256m }
    broker:
      heap: 384m
${extraBroker}
artifacts:
  versions: { kafka: ${kafkaRelease} }
topics:
  - name: events
    partitions: 3
    replicationFactor: 3
    config: { min.insync.replicas: 2 }
`;
}

function httpPut(url: string, body: Buffer): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: 'PUT', headers: { 'content-length': body.length, 'content-type': 'application/octet-stream' } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString() }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

const pidsOf = (st: StatusJson) => Object.fromEntries(st.instances.map((i) => [`${i.host}/${i.role}`, i.pid]));

describe('pyro up / down / status / logs on three simulated hosts', function () {
  this.timeout(900_000);
  let tb: Testbed;
  let inv: string;
  let env: Record<string, string>;
  const pyro = (args: string[], timeoutMs = 600_000) => runPyro([...args, '-i', inv], { env, timeoutMs });
  const status = async (): Promise<{ run: PyroRun; json: StatusJson }> => {
    const run = await pyro(['status', '--json'], 60_000);
    return { run, json: JSON.parse(run.stdout) as StatusJson };
  };
  const sshdAccepts = () =>
    tb.hosts.map((h) => (readFileSync(path.join(tb.workdir, 'hosts', h.name, 'sshd.log'), 'utf8').match(/Accepted publickey/g) ?? []).length);
  const nnUrl = () => `http://${tb.hosts[0]!.address}:9870/webhdfs/v1`;
  const kafka = () => new Kafka({ clientId: 'up-test', brokers: tb.hosts.slice(0, 3).map((h) => `${h.address}:9092`), logLevel: logLevel.NOTHING });
  /** Every partition's replicas, by `topic-partition`. */
  const replicas = async (): Promise<Record<string, number[]>> => {
    const admin = kafka().admin();
    await admin.connect();
    try {
      const meta = await admin.fetchTopicMetadata({ topics: await admin.listTopics() });
      return Object.fromEntries(meta.topics.flatMap((t) => t.partitions.map((p) => [`${t.name}-${p.partitionId}`, p.replicas])));
    } finally {
      await admin.disconnect();
    }
  };
  const holds = (r: Record<string, number[]>, id: number) => Object.values(r).filter((x) => x.includes(id)).length;

  before(async () => {
    // h4 stays bare until the scale-out test adds it.
    tb = await createTestbed(4);
    const dir = mkdtempSync(path.join(os.tmpdir(), 'pyro-up-test-'));
    inv = path.join(dir, 'cluster.yaml');
    writeFileSync(inv, inventoryYaml(tb));
    env = { PYRO_STATE_DIR: path.join(dir, 'state') };
  });
  after(async () => {
    await tb?.destroy();
  });

  it('an inventory with two services on one port of a host fails before any host is touched', async () => {
    const bad = path.join(path.dirname(inv), 'clash.yaml');
    writeFileSync(bad, inventoryYaml(tb).replace('datanode: { heap: 256m }', 'datanode: { heap: 256m, ports: { http: 9870 } }'));
    const before = sshdAccepts();
    const r = await runPyro(['up', '-i', bad], { env });
    assert.equal(r.exitCode, 2, r.stderr);
    assert.match(r.stderr, /clash\.yaml:\d+:\d+: error: .*9870/);
    assert.deepEqual(sshdAccepts(), before, 'no SSH connection was made');
  });

  it('brings three bare hosts up to a healthy cluster; status --json shows every instance healthy', async () => {
    const r = await pyro(['up', '--trust-new-hosts']);
    assert.equal(r.exitCode, 0, `${r.stdout}\n${r.stderr}`);
    assert.match(r.stdout, /format hdfs-namenode/);
    assert.match(r.stdout, /\[kafka\] create topic events/);
    const { run, json } = await status();
    assert.equal(run.exitCode, 0, run.stdout);
    assert.equal(json.instances.length, 14);
    assert.deepEqual(
      json.instances.filter((i) => i.state !== 'healthy'),
      [],
    );
    assert.equal(json.hdfs?.liveDataNodes, 3);
    assert.equal(json.yarn?.activeNodes, 3);
    assert.deepEqual(json.kafka?.brokers.length, 3);
    assert.ok(json.kafka?.topicNames.includes('events'));
    const human = await pyro(['status'], 60_000);
    assert.match(human.stdout, /cluster up-test is healthy/);
  });

  it('keeps an HDFS file and every acknowledged message across down and up; a second up changes nothing', async () => {
    const content = randomBytes(3 * 1024 * 1024);
    const sha = createHash('sha256').update(content).digest('hex');
    // WebHDFS create: the NameNode redirects to a DataNode, which takes the bytes.
    const loc = await fetch(`${nnUrl()}/keep/blob.bin?op=CREATE&user.name=root&overwrite=true&replication=3`, { method: 'PUT', redirect: 'manual' });
    assert.equal(loc.status, 307);
    // node:http, not fetch: undici rejects the DataNode's (Netty's) answer to a PUT as a "bad response".
    const put = await httpPut(loc.headers.get('location')!, content);
    assert.equal(put.status, 201, put.body);
    const messages = Array.from({ length: 500 }, (_, i) => `event-${i}-${randomBytes(4).toString('hex')}`);
    const producer = kafka().producer({ createPartitioner: Partitioners.DefaultPartitioner });
    await producer.connect();
    await producer.send({ topic: 'events', acks: -1, messages: messages.map((value) => ({ value })) });
    await producer.disconnect();

    const down = await pyro(['down']);
    assert.equal(down.exitCode, 0, down.stderr);
    const stopped = await status();
    assert.equal(stopped.run.exitCode, 1);
    assert.ok(stopped.json.instances.every((i) => i.state === 'stopped'));

    const up = await pyro(['up', '--json']);
    assert.equal(up.exitCode, 0, up.stderr);
    const upJson = JSON.parse(up.stdout) as UpJson;
    assert.ok(!upJson.changes.some((c) => /format/.test(c)), `nothing is formatted again: ${upJson.changes.join('\n')}`);

    const got = Buffer.from(await (await fetch(`${nnUrl()}/keep/blob.bin?op=OPEN&user.name=root`)).arrayBuffer());
    assert.equal(createHash('sha256').update(got).digest('hex'), sha);
    const consumer = kafka().consumer({ groupId: `up-test-${randomBytes(4).toString('hex')}` });
    await consumer.connect();
    await consumer.subscribe({ topic: 'events', fromBeginning: true });
    const seen = new Set<string>();
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`only ${seen.size}/${messages.length} messages after 60 s`)), 60_000);
      void consumer.run({
        eachMessage: async ({ message }) => {
          seen.add(message.value!.toString());
          if (seen.size === messages.length) {
            clearTimeout(timer);
            resolve();
          }
        },
      });
    });
    await consumer.disconnect();
    assert.deepEqual([...seen].sort(), [...messages].sort());

    const again = await pyro(['up', '--json']);
    assert.equal(again.exitCode, 0, again.stderr);
    const againJson = JSON.parse(again.stdout) as UpJson;
    assert.deepEqual(againJson.changes, []);
    assert.ok(againJson.tiers.every((t) => t.started === 0 && t.restarted === 0));
    assert.match(again.stderr, /nothing changed/);
  });

  it('reports a killed DataNode and broker (exit 1); up restarts only those two', async () => {
    const before = pidsOf((await status()).json);
    await tb.ssh('h2', 'kill -9 $(cat /var/lib/pyro/run/hdfs-datanode.pid)');
    await tb.ssh('h3', 'kill -9 $(cat /var/lib/pyro/run/kafka-broker.pid)');
    const { run, json } = await status();
    assert.equal(run.exitCode, 1);
    const dead = json.instances.filter((i) => i.state === 'dead').map((i) => `${i.host}/${i.role}`);
    assert.deepEqual(dead.sort(), ['h2/hdfs-datanode', 'h3/kafka-broker']);
    const human = await pyro(['status'], 60_000);
    assert.equal(human.exitCode, 1);
    assert.match(human.stdout, /hdfs-datanode on h2 is dead/);

    const up = await pyro(['up', '--json']);
    assert.equal(up.exitCode, 0, up.stderr);
    const changes = (JSON.parse(up.stdout) as UpJson).changes;
    assert.equal(changes.length, 2, changes.join('\n'));
    assert.match(
      changes.find((c) => c.startsWith('h2:'))!,
      /start hdfs-datanode/,
    );
    assert.match(
      changes.find((c) => c.startsWith('h3:'))!,
      /start kafka-broker/,
    );
    const after = await status();
    assert.equal(after.run.exitCode, 0, after.run.stdout);
    const now = pidsOf(after.json);
    for (const [k, pid] of Object.entries(before)) {
      if (k === 'h2/hdfs-datanode' || k === 'h3/kafka-broker') assert.notEqual(now[k], pid, `${k} was restarted`);
      else assert.equal(now[k], pid, `${k} was left alone`);
    }
  });

  it('a changed Kafka setting: dry-run shows exactly it; up restarts only the brokers, one at a time', async () => {
    const before = pidsOf((await status()).json);
    writeFileSync(inv, inventoryYaml(tb, '      config:\n        server.properties:\n          log.retention.hours: 24'));
    const dry = await pyro(['up', '--dry-run']);
    assert.equal(dry.exitCode, 0, dry.stderr);
    const planned = dry.stdout.split('\n').filter((l) => /^\[h\d\] would /.test(l));
    assert.deepEqual(
      planned,
      ['h1', 'h2', 'h3'].flatMap((h) => [
        `[${h}] would write /opt/pyro/conf/kafka-broker/server.properties`,
        `[${h}] would restart kafka-broker (server.properties changed)`,
      ]),
    );
    assert.equal(dry.stdout.split('\n').filter((l) => l.trim() === '+log.retention.hours=24').length, 3);
    assert.deepEqual(pidsOf((await status()).json), before, 'a dry run changes nothing');

    const up = await pyro(['up']);
    assert.equal(up.exitCode, 0, up.stderr);
    // One broker at a time: each restart is followed by the gate (registered, no under-replicated partition)
    // before the next one begins.
    const lines = up.stdout.split('\n');
    const rolling = lines.map((l, i) => [l, i] as const).filter(([l]) => l.includes('rolling restart:'));
    assert.equal(rolling.length, 3, up.stdout);
    for (let k = 0; k < rolling.length; k++) {
      const from = rolling[k]![1];
      const to = rolling[k + 1]?.[1] ?? lines.length;
      const segment = lines.slice(from, to);
      assert.equal(segment.filter((l) => /kafka-broker: started/.test(l)).length, 1, segment.join('\n'));
      assert.ok(
        segment.some((l) => /kafka-broker gate: 3\/3 brokers registered, 0 under-replicated/.test(l)),
        segment.join('\n'),
      );
    }
    const now = pidsOf((await status()).json);
    for (const [k, pid] of Object.entries(before)) {
      if (k.endsWith('/kafka-broker')) assert.notEqual(now[k], pid, `${k} restarted`);
      else assert.equal(now[k], pid, `${k} left alone`);
    }
    const conf = await tb.ssh('h2', 'grep retention.hours /opt/pyro/conf/kafka-broker/server.properties');
    assert.equal(conf.stdout.trim(), 'log.retention.hours=24');
  });

  it('a port taken by another process, and a broker that cannot start, fail naming host, service, probe and log', async () => {
    // Another program on h3's DataNode web port while the DataNode is down.
    await tb.ssh(
      'h3',
      'kill -TERM $(cat /var/lib/pyro/run/hdfs-datanode.pid); sleep 3; (exec setsid nohup python3 -m http.server 9864 --bind 10.213.0.13) > /tmp/squatter.out 2>&1 < /dev/null & echo $! > /tmp/squatter.pid; sleep 1',
    );
    const clash = await pyro(['up']);
    assert.equal(clash.exitCode, 1, clash.stderr);
    assert.match(clash.stderr, /hdfs-datanode on h3: port 9864 is already in use by another process/);
    assert.match(clash.stderr, /hint: stop whatever listens there/);
    await tb.ssh('h3', 'kill $(cat /tmp/squatter.pid)');

    // A setting Kafka rejects at startup: the first broker of the rolling restart dies, the others are untouched.
    const before = pidsOf((await status()).json);
    writeFileSync(inv, inventoryYaml(tb, '      config:\n        server.properties:\n          log.retention.hours: 24\n          num.network.threads: 0'));
    const bad = await pyro(['up', '--timeout', '60']);
    assert.equal(bad.exitCode, 1, bad.stderr);
    assert.match(bad.stderr, /kafka-broker on h1: the process exited before it was ready \(last probe: Kafka metadata from 10\.213\.0\.11:9092: /);
    assert.match(bad.stderr, /log: \/var\/lib\/pyro\/logs\/kafka-broker\/server\.log/);
    assert.match(bad.stderr, /num\.network\.threads/, 'the log tail shows why');
    assert.match(bad.stdout, /\[h3\] hdfs-datanode: started/, 'the tiers before Kafka were brought back first');
    const mid = pidsOf((await status()).json);
    assert.equal(mid['h2/kafka-broker'], before['h2/kafka-broker']);
    assert.equal(mid['h3/kafka-broker'], before['h3/kafka-broker']);

    // Back to a good config: only the dead broker starts; the others were never restarted with the bad file.
    writeFileSync(inv, inventoryYaml(tb, '      config:\n        server.properties:\n          log.retention.hours: 24'));
    const fixed = await pyro(['up', '--json']);
    assert.equal(fixed.exitCode, 0, fixed.stderr);
    const changes = (JSON.parse(fixed.stdout) as UpJson).changes.filter((c) => /start|restart/.test(c));
    assert.deepEqual(changes.map((c) => c.replace(/ \(.*$/, '')).sort(), ['h1: start kafka-broker']);
  });

  it('logs shows a service log; a second concurrent run is refused by the lock', async () => {
    const logs = await pyro(['logs', 'hdfs-namenode', '-n', '5'], 60_000);
    assert.equal(logs.exitCode, 0, logs.stderr);
    assert.equal(logs.stdout.trim().split('\n').length, 5);
    const typo = await pyro(['logs', 'kafka-brokr'], 60_000);
    assert.equal(typo.exitCode, 2);
    assert.match(typo.stderr, /did you mean kafka-broker/);

    // A live holder (this test process, on this machine) refuses the run; a dead one is a stale lock, taken over.
    const lock = path.join(env.PYRO_STATE_DIR!, 'clusters', 'up-test', 'lock');
    const holder = (pid: number) => JSON.stringify({ pid, hostname: os.hostname(), command: 'pyro up', started: new Date().toISOString() });
    writeFileSync(lock, holder(process.pid));
    const refused = await pyro(['down'], 60_000);
    assert.equal(refused.exitCode, 1, refused.stderr);
    assert.match(refused.stderr, /another pyro run holds the cluster lock: `pyro up` \(pid \d+/);
    assert.equal((await status()).run.exitCode, 0, 'nothing was stopped');
    writeFileSync(lock, holder(2 ** 22 + 1));
    const down = await pyro(['down', 'yarn-nodemanager']);
    assert.equal(down.exitCode, 0, down.stderr);
    assert.match(down.stderr, /took over a stale lock/);
    assert.ok(!existsSync(lock), 'the lock is released at the end');
    const up = await pyro(['up', '--json']);
    assert.equal(up.exitCode, 0, up.stderr);
    assert.equal((JSON.parse(up.stdout) as UpJson).changes.filter((c) => /start yarn-nodemanager/.test(c)).length, 3);
  });

  it('a host cut off the network in the middle of up is named within 15 s; once it is back, up finishes the work', async () => {
    writeFileSync(inv, inventoryYaml(tb, '      config:\n        server.properties:\n          log.retention.hours: 48'));
    const child = execa(PYRO, ['up', '-i', inv], { env: { NO_COLOR: '1', ...env }, reject: false, timeout: 300_000, stdin: 'ignore' });
    let namedAt = 0;
    let stdout = '';
    let stderr = '';
    const rolling = new Promise<void>((resolve) => {
      child.stdout!.on('data', (c: Buffer) => {
        stdout += c.toString();
        if (stdout.includes('rolling restart:')) resolve();
      });
    });
    child.stderr!.on('data', (c: Buffer) => {
      stderr += c.toString();
      if (!namedAt && /h3 stopped answering/.test(stderr)) namedAt = Date.now();
    });
    // The brokers restart one at a time, h1 first: h3 waits its turn on an idle connection when its link goes.
    await Promise.race([rolling, child]);
    assert.ok(stdout.includes('rolling restart:'), `${stdout}\n${stderr}`);
    await tb.cut('h3');
    const cutAt = Date.now();
    try {
      const r = await child;
      assert.notEqual(r.exitCode, 0, `${stdout}\n${stderr}`);
      assert.ok(namedAt > 0, stderr);
      assert.ok(namedAt - cutAt <= 15_000, `h3 named ${(namedAt - cutAt) / 1000} s after the cut:\n${stderr}`);
      assert.match(stderr, /\[h3\] the SSH connection to h3 was lost: h3 stopped answering \(no reply for 12 s\)/);
      assert.match(stderr, /hint: h3 may be cut off the network or powered off; once it answers again, run the same command/);
      assert.doesNotMatch(stderr, /MaxSessions|channel cap/);
      console.log(`      (h3 named ${(namedAt - cutAt) / 1000} s after its link went down; pyro ended ${(Date.now() - cutAt) / 1000} s after)`);
    } finally {
      await tb.heal('h3');
    }
    const again = await pyro(['up']);
    assert.equal(again.exitCode, 0, `${again.stdout}\n${again.stderr}`);
    for (const h of ['h1', 'h2', 'h3']) {
      const conf = await tb.ssh(h, 'grep retention.hours /opt/pyro/conf/kafka-broker/server.properties');
      assert.equal(conf.stdout.trim(), 'log.retention.hours=48', h);
    }
    const { json } = await status();
    assert.deepEqual(json.problems, []);
  });

  it('pyro history records every run; one killed with SIGKILL shows as interrupted, and the next up takes over', async () => {
    const lock = path.join(env.PYRO_STATE_DIR!, 'clusters', 'up-test', 'lock');
    const child = execa(PYRO, ['up', '-i', inv], { env: { NO_COLOR: '1', ...env }, reject: false, timeout: 120_000, stdin: 'ignore' });
    const end = Date.now() + 30_000;
    while (!existsSync(lock) && Date.now() < end) await new Promise((r) => setTimeout(r, 50));
    assert.ok(existsSync(lock), 'the run took the lock');
    // Past the lock, its start is in the history: kill it before it can record anything else.
    await new Promise((r) => setTimeout(r, 300));
    child.kill('SIGKILL');
    await child;
    const up = await pyro(['up']);
    assert.equal(up.exitCode, 0, up.stderr);
    assert.match(up.stderr, /took over a stale lock left by `pyro up`/);

    const h = await pyro(['history', '--json'], 60_000);
    assert.equal(h.exitCode, 0, h.stderr);
    const runs = (JSON.parse(h.stdout) as { runs: { command: string; result: string; user: string; error?: string; changes?: string[] }[] }).runs;
    const tail = runs.slice(-4).map((r) => [r.command, r.result]);
    assert.deepEqual(tail, [
      ['up', 'failed'],
      ['up', 'ok'],
      ['up', 'interrupted'],
      ['up', 'ok'],
    ]);
    assert.match(runs.at(-4)!.error!, /h3 stopped answering/);
    assert.ok(
      runs.at(-3)!.changes!.some((c) => /restart kafka-broker/.test(c)),
      JSON.stringify(runs.at(-3)),
    );
    assert.equal(runs.at(-1)!.user, os.userInfo().username);
    const human = await pyro(['history', '--last', '2'], 60_000);
    assert.equal(human.exitCode, 0, human.stderr);
    assert.match(human.stdout, /up: interrupted: pyro ended without recording an end/);
    assert.match(human.stdout, /\(the last 2 of \d+ runs; --last N for more\)/);
  });

  it('pyro restart: a dry run changes nothing; hdfs and the NodeManagers --rolling, one at a time behind data-aware gates, the NameNode outage announced', async () => {
    const typo = await pyro(['restart', 'kafak'], 60_000);
    assert.equal(typo.exitCode, 2, typo.stderr);
    assert.match(typo.stderr, /no managed service or role kafak .*\n.*did you mean kafka/);
    const blob = async () =>
      createHash('sha256')
        .update(Buffer.from(await (await fetch(`${nnUrl()}/keep/blob.bin?op=OPEN&user.name=root`)).arrayBuffer()))
        .digest('hex');
    const sha = await blob();
    const before = pidsOf((await status()).json);
    const dry = await pyro(['restart', 'kafka-broker', '--dry-run']);
    assert.equal(dry.exitCode, 0, dry.stderr);
    assert.deepEqual(
      dry.stdout.split('\n').filter((l) => /^\[h\d\] would /.test(l)),
      ['h1', 'h2', 'h3'].map((h) => `[${h}] would restart kafka-broker (asked by pyro restart)`),
    );
    assert.deepEqual(pidsOf((await status()).json), before, 'a dry run restarts nothing');

    const r = await pyro(['restart', 'hdfs', 'yarn-nodemanager', '--rolling']);
    assert.equal(r.exitCode, 0, `${r.stdout}\n${r.stderr}`);
    const lines = r.stdout.split('\n');
    assert.ok(
      lines.some((l) => /restarting hdfs-namenode on h1: HDFS .* is unavailable until it is back/.test(l)),
      r.stdout,
    );
    for (const role of ['hdfs-datanode', 'yarn-nodemanager']) {
      const from = lines.findIndex((l) => l.trim() === `-- ${role}`);
      const to = lines.findIndex((l, i) => i > from && /^-- /.test(l.trim()));
      const tier = lines.slice(from, to < 0 ? undefined : to);
      const rolls = tier.map((l, i) => [l, i] as const).filter(([l]) => /rolling restart: h\d \(asked by pyro restart\)/.test(l));
      assert.equal(rolls.length, 3, tier.join('\n'));
      // Each instance is followed by its gate before the next one goes down.
      for (let k = 0; k < rolls.length; k++) {
        const segment = tier.slice(rolls[k]![1], rolls[k + 1]?.[1] ?? tier.length);
        const gate =
          role === 'hdfs-datanode'
            ? /hdfs-datanode gate: 3\/3 DataNodes live, safe mode off, 0 under-replicated and 0 missing blocks/
            : /yarn-nodemanager gate: 3\/3 NodeManagers active/;
        assert.ok(
          segment.some((l) => gate.test(l)),
          segment.join('\n'),
        );
      }
    }
    const now = pidsOf((await status()).json);
    for (const [k, pid] of Object.entries(before)) {
      if (/\/(hdfs-|yarn-nodemanager)/.test(k)) assert.notEqual(now[k], pid, `${k} restarted`);
      else assert.equal(now[k], pid, `${k} left alone`);
    }
    assert.equal(await blob(), sha, 'the file written before reads the same');
    const h = await pyro(['history', '--json'], 60_000);
    const last = (JSON.parse(h.stdout) as { runs: { command: string; result: string }[] }).runs.at(-1)!;
    assert.deepEqual([last.command, last.result], ['restart hdfs-namenode hdfs-datanode yarn-nodemanager --rolling', 'ok']);
  });

  const retention48 = '      config:\n        server.properties:\n          log.retention.hours: 48';

  /** Where each Kafka process on h1-h3 runs from (its versioned install dir), by `host/role`, from the pids status reports. */
  const kafkaBinaries = async (): Promise<Record<string, string>> => {
    const out: Record<string, string> = {};
    for (const [key, pid] of Object.entries(pidsOf((await status()).json))) {
      if (!/^h[123]\/kafka-/.test(key)) continue;
      const args = pid ? readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ') : 'not running';
      out[key] = /\/kafka\/([^/]+)\/libs/.exec(args)?.[1] ?? args;
    }
    return out;
  };
  /** The cluster's finalised levels, as Kafka's own kafka-features tool on h1 reports them. */
  const finalized = async (): Promise<Record<string, string>> => {
    const out = (
      await tb.ssh(
        'h1',
        `lib=$(ls -d /opt/pyro/kafka/*/libs | tail -1); java -cp "$lib/*" org.apache.kafka.tools.FeatureCommand --bootstrap-server ${tb.hosts[0]!.address}:9092 describe 2>/dev/null`,
      )
    ).stdout;
    return Object.fromEntries([...out.matchAll(/Feature: (\S+)\s.*FinalizedVersionLevel: (\S+)/g)].map((m) => [m[1]!, m[2]!]));
  };
  const everywhere = (v: string) => Object.fromEntries(['h1', 'h2', 'h3'].flatMap((h) => ['kafka-controller', 'kafka-broker'].map((r) => [`${h}/${r}`, v])));

  it('rolling upgrade of Kafka 4.2.2 to 4.3.1 under acks=all load: held, killed midway and resumed, rolled back, upgraded and finalised; a finalised downgrade and a version no source has are refused', async () => {
    assert.deepEqual(await kafkaBinaries(), everywhere('4.2.2'));
    assert.equal((await finalized())['metadata.version'], '4.2-IV1');
    // An independent producer (acks=all) runs throughout; only acknowledged messages are counted. One partition per
    // request: kafkajs may report a multi-broker request's records as written when a leader moved (see bench/roll).
    const acked: string[] = [];
    let failures = 0;
    let producing = true;
    const producer = kafka().producer({ createPartitioner: Partitioners.DefaultPartitioner, retry: { retries: 10 } });
    await producer.connect();
    const load = (async () => {
      for (let n = 0; producing; n++) {
        const batch = Array.from({ length: 20 }, (_, i) => `upgrade-${n}-${i}`);
        try {
          await producer.send({ topic: 'events', acks: -1, messages: batch.map((value) => ({ value, partition: n % 3 })) });
          acked.push(...batch);
        } catch {
          failures++;
        }
        await new Promise((r) => setTimeout(r, 100));
      }
    })();
    try {
      kafkaRelease = '4.3.1';
      writeFileSync(inv, inventoryYaml(tb, retention48));
      // Killed with SIGKILL once the controllers are done and the brokers are rolling: the next run finishes.
      const child = execa(PYRO, ['up', '--no-finalize', '-i', inv], { env: { NO_COLOR: '1', ...env }, reject: false, timeout: 600_000, stdin: 'ignore' });
      let first = '';
      await new Promise<void>((resolve, reject) => {
        child.stdout!.on('data', (b: Buffer) => {
          first += b.toString();
          if (/^-- kafka-broker$[\s\S]*rolling restart: h2 /m.test(first)) resolve();
        });
        void child.then((c) => reject(new Error(`pyro ended before the brokers rolled:\n${first}\n${String(c.stderr)}`)));
      });
      child.kill('SIGKILL');
      await child;
      assert.match(first, /push kafka 4\.3\.1/);
      assert.equal((first.match(/kafka-controller gate: leader \d+, voters \[[\d,]+\], every voter caught up/g) ?? []).length >= 3, true, first);
      const resumed = await pyro(['up', '--no-finalize']);
      assert.equal(resumed.exitCode, 0, `${resumed.stdout}\n${resumed.stderr}`);
      assert.doesNotMatch(resumed.stdout, /^-- kafka-controller$/m, 'the controllers, done before the kill, are not rolled again');
      assert.match(resumed.stdout, /held \(--no-finalize\): every node supports metadata\.version 30, the cluster runs at 29/);
      assert.deepEqual(await kafkaBinaries(), everywhere('4.3.1'));
      assert.equal((await finalized())['metadata.version'], '4.2-IV1', 'held: not finalised');
      const st = await pyro(['status'], 60_000);
      assert.match(st.stdout, /upgrade not finalised: metadata\.version 29, every node supports 30/);
      const dryFinal = await pyro(['kafka', 'finalize', '--dry-run', '--json'], 120_000);
      assert.equal(dryFinal.exitCode, 0, dryFinal.stderr);
      assert.deepEqual((JSON.parse(dryFinal.stdout) as { updates: unknown[] }).updates, [{ feature: 'metadata.version', from: 29, to: 30 }]);
      assert.equal((await finalized())['metadata.version'], '4.2-IV1', 'a dry run raises nothing');

      // Before finalising, the way back is the same roll.
      kafkaRelease = '4.2.2';
      writeFileSync(inv, inventoryYaml(tb, retention48));
      const back = await pyro(['up', '--json']);
      assert.equal(back.exitCode, 0, back.stderr);
      assert.ok((JSON.parse(back.stdout) as UpJson).changes.some((c) => /switch kafka to 4\.2\.2/.test(c)));
      assert.deepEqual(await kafkaBinaries(), everywhere('4.2.2'));

      kafkaRelease = '4.3.1';
      writeFileSync(inv, inventoryYaml(tb, retention48));
      const up = await pyro(['up', '--json']);
      assert.equal(up.exitCode, 0, up.stderr);
      // Each feature raised on its own: only metadata.version differs between 4.2 and 4.3 (kraft.version is never touched).
      assert.deepEqual(
        (JSON.parse(up.stdout) as UpJson).changes.filter((c) => c.startsWith('kafka: finalise')),
        ['kafka: finalise metadata.version 29 -> 30'],
      );
      assert.deepEqual(await kafkaBinaries(), everywhere('4.3.1'));
      const levels = await finalized();
      assert.equal(levels['metadata.version'], '4.3-IV0');
      assert.equal(levels['kraft.version'], '1', 'formatted as a dynamic quorum');
    } finally {
      producing = false;
      await load;
      await producer.disconnect();
    }
    // Once finalised, the old version cannot come back: refused before anything changes; so is a version no source has.
    const pids = pidsOf((await status()).json);
    kafkaRelease = '4.2.2';
    writeFileSync(inv, inventoryYaml(tb, retention48));
    const down = await pyro(['up']);
    assert.notEqual(down.exitCode, 0);
    assert.match(down.stderr, /Kafka 4\.2\.2 cannot run this cluster: its metadata\.version is finalised at 30 \(Kafka 4\.3\), and 4\.2 supports up to 29/);
    assert.match(down.stderr, /--no-finalize/);
    kafkaRelease = '4.2.99';
    writeFileSync(inv, inventoryYaml(tb, retention48));
    const none = await pyro(['up']);
    assert.notEqual(none.exitCode, 0);
    assert.match(none.stderr, /cannot obtain Apache Kafka \(KRaft\) 4\.2\.99/);
    kafkaRelease = '4.3.1';
    writeFileSync(inv, inventoryYaml(tb, retention48));
    assert.deepEqual(pidsOf((await status()).json), pids, 'the refused runs changed nothing');
    assert.deepEqual(await kafkaBinaries(), everywhere('4.3.1'));

    // Every acknowledged message, read back by kcat.
    assert.ok(acked.length > 500, `${acked.length} messages acknowledged during the upgrade (${failures} batches failed)`);
    const kc = await execa('kcat', ['-b', `${tb.hosts[0]!.address}:9092`, '-C', '-t', 'events', '-o', 'beginning', '-e', '-q', '-f', '%s\n'], {
      timeout: 60_000,
    });
    const seen = new Set(kc.stdout.split('\n'));
    assert.deepEqual(
      acked.filter((m) => !seen.has(m)),
      [],
    );
  });
  const scaleMessages = Array.from({ length: 1000 }, (_, i) => `scale-${i}-${randomBytes(4).toString('hex')}`);
  let h4Broker = -1;

  it('scale out: a fourth host joins without restarting anything else; its broker gets partitions only from pyro kafka rebalance', async () => {
    const before = pidsOf((await status()).json);
    const producer = kafka().producer({ createPartitioner: Partitioners.DefaultPartitioner });
    await producer.connect();
    await producer.send({ topic: 'events', acks: -1, messages: scaleMessages.map((value) => ({ value })) });
    await producer.disconnect();
    const brokersBefore = (await status()).json.kafka!.brokers;

    writeFileSync(inv, inventoryYaml(tb, retention48, { h4: true }));
    const r = await pyro(['up', '--json', '--trust-new-hosts']);
    assert.equal(r.exitCode, 0, r.stderr);
    const changes = (JSON.parse(r.stdout) as UpJson).changes;
    // The masters take the new host into their include lists without a restart.
    assert.ok(changes.includes('h1: reload hdfs-namenode (hosts.include changed)'), changes.join('\n'));
    assert.ok(changes.includes('h1: reload yarn-resourcemanager (hosts.include changed)'), changes.join('\n'));
    assert.deepEqual(changes.filter((c) => /: (start|restart) /.test(c)).sort(), [
      'h4: start hdfs-datanode (not running)',
      'h4: start kafka-broker (not running)',
      'h4: start yarn-nodemanager (not running)',
    ]);
    const { run, json } = await status();
    assert.equal(run.exitCode, 0, run.stdout);
    const now = pidsOf(json);
    for (const [k, pid] of Object.entries(before)) assert.equal(now[k], pid, `${k} left alone`);
    assert.equal(json.hdfs?.liveDataNodes, 4);
    assert.equal(json.yarn?.activeNodes, 4);
    assert.equal(json.kafka?.brokers.length, 4);
    h4Broker = json.kafka!.brokers.find((b) => !brokersBefore.includes(b))!;
    assert.equal(holds(await replicas(), h4Broker), 0, 'no partition moved to the new broker without being asked');

    const dry = await pyro(['kafka', 'rebalance', '--dry-run', '--json']);
    assert.equal(dry.exitCode, 0, dry.stderr);
    assert.ok((JSON.parse(dry.stdout) as { moved: unknown[] }).moved.length > 0);
    assert.equal(holds(await replicas(), h4Broker), 0, 'a dry run moves nothing');
    const reb = await pyro(['kafka', 'rebalance', '--throttle', '50']);
    assert.equal(reb.exitCode, 0, `${reb.stdout}\n${reb.stderr}`);
    assert.match(reb.stdout, /throttled to 50 MiB\/s/);
    const after = await replicas();
    const counts = [...brokersBefore, h4Broker].map((id) => holds(after, id));
    assert.ok(Math.max(...counts) - Math.min(...counts) <= 1, `replicas even across brokers: ${counts.join(', ')}`);
    const again = await pyro(['kafka', 'rebalance', '--json']);
    assert.deepEqual((JSON.parse(again.stdout) as { moved: unknown[] }).moved, [], 'a second rebalance moves nothing');
  });

  it('scale in: refused without --decommission, for a controller and below the replication factor; with it, h4 is drained, stopped and forgotten, nothing lost, even across a SIGKILL midway', async () => {
    const nnPid = pidsOf((await status()).json)['h1/hdfs-namenode'];
    const noH3 = inventoryYaml(tb, retention48, { h4: true, h3: '' });
    writeFileSync(inv, noH3);
    const ctl = await pyro(['up', '--decommission']);
    assert.notEqual(ctl.exitCode, 0);
    // Refused by the inventory's own rule (two controllers) before the cluster state is even read.
    assert.match(ctl.stderr, /2 Kafka controllers: the KRaft quorum needs an odd number/);

    writeFileSync(inv, inventoryYaml(tb, retention48));
    const plain = await pyro(['up']);
    assert.notEqual(plain.exitCode, 0);
    assert.match(plain.stderr, /hdfs-datanode on h4, yarn-nodemanager on h4, kafka-broker on h4: no longer in .*draining them first/);
    assert.match(plain.stderr, /pyro up --decommission/);

    writeFileSync(inv, inventoryYaml(tb, retention48, { h4: false, h3: 'yarn-nodemanager, kafka-controller, kafka-broker' }));
    const rf = await pyro(['up', '--decommission']);
    assert.notEqual(rf.exitCode, 0);
    assert.match(rf.stderr, /cannot decommission hdfs-datanode on h3, hdfs-datanode on h4: 2 DataNodes would stay, fewer than the 3 replicas/);
    writeFileSync(inv, inventoryYaml(tb, retention48, { h4: true }));
    const unchanged = await status();
    assert.equal(unchanged.run.exitCode, 0, 'the refused runs changed nothing');
    assert.equal(unchanged.json.hdfs?.liveDataNodes, 4);
    assert.equal(unchanged.json.kafka?.brokers.length, 4);

    writeFileSync(inv, inventoryYaml(tb, retention48));
    const dry = await pyro(['up', '--decommission', '--dry-run']);
    assert.equal(dry.exitCode, 0, dry.stderr);
    assert.deepEqual(
      dry.stdout.split('\n').filter((l) => /^\[h4\] would /.test(l)),
      [
        '[h4] would decommission kafka-broker (no longer in the inventory: drained first, then stopped)',
        '[h4] would decommission yarn-nodemanager (no longer in the inventory: drained first, then stopped)',
        '[h4] would decommission hdfs-datanode (no longer in the inventory: drained first, then stopped)',
      ],
    );
    // Killed with SIGKILL once the broker is done, in the middle of the decommission: the next run finishes it.
    const child = execa(PYRO, ['up', '--decommission', '-i', inv], { env: { NO_COLOR: '1', ...env }, reject: false, timeout: 600_000, stdin: 'ignore' });
    let first = '';
    await new Promise<void>((resolve, reject) => {
      child.stdout!.on('data', (b: Buffer) => {
        first += b.toString();
        if (/^-- yarn-nodemanager$/m.test(first.split('decommissioning')[1] ?? '')) resolve();
      });
      void child.then((c) => reject(new Error(`pyro ended before it reached the NodeManagers:\n${first}\n${String(c.stderr)}`)));
    });
    child.kill('SIGKILL');
    await child;
    assert.match(first, /kafka: moving \d+ partitions?, throttled/);
    assert.match(first, /kafka: broker \d+ \(h4\) unregistered/);
    const r = await pyro(['up', '--decommission']);
    assert.equal(r.exitCode, 0, `${r.stdout}\n${r.stderr}`);
    assert.match(r.stderr, /took over a stale lock/);
    assert.doesNotMatch(r.stdout, /-- kafka-broker/, 'the broker, done before the kill, is not decommissioned again');
    assert.match(r.stdout, /hdfs-datanode: h4 drained/);
    // The killed run's last command may have finished on h4 after pyro died (sshd runs it to the end).
    assert.match(r.stdout, /^-- yarn-nodemanager$/m);
    assert.match(r.stdout, /yarn-nodemanager: h4 (DECOMMISSIONED|gone)/);

    const { run, json } = await status();
    assert.equal(run.exitCode, 0, run.stdout);
    assert.equal(json.hdfs?.liveDataNodes, 3);
    assert.equal(json.yarn?.activeNodes, 3);
    assert.ok(!json.kafka!.brokers.includes(h4Broker), `broker ${h4Broker} unregistered: ${json.kafka!.brokers.join(', ')}`);
    assert.equal(json.kafka!.underReplicated, 0);
    assert.equal(holds(await replicas(), h4Broker), 0);
    assert.equal(pidsOf(json)['h1/hdfs-namenode'], nnPid, 'the NameNode was told, not restarted');
    // Out of both lists, the drained DataNode is not reported at all (not even as dead).
    const nodes = await (await fetch(`http://${tb.hosts[0]!.address}:9870/jmx?qry=Hadoop:service=NameNode,name=NameNodeInfo`)).json();
    const info = (nodes as { beans: Record<string, string>[] }).beans[0]!;
    assert.ok(!`${info.LiveNodes}${info.DeadNodes}`.includes(tb.hosts[3]!.address), `${info.LiveNodes} ${info.DeadNodes}`);
    for (const port of [9092, 9864, 8042]) {
      const open = await fetch(`http://${tb.hosts[3]!.address}:${port}/`, { signal: AbortSignal.timeout(3000) }).then(
        () => true,
        () => false,
      );
      assert.equal(open, false, `nothing listens on h4:${port}`);
    }
    const sha = createHash('sha256')
      .update(Buffer.from(await (await fetch(`${nnUrl()}/keep/blob.bin?op=OPEN&user.name=root`)).arrayBuffer()))
      .digest('hex');
    const fsck = await (await fetch(`${nnUrl()}/keep/blob.bin?op=GETFILESTATUS&user.name=root`)).json();
    assert.equal((fsck as { FileStatus: { replication: number } }).FileStatus.replication, 3);
    assert.equal(sha.length, 64);
    // Every acknowledged message, read back by kcat.
    const kc = await execa('kcat', ['-b', `${tb.hosts[0]!.address}:9092`, '-C', '-t', 'events', '-o', 'beginning', '-e', '-q', '-f', '%s\n'], {
      timeout: 60_000,
    });
    const seen = new Set(kc.stdout.split('\n'));
    assert.deepEqual(
      scaleMessages.filter((m) => !seen.has(m)),
      [],
    );
    const hist = JSON.parse((await pyro(['history', '--json'], 60_000)).stdout) as { runs: { command: string; result: string; changes: string[] }[] };
    const [killed, last] = hist.runs.slice(-2);
    assert.equal(killed!.result, 'interrupted');
    assert.equal(last!.result, 'ok');
    assert.ok(last!.changes.includes('h4: decommission hdfs-datanode'), last!.changes.join('\n'));
    const again = await pyro(['up', '--json']);
    assert.equal(again.exitCode, 0, again.stderr);
    assert.deepEqual((JSON.parse(again.stdout) as UpJson).changes, [], 'nothing left to do');
  });
  it('a controller moves: h4 joins the dynamic quorum (add-controller) and h3 leaves it (remove-controller), nothing else restarted', async () => {
    const before = (await status()).json;
    assert.equal((await finalized())['kraft.version'], '1', 'a cluster pyro created has a dynamic quorum');
    const voters0 = before.kafka!.controller!.voters;
    const moved = inventoryYaml(tb, retention48, { h4: 'kafka-controller', h3: 'hdfs-datanode, yarn-nodemanager, kafka-broker' });
    writeFileSync(inv, moved);
    const plain = await pyro(['up']);
    assert.notEqual(plain.exitCode, 0);
    assert.match(plain.stderr, /kafka-controller on h3: no longer in/);
    const r = await pyro(['up', '--decommission']);
    assert.equal(r.exitCode, 0, `${r.stdout}\n${r.stderr}`);
    assert.match(r.stdout, /kafka: controller (\d+) \(h4\) added to the quorum/);
    assert.match(r.stdout, /kafka: controller (\d+) \(h3\) removed from the quorum/);
    const { run, json } = await status();
    assert.equal(run.exitCode, 0, run.stdout);
    const k = json.kafka!.controller!;
    assert.equal(k.voters.length, 3);
    const h3Id = voters0.find((v) => !k.voters.includes(v));
    assert.ok(h3Id !== undefined, `h3's controller left the voters: ${voters0.join(',')} -> ${k.voters.join(',')}`);
    assert.ok(k.leaderId >= 0);
    const now = pidsOf(json);
    for (const [key, pid] of Object.entries(pidsOf(before))) {
      if (key === 'h3/kafka-controller') assert.equal(now[key], undefined, 'stopped');
      else assert.equal(now[key], pid, `${key} left alone`);
    }
    assert.ok(now['h4/kafka-controller'], 'h4 runs a controller');
    const again = await pyro(['up', '--json']);
    assert.equal(again.exitCode, 0, again.stderr);
    assert.deepEqual((JSON.parse(again.stdout) as UpJson).changes, [], 'nothing left to do');
  });
});
