import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createTestbed, type Testbed } from '../testbed/testbed.js';
import { runPyro } from '../helpers/cli.js';

interface CheckJson {
  ok: boolean;
  knownHosts: string;
  hosts: { host: string; checks: { check: string; status: string; detail: string; hint?: string }[] }[];
}

const fingerprint = (pubFile: string) => execFileSync('ssh-keygen', ['-lf', pubFile], { encoding: 'utf8' }).split(' ')[1]!;

describe('pyro check against three simulated hosts over real SSH', function () {
  this.timeout(180_000);
  let tb: Testbed;
  let stateDir: string;
  const env = () => ({ PYRO_STATE_DIR: stateDir, HOME: stateDir });
  const check = (args: string[] = [], inventory = tb.inventoryPath) => runPyro(['check', '-i', inventory, ...args], { env: env() });
  const json = (stdout: string) => JSON.parse(stdout) as CheckJson;
  const rows = (out: CheckJson, host: string) => out.hosts.find((h) => h.host === host)!.checks;

  before(async () => {
    tb = await createTestbed(3);
    // HOME is a fresh dir too, so the user's ~/.ssh (config, known_hosts) can't make this pass by accident.
    stateDir = mkdtempSync(path.join(os.tmpdir(), 'pyro-state-'));
    console.log(`      testbed: ${tb.hosts.length} simulated hosts (${tb.hosts.map((h) => `${h.name}=${h.address}`).join(', ')}), real sshd each`);
  });
  after(async () => {
    await tb?.destroy();
  });

  it('refuses unknown host keys until they are trusted, showing each fingerprint', async () => {
    const r = await check(['--json']);
    assert.equal(r.exitCode, 1);
    const out = json(r.stdout);
    for (const h of tb.hosts) {
      const c = rows(out, h.name)[0]!;
      assert.equal(c.status, 'fail');
      assert.match(c.detail, /HOST_KEY_UNKNOWN/);
      assert.ok(c.detail.includes(fingerprint(path.join(tb.workdir, 'hosts', h.name, 'ssh_host_ed25519_key.pub'))), c.detail);
      assert.match(c.hint!, /--trust-new-hosts/);
    }
  });

  it('check --trust-new-hosts passes on all three hosts and remembers their keys', async () => {
    const r = await check(['--trust-new-hosts']);
    assert.equal(r.exitCode, 0, `${r.stdout}\n${r.stderr}`);
    assert.match(r.stdout, /all checks passed on 3 hosts/);
    for (const c of ['connect', 'os', 'java', 'python', 'disk:install', 'memory', 'ports', 'clock']) assert.match(r.stdout, new RegExp(`h2\\s+${c}\\s+ok`));
    const known = readFileSync(path.join(stateDir, 'clusters', 'testbed', 'known_hosts'), 'utf8');
    for (const h of tb.hosts) assert.ok(known.includes(h.address), `${h.address} not remembered`);
  });

  it('a second check needs no trust flag; --json has every host and check', async () => {
    const r = await check(['--json']);
    assert.equal(r.exitCode, 0, r.stderr);
    const out = json(r.stdout);
    assert.equal(out.ok, true);
    assert.deepEqual(
      out.hosts.map((h) => h.host),
      ['h1', 'h2', 'h3'],
    );
    for (const h of out.hosts)
      assert.ok(
        h.checks.every((c) => c.status !== 'fail'),
        JSON.stringify(h),
      );
  });

  it('a port already taken on a host fails the ports check for that host only', async () => {
    // Something else listens on the broker's port on h3 (inside h3's network namespace).
    const holder = tb.ssh(
      'h3',
      'exec python3 -c "import socket,time; s=socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); s.bind((\'0.0.0.0\', 9092)); s.listen(); time.sleep(30)" pyro-port-holder',
    );
    try {
      let out: CheckJson | undefined;
      for (let i = 0; i < 20; i++) {
        await new Promise((r) => setTimeout(r, 250));
        const r = await check(['--json']);
        out = json(r.stdout);
        if (!out.ok) {
          assert.equal(r.exitCode, 1);
          break;
        }
      }
      const ports = rows(out!, 'h3').find((c) => c.check === 'ports')!;
      assert.equal(ports.status, 'fail');
      assert.match(ports.detail, /9092 \(kafka-broker client\)/);
      assert.equal(rows(out!, 'h2').find((c) => c.check === 'ports')!.status, 'ok');
    } finally {
      // The bracket keeps pkill from matching its own command line.
      await tb.ssh('h3', 'pkill -f "pyro-port-holde[r]" || true');
      await holder.catch(() => undefined);
    }
  });

  it('a stopped sshd is reported as unreachable for that host, the others still pass', async () => {
    await tb.stopSshd('h2');
    try {
      const r = await check(['--json']);
      assert.equal(r.exitCode, 1);
      const out = json(r.stdout);
      const c = rows(out, 'h2')[0]!;
      assert.equal(c.status, 'fail');
      assert.match(c.detail, /SSH_UNREACHABLE/);
      assert.match(c.detail, /10\.213\.0\.12/);
      assert.match(c.hint!, /sshd/);
      assert.equal(rows(out, 'h1')[0]!.status, 'ok');
      const text = await check();
      assert.match(text.stdout, /h2\s+connect\s+fail/);
      assert.match(text.stdout, /1 check failed on 1 host/);
    } finally {
      await tb.startSshd('h2');
    }
  });

  it('a wrong key is an authentication failure naming the user and key', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'pyro-wrongkey-'));
    const key = path.join(dir, 'id_wrong');
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', key]);
    const inv = path.join(dir, 'inventory.yaml');
    writeFileSync(inv, readFileSync(tb.inventoryPath, 'utf8').replace(tb.identity, key));
    const r = await check(['--json'], inv);
    assert.equal(r.exitCode, 1);
    for (const h of tb.hosts) {
      const c = rows(json(r.stdout), h.name)[0]!;
      assert.match(c.detail, /SSH_AUTH_FAILED/);
      assert.ok(c.detail.includes('root') && c.detail.includes(key), c.detail);
      assert.match(c.hint!, /authorized_keys/);
    }
  });

  it('a changed host key is a hard stop naming the host and both fingerprints, even with --trust-new-hosts', async () => {
    const pub = path.join(tb.workdir, 'hosts', 'h3', 'ssh_host_ed25519_key.pub');
    const before = fingerprint(pub);
    await tb.rekey('h3');
    const after = fingerprint(pub);
    assert.notEqual(before, after);
    const r = await check(['--trust-new-hosts', '--json']);
    assert.equal(r.exitCode, 1);
    const c = rows(json(r.stdout), 'h3')[0]!;
    assert.match(c.detail, /HOST_KEY_CHANGED/);
    assert.ok(c.detail.includes(before) && c.detail.includes(after), c.detail);
    assert.match(c.detail, /h3/);
    assert.equal(rows(json(r.stdout), 'h1')[0]!.status, 'ok');
    // Still refused on the next run: nothing was overwritten.
    const again = await check(['--json']);
    assert.match(rows(json(again.stdout), 'h3')[0]!.detail, /HOST_KEY_CHANGED/);
  });

  it('pyro init --yes --hosts writes an inventory that pyro check accepts', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'pyro-init-tb-'));
    const out = path.join(dir, 'tb.yaml');
    const hosts = tb.hosts.map((h) => `${h.name}=${h.address}`).join(',');
    const init = await runPyro(
      ['init', '--yes', '--name', 'fromInit'.toLowerCase(), '--hosts', hosts, '--user', 'root', '--identity', tb.identity, '-o', out],
      { env: env() },
    );
    assert.equal(init.exitCode, 0, init.stderr);
    const r = await runPyro(['check', '-i', out, '--trust-new-hosts'], { env: env() });
    assert.equal(r.exitCode, 0, `${r.stdout}\n${r.stderr}`);
    assert.match(r.stdout, /all checks passed on 3 hosts/);
  });
});
