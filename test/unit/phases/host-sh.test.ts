import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { shellQuote as q } from '../../../src/hosts/host.js';
import type { PushItem } from '../../../src/artifacts/push.js';
import { parseState } from '../../../src/phases/host-state.js';
import { HOST_PRELUDE, parseLines, shJoin } from '../../../src/phases/host-sh.js';

/** Runs `script` after the prelude with /bin/sh; appends `@rc N` so failures are output, not exceptions. */
function sh(script: string): string {
  return execFileSync('sh', ['-c', `${HOST_PRELUDE}\n${script}\necho "@rc $?"`], { encoding: 'utf8', timeout: 20_000 });
}
const rcOf = (out: string): number => Number(/^@rc (\d+)$/m.exec(out)?.[1]);

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function listen(): Promise<net.Server> {
  const server = net.createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return server;
}
const portOf = (s: net.Server): number => (s.address() as net.AddressInfo).port;
const close = (s: net.Server): Promise<void> => new Promise((r) => s.close(() => r()));

describe('host-sh prelude (run with /bin/sh)', function () {
  this.timeout(30_000);
  let dir: string;
  const started: number[] = [];
  beforeEach(() => (dir = mkdtempSync(path.join(os.tmpdir(), 'pyro-hostsh-'))));
  afterEach(() => {
    for (const pid of started.splice(0)) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
    rmSync(dir, { recursive: true, force: true });
  });

  describe('pyro_put', () => {
    it('writes base64 content by rename, with the mode given, creating the parent dir', () => {
      const file = path.join(dir, 'conf', 'role', 'server.properties');
      const content = "a=1\nunicode=café\nquote='x'\n";
      const b64 = Buffer.from(content).toString('base64');
      let out = sh(`printf '%s' ${q(b64)} | pyro_put ${q(file)} 640`);
      assert.equal(rcOf(out), 0, out);
      assert.equal(readFileSync(file, 'utf8'), content);
      assert.equal(statSync(file).mode & 0o777, 0o640);
      const ino = statSync(file).ino;
      out = sh(`printf '%s' ${q(Buffer.from('b=2\n').toString('base64'))} | pyro_put ${q(file)} 755`);
      assert.equal(rcOf(out), 0, out);
      assert.equal(readFileSync(file, 'utf8'), 'b=2\n');
      assert.equal(statSync(file).mode & 0o777, 0o755);
      // A new inode means the old file was replaced whole, never truncated and rewritten in place.
      assert.notEqual(statSync(file).ino, ino);
      assert.deepEqual(readdirSync(path.dirname(file)), ['server.properties'], 'no temp file left');
    });

    it('on failure leaves the old file as it was and no temp file', () => {
      const file = path.join(dir, 'server.properties');
      writeFileSync(file, 'a=1\n');
      const out = sh(`printf '%s' 'not base64 ***' | pyro_put ${q(file)} 644`);
      assert.notEqual(rcOf(out), 0, out);
      assert.equal(readFileSync(file, 'utf8'), 'a=1\n');
      assert.deepEqual(readdirSync(dir), ['server.properties']);
    });
  });

  describe('pyro_format', () => {
    const call = (d: string, done: string, log: string, argv: string[]): string => sh(`pyro_format r1 ${q(d)} ${q(done)} ${q(log)} ${shJoin(argv)}`);

    it('formats an empty (or missing) dir once, then keeps it', () => {
      const d = path.join(dir, 'data');
      const done = path.join(d, 'meta.properties');
      const log = path.join(dir, 'logs', 'format.log');
      let out = call(d, done, log, ['sh', '-c', 'echo formatting; echo id=1 > "$0"', done]);
      assert.equal(rcOf(out), 0, out);
      assert.match(out, /^@format r1 done$/m);
      assert.equal(readFileSync(done, 'utf8'), 'id=1\n');
      assert.equal(readFileSync(log, 'utf8'), 'formatting\n');
      const marker = path.join(dir, 'ran-again');
      out = call(d, done, log, ['touch', marker]);
      assert.equal(rcOf(out), 0, out);
      assert.match(out, /^@format r1 kept$/m);
      assert.equal(existsSync(marker), false, 'the format command must not run again');
    });

    it('refuses a non-empty dir without the done file, and does not run the command', () => {
      const d = path.join(dir, 'data');
      mkdirSync(d);
      writeFileSync(path.join(d, 'precious'), 'x');
      const marker = path.join(dir, 'ran');
      const out = call(d, path.join(d, 'meta.properties'), path.join(dir, 'f.log'), ['touch', marker]);
      assert.notEqual(rcOf(out), 0);
      assert.match(out, /^@fail r1 .*holds files but no meta\.properties/m);
      assert.equal(existsSync(marker), false);
      assert.deepEqual(readdirSync(d), ['precious']);
    });

    it('reports a failing format command with the tail of its log', () => {
      const d = path.join(dir, 'data');
      const log = path.join(dir, 'f.log');
      const out = call(d, path.join(d, 'done'), log, ['sh', '-c', 'echo "bad cluster id" >&2; exit 3']);
      assert.notEqual(rcOf(out), 0);
      assert.match(out, /^@fail r1 formatting .* failed, see /m);
      assert.match(out, /^@log r1 bad cluster id$/m);
    });
  });

  describe('pyro_formatted', () => {
    it('says no for a missing or empty dir, foreign for files without done, yes with done', () => {
      const d = path.join(dir, 'data');
      const done = path.join(d, 'done');
      const f = (): string => /^@formatted r1 (\S+)$/m.exec(sh(`pyro_formatted r1 ${q(d)} ${q(done)}`))?.[1] ?? '';
      assert.equal(f(), 'no');
      mkdirSync(d);
      assert.equal(f(), 'no');
      writeFileSync(path.join(d, 'x'), '');
      assert.equal(f(), 'foreign');
      writeFileSync(done, '');
      assert.equal(f(), 'yes');
    });
  });

  describe('process lifecycle', () => {
    const role = 'test-role';
    const marker = `-Dpyro.role=${role}`;
    let conf: string;
    let logs: string;
    let pf: string;
    let hf: string;
    beforeEach(() => {
      conf = path.join(dir, 'conf');
      logs = path.join(dir, 'logs');
      pf = path.join(dir, 'run', `${role}.pid`);
      hf = path.join(dir, 'run', `${role}.hash`);
      mkdirSync(conf);
      writeFileSync(path.join(conf, 'run.sh'), `#!/bin/sh\necho hello from run.sh\nexec python3 -c 'import time; time.sleep(30)' ${marker}\n`);
    });
    const state = (): string => sh(`pyro_state ${role} ${q(pf)} ${q(marker)} ${q(hf)}`);
    const start = (ports: number[] = []): string => sh(`pyro_start ${role} ${q(conf)} ${q(logs)} ${q(pf)} ${q(hf)} ${q(marker)} hash123 ${ports.join(' ')}`);

    /** Waits until the started process has exec'd into the command carrying the marker. */
    async function untilRunning(): Promise<string> {
      let out = '';
      for (let i = 0; i < 100; i++) {
        out = state();
        if (/^@svc \S+ running /m.test(out)) return out;
        await sleep(50);
      }
      assert.fail(`never running: ${out}`);
    }

    it('reports stopped when there is no pid file', () => {
      assert.match(state(), /^@svc test-role stopped - 0 -$/m);
    });

    it('starts, reports running with pid and hash, and stops cleanly', async () => {
      const out = start();
      assert.equal(rcOf(out), 0, out);
      const pid = Number(/^@started test-role (\d+)$/m.exec(out)?.[1]);
      assert.ok(pid > 0, out);
      started.push(pid);
      assert.equal(readFileSync(pf, 'utf8').trim(), String(pid));
      assert.equal(readFileSync(hf, 'utf8'), 'hash123\n');

      const st = await untilRunning();
      assert.match(st, new RegExp(`^@svc test-role running ${pid} \\d+ hash123$`, 'm'));
      assert.ok(readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').includes(marker));
      assert.match(readFileSync(path.join(logs, `${role}.out`), 'utf8'), /hello from run\.sh/);

      // A second start while running is a no-op that names the running pid.
      const again = start();
      assert.match(again, new RegExp(`^@running test-role ${pid}$`, 'm'));

      const stop = sh(`pyro_stop ${role} ${q(pf)} ${q(marker)} 5`);
      assert.match(stop, /^@stopped test-role clean$/m);
      assert.equal(existsSync(pf), false);
      assert.match(state(), /^@svc test-role stopped - 0 -$/m);
    });

    it('rotates the previous stdout log on restart', async () => {
      const first = start();
      started.push(Number(/^@started \S+ (\d+)$/m.exec(first)?.[1]));
      await untilRunning();
      sh(`pyro_stop ${role} ${q(pf)} ${q(marker)} 5`);
      started.push(Number(/^@started \S+ (\d+)$/m.exec(start())?.[1]));
      await untilRunning();
      assert.ok(existsSync(path.join(logs, `${role}.out.1`)));
      sh(`pyro_stop ${role} ${q(pf)} ${q(marker)} 5`);
    });

    it('a pid file naming a live process without the marker is not ours: dead, and never signalled', () => {
      mkdirSync(path.dirname(pf), { recursive: true });
      writeFileSync(pf, `${process.pid}\n`);
      writeFileSync(hf, 'oldhash\n');
      assert.match(state(), /^@svc test-role dead - 0 oldhash$/m);
      const stop = sh(`pyro_stop ${role} ${q(pf)} ${q(marker)} 1`);
      assert.match(stop, /^@stopped test-role not-running$/m);
      assert.equal(existsSync(pf), false);
      assert.ok(alive(process.pid));
    });

    it('a pid file holding garbage is dead, not an error', () => {
      mkdirSync(path.dirname(pf), { recursive: true });
      writeFileSync(pf, '12; rm -rf /\n');
      assert.match(state(), /^@svc test-role dead - 0 -$/m);
    });

    it('refuses to start when one of its ports is busy', async () => {
      const server = await listen();
      try {
        const port = portOf(server);
        const out = start([port]);
        assert.notEqual(rcOf(out), 0);
        assert.match(out, new RegExp(`^@fail test-role port ${port} is already in use`, 'm'));
        assert.equal(existsSync(pf), false, 'nothing started');
      } finally {
        await close(server);
      }
    });
  });

  describe('pyro_port_busy', () => {
    it('is true for a listening port and false for a free one', async () => {
      const server = await listen();
      const busy = portOf(server);
      try {
        assert.match(sh(`if pyro_port_busy ${busy}; then echo @busy; else echo @free; fi`), /^@busy$/m);
      } finally {
        await close(server);
      }
      assert.match(sh(`if pyro_port_busy ${busy}; then echo @busy; else echo @free; fi`), /^@free$/m);
    });
  });
});

describe('parseLines / parseState', () => {
  it('parseLines keeps only @ lines, splitting kind, words and the rest after the role', () => {
    const l = parseLines('noise\n@fail r1 port 9092 is already in use\n@started r2 77\n');
    assert.equal(l.length, 2);
    assert.equal(l[0]!.kind, 'fail');
    assert.equal(l[0]!.words[0], 'r1');
    assert.equal(l[0]!.rest, 'port 9092 is already in use');
    assert.deepEqual(l[1]!.words, ['r2', '77']);
  });

  it('reads resources, services, files, formatted dirs and artifact state', () => {
    const text = '# Written by pyro\nnode.id=3\nname=café\n';
    const push: PushItem[] = [
      { component: 'kafka', version: '4.0.0', sha256: 'aaa', size: 1, blob: '/x' },
      { component: 'hadoop', version: '3.4.1', sha256: 'bbb', size: 1, blob: '/y' },
    ];
    const out = [
      'stray output',
      '@res 15934 8',
      '@svc kafka-broker running 4242 3600 0123456789abcdef',
      '@svc kafka-controller dead - 0 fedcba9876543210',
      '@svc hdfs-namenode stopped - 0 -',
      `@file kafka-broker server.properties ${Buffer.from(text).toString('base64')}`,
      '@file kafka-broker run.sh ',
      '@formatted kafka-broker yes',
      '@formatted kafka-controller foreign',
      '@formatted hdfs-namenode no',
      '@state kafka aaa 4.0.0',
      '@state hadoop - -',
    ].join('\n');
    const s = parseState(out, push);
    assert.deepEqual(s.resources, { memTotalMb: 15934, cpus: 8 });
    assert.deepEqual(s.services['kafka-broker'], { state: 'running', pid: 4242, uptimeSec: 3600, hash: '0123456789abcdef' });
    assert.deepEqual(s.services['kafka-controller'], { state: 'dead', pid: undefined, uptimeSec: 0, hash: 'fedcba9876543210' });
    assert.deepEqual(s.services['hdfs-namenode'], { state: 'stopped', pid: undefined, uptimeSec: 0, hash: undefined });
    assert.equal(s.files['kafka-broker']?.['server.properties'], text);
    assert.equal(s.files['kafka-broker']?.['run.sh'], '', 'an empty file is still a file');
    assert.deepEqual(s.formatted, { 'kafka-broker': 'yes', 'kafka-controller': 'foreign', 'hdfs-namenode': 'no' });
    assert.deepEqual(
      s.push.map((p) => p.action),
      ['skip', 'push'],
    );
  });

  it('round-trips a file through pyro_file and parseState', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'pyro-file-'));
    try {
      const file = path.join(dir, 'x.xml');
      const content = '<a>\n  "quoted" & \'single\' $HOME `cmd`\n</a>\n'.repeat(200);
      writeFileSync(file, content);
      const out = sh(`pyro_file r1 x.xml ${q(file)}\npyro_file r1 missing ${q(path.join(dir, 'nope'))}`);
      assert.equal(rcOf(out), 0, 'a missing file is not a failure');
      const s = parseState(out, []);
      assert.deepEqual(Object.keys(s.files.r1 ?? {}), ['x.xml']);
      assert.equal(s.files.r1?.['x.xml'], content);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
