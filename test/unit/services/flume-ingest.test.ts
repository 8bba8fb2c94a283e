import { strict as assert } from 'node:assert';
import { createSocket } from 'node:dgram';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { createServer as httpServer } from 'node:http';
import { createServer as tcpServer, type AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { LocalHost } from '../../../src/hosts/local-host.js';
import { flumeIngestPaths } from '../../../src/services/flume/ingest.js';
import { NotSendable, PROBE_PREFIX, probeJson, probeLogLine } from '../../../src/services/ingest-path.js';
import { wholeFlowLines, type WholeFlow } from '../../../src/phases/whole-flow.js';
import { ROOT } from '../../helpers/cli.js';
import { inventoryFromYaml } from '../../helpers/rendered.js';

// The whole-flow check's first hop for Flume: each source gets the probe the way a real source would send it, here
// against real sockets and files on this machine; and how a check's result reads.

const JOB_REGEX = new RegExp(/^COMBINED = r'(.*)'$/m.exec(readFileSync(path.join(ROOT, 'jobs', 'pyro_job.py'), 'utf8'))![1]!);
const probe = { id: 'abc123-1', ts: Date.UTC(2026, 11, 4, 20, 30, 51) };
const signal = new AbortController().signal;

async function inventory(sources: string) {
  return inventoryFromYaml(`
cluster: { name: ingest }
hosts:
  - { name: a, address: 127.0.0.1, connection: local, roles: [hdfs-namenode, hdfs-datanode, yarn-resourcemanager, yarn-nodemanager, kafka-controller, kafka-broker, flume] }
services:
  flume:
    sources:
${sources}
topics: [{ name: access }, { name: web }, { name: sys }]
`);
}

describe('whole-flow probes through Flume sources', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(path.join(os.tmpdir(), 'pyro-ingest-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('a probe is a page under /__pyro/verify/: as a log line the job parses, and as a JSON event', () => {
    const m = JOB_REGEX.exec(probeLogLine(probe))!;
    assert.equal(m[4], `${PROBE_PREFIX}abc123-1`);
    assert.equal(m[2], 'pyro-verify');
    assert.deepEqual(JSON.parse(probeJson(probe)), { id: 0, page: '/__pyro/verify/abc123-1', user: 'pyro-verify', ts: probe.ts, probe: 'abc123-1' });
  });

  it('taildir: appended to the file, or to the newest file a glob matches', async () => {
    mkdirSync(path.join(dir, 'g'));
    writeFileSync(path.join(dir, 'g', 'app-1.log'), 'old\n');
    writeFileSync(path.join(dir, 'g', 'app-2.log'), 'new\n');
    writeFileSync(path.join(dir, 'g', 'other.txt'), 'x\n');
    utimesSync(path.join(dir, 'g', 'app-1.log'), new Date(Date.now() - 60_000), new Date(Date.now() - 60_000));
    const inv = await inventory(`      - { name: access, type: taildir, topic: access, paths: [${dir}/plain/access.log, ${dir}/g/app-*.log] }`);
    const paths = flumeIngestPaths(inv);
    assert.deepEqual(
      paths.map((p) => [p.label, p.topic, p.parsed]),
      [
        [`flume a/access (taildir ${dir}/plain/access.log)`, 'access', true],
        [`flume a/access (taildir ${dir}/g/app-*.log)`, 'access', true],
      ],
    );
    const host = new LocalHost({ name: 'a' });
    for (const p of paths) await p.send(probe, host, signal);
    assert.equal(readFileSync(path.join(dir, 'plain', 'access.log'), 'utf8'), `${probeLogLine(probe)}\n`);
    assert.equal(readFileSync(path.join(dir, 'g', 'app-2.log'), 'utf8'), `new\n${probeLogLine(probe)}\n`);
    assert.equal(readFileSync(path.join(dir, 'g', 'app-1.log'), 'utf8'), 'old\n');
    // A glob no file matches yet: nothing to append to, which the check reports instead of failing.
    const [none] = flumeIngestPaths(await inventory(`      - { name: access, type: taildir, topic: access, paths: [${dir}/g/none-*.log] }`));
    await assert.rejects(none!.send(probe, host, signal), (e: Error) => e instanceof NotSendable && /no file on a matches .*none-\*\.log yet/.test(e.message));
  });

  it('http: POSTs one event in the JSON handler shape; an error answer is a send failure', async () => {
    const got: string[] = [];
    let status = 200;
    const server = httpServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        got.push(body);
        res.writeHead(status).end();
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const port = (server.address() as AddressInfo).port;
      const [p] = flumeIngestPaths(await inventory(`      - { name: web, type: http, topic: web, port: ${port} }`));
      await p!.send(probe, new LocalHost({ name: 'a' }), signal);
      assert.deepEqual(JSON.parse(got[0]!), [{ headers: {}, body: probeJson(probe) }]);
      status = 503;
      await assert.rejects(p!.send(probe, new LocalHost({ name: 'a' }), signal), /HTTP 503/);
    } finally {
      server.close();
    }
  });

  it('syslog over TCP and UDP: an RFC 3164 message, followed into Kafka only', async () => {
    const tcp: string[] = [];
    const ts = tcpServer((c) => c.on('data', (d) => tcp.push(d.toString())));
    await new Promise<void>((r) => ts.listen(0, '127.0.0.1', r));
    const us = createSocket('udp4');
    const udp: string[] = [];
    us.on('message', (m) => udp.push(m.toString()));
    await new Promise<void>((r) => us.bind(0, '127.0.0.1', r));
    try {
      const inv = await inventory(
        `      - { name: st, type: syslog-tcp, topic: sys, port: ${(ts.address() as AddressInfo).port} }\n      - { name: su, type: syslog-udp, topic: sys, port: ${us.address().port} }`,
      );
      const paths = flumeIngestPaths(inv);
      assert.deepEqual(
        paths.map((p) => p.parsed),
        [false, false],
      );
      for (const p of paths) await p.send(probe, new LocalHost({ name: 'a' }), signal);
      await new Promise((r) => setTimeout(r, 200));
      const want = `<14>Dec  4 20:30:51 pyro-verify pyro: ${probeJson(probe)}`;
      assert.equal(tcp.join(''), `${want}\n`);
      assert.deepEqual(udp, [want]);
    } finally {
      ts.close();
      us.close();
    }
  });

  it("a check's lines: each hop with its latency; a failed path names the first hop it missed", () => {
    const w: WholeFlow = {
      ok: false,
      seconds: 21,
      paths: [
        {
          path: 'flume h2/access (taildir /var/log/a.log)',
          host: 'h2',
          topic: 'access',
          probe: 'p-1',
          ok: true,
          hops: [
            { name: 'kafka access', reached: true, seconds: 0.61 },
            { name: 'job page-views -> pyro_probes', reached: true, seconds: 3.14 },
          ],
        },
        {
          path: 'flume h3/web (http :8081)',
          host: 'h3',
          topic: 'web',
          probe: 'p-2',
          ok: false,
          hops: [
            { name: 'kafka web', reached: true, seconds: 0.4 },
            { name: 'job page-views -> pyro_probes', reached: false, detail: 'not seen before the check timed out' },
          ],
          missed: 'job page-views -> pyro_probes',
        },
      ],
    };
    assert.deepEqual(wholeFlowLines(w), [
      'ok   flume h2/access (taildir /var/log/a.log) -> access [probe p-1]',
      '       kafka access 0.6 s',
      '       job page-views -> pyro_probes 3.1 s',
      'FAIL flume h3/web (http :8081) -> web [probe p-2]',
      '       kafka web 0.4 s',
      '       job page-views -> pyro_probes: NOT REACHED (not seen before the check timed out)',
      '       first hop missed: job page-views -> pyro_probes',
    ]);
  });
});
