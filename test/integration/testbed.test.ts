// The test bed itself: three simulated bare-metal hosts reached over real SSH. Needs root (CI runs as root);
// without root or `ip netns` this test fails, it does not skip.

import { strict as assert } from 'node:assert';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { execa } from 'execa';
import { parse as parseYaml } from 'yaml';
import { createTestbed, type Testbed } from '../testbed/testbed.js';

/** Connects to address:22 from the control side; resolves to 'open' or the socket error code. */
function probe(address: string, port = 22): Promise<string> {
  return new Promise((resolve) => {
    const s = net.connect({ host: address, port, timeout: 5000 });
    s.once('connect', () => {
      s.destroy();
      resolve('open');
    });
    s.once('timeout', () => {
      s.destroy();
      resolve('ETIMEDOUT');
    });
    s.once('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? e.message));
  });
}

/** Command lines of live processes that mention `needle`. */
function processesMentioning(needle: string): string[] {
  const found: string[] = [];
  for (const pid of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    try {
      const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ').trim();
      if (cmd.includes(needle) && Number(pid) !== process.pid) found.push(`${pid} ${cmd}`);
    } catch {
      // gone meanwhile
    }
  }
  return found;
}

/** True if the process exists and is not a zombie (this machine's PID 1 reaps orphans only after a while). */
function isLive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const state = stat.slice(stat.lastIndexOf(')') + 2).split(' ')[0];
    return state !== 'Z' && state !== 'X';
  } catch {
    return false;
  }
}

async function netnsNames(): Promise<string[]> {
  const { stdout } = await execa('ip', ['netns', 'list']);
  return stdout
    .split('\n')
    .map((l) => l.split(' ')[0] ?? '')
    .filter((n) => /^pyro-h\d+$/.test(n));
}

describe('testbed: simulated bare-metal hosts', function () {
  this.timeout(300_000);
  let tb: Testbed | undefined;

  before(async function () {
    this.timeout(300_000);
    tb = await createTestbed(3);
  });

  after(async function () {
    this.timeout(300_000);
    await tb?.destroy();
  });

  const bed = (): Testbed => {
    assert.ok(tb, 'the testbed was not created');
    return tb;
  };

  it('describes the hosts: hosts.json, known_hosts and an inventory', function () {
    const t = bed();
    assert.deepEqual(t.hosts, [
      { name: 'h1', address: '10.213.0.11' },
      { name: 'h2', address: '10.213.0.12' },
      { name: 'h3', address: '10.213.0.13' },
    ]);
    const known = readFileSync(t.knownHosts, 'utf8').trim().split('\n');
    assert.equal(known.length, 3);
    assert.match(known[1] ?? '', /^h2,10\.213\.0\.12 ssh-ed25519 AAAA\S+$/);
    const info = JSON.parse(readFileSync(path.join(t.workdir, 'hosts.json'), 'utf8'));
    assert.equal(info.user, 'root');
    assert.equal(info.hosts[0].netns, 'pyro-h1');
    assert.ok(Number.isInteger(info.hosts[0].sshdPid));
    const inv = parseYaml(readFileSync(t.inventoryPath, 'utf8'));
    assert.equal(inv.defaults.ssh.user, 'root');
    assert.equal(inv.defaults.ssh.identity, t.identity);
    assert.deepEqual(
      inv.hosts.map((h: { address: string }) => h.address),
      ['10.213.0.11', '10.213.0.12', '10.213.0.13'],
    );
    const controllers = inv.hosts.filter((h: { roles: string[] }) => h.roles.includes('kafka-controller'));
    assert.equal(controllers.length, 3);
  });

  it('logs into h2 as root with the OpenSSH client and strict host key checking; h2 has its own hostname', async function () {
    const t = bed();
    const r = await execa('ssh', [
      '-F',
      '/dev/null',
      '-i',
      t.identity,
      '-o',
      'IdentitiesOnly=yes',
      '-o',
      'BatchMode=yes',
      '-o',
      `UserKnownHostsFile=${t.knownHosts}`,
      '-o',
      'GlobalKnownHostsFile=/dev/null',
      '-o',
      'StrictHostKeyChecking=yes',
      'root@10.213.0.12',
      'hostname',
    ]);
    assert.equal(r.stdout.trim(), 'h2');
    // by name as well (the names are in /etc/hosts and in known_hosts)
    assert.equal((await execa('ssh', [...t.sshOptions, 'h1', 'hostname; id -un'])).stdout.trim(), 'h1\nroot');
  });

  it('gives every host a private /opt/pyro and /var/lib/pyro', async function () {
    const t = bed();
    const marker = `probe-${process.pid}-${Date.now()}`;
    await t.ssh('h1', `echo ${marker} > /opt/pyro/${marker} && echo ${marker} > /var/lib/pyro/${marker}`);
    assert.equal((await t.ssh('h1', `cat /opt/pyro/${marker}`)).stdout.trim(), marker);
    // not on h2
    const onH2 = await t.ssh('h2', `ls -A /opt/pyro /var/lib/pyro; test ! -e /opt/pyro/${marker} && test ! -e /var/lib/pyro/${marker} && echo absent`);
    assert.match(onH2.stdout, /absent$/);
    // not in the root namespace
    assert.equal(existsSync(`/opt/pyro/${marker}`), false, 'file written on h1 leaked into the root namespace /opt/pyro');
    assert.equal(existsSync(`/var/lib/pyro/${marker}`), false, 'file written on h1 leaked into the root namespace /var/lib/pyro');
    // but in h1's backing directories
    assert.equal(readFileSync(path.join(t.workdir, 'hosts/h1/opt', marker), 'utf8').trim(), marker);
    assert.equal(readFileSync(path.join(t.workdir, 'hosts/h1/data', marker), 'utf8').trim(), marker);
  });

  it('lets h1 reach h3 by name', async function () {
    const t = bed();
    const r = await t.ssh('h1', 'getent hosts h3; timeout 5 bash -c "exec 3<>/dev/tcp/h3/22 && head -c 8 <&3"');
    assert.match(r.stdout, /^10\.213\.0\.13\s+h3\s*\n/);
    assert.match(r.stdout, /SSH-2\.0-$/m);
  });

  it('stop-sshd makes connections refused; start-sshd brings sshd back', async function () {
    const t = bed();
    // a process started over ssh keeps running while sshd is down, as on a real host
    await t.ssh('h2', 'nohup sleep 600 >/dev/null 2>&1 </dev/null & echo $! > /var/lib/pyro/sleeper.pid');
    await t.stopSshd('h2');
    assert.equal(await probe('10.213.0.12'), 'ECONNREFUSED');
    const failed = await execa('ssh', [...t.sshOptions, 'h2', 'true'], { reject: false });
    assert.notEqual(failed.exitCode, 0);
    assert.match(failed.stderr, /Connection refused/);
    // the other hosts are unaffected
    assert.equal((await t.ssh('h1', 'hostname')).stdout.trim(), 'h1');

    await t.startSshd('h2');
    assert.equal(await probe('10.213.0.12'), 'open');
    const back = await t.ssh('h2', 'hostname; kill -0 "$(cat /var/lib/pyro/sleeper.pid)" && echo sleeper-alive');
    assert.equal(back.stdout.trim(), 'h2\nsleeper-alive');
  });

  it('rekey gives h3 a new host key that strict checking rejects (known_hosts unchanged)', async function () {
    const t = bed();
    const before = readFileSync(t.knownHosts, 'utf8');
    await t.rekey('h3');
    assert.equal(readFileSync(t.knownHosts, 'utf8'), before);
    const r = await execa('ssh', [...t.sshOptions, 'h3', 'true'], { reject: false });
    assert.notEqual(r.exitCode, 0);
    assert.match(r.stderr, /REMOTE HOST IDENTIFICATION HAS CHANGED|Host key verification failed/);
  });

  it('destroy() leaves no namespace, sshd, bridge, /etc/hosts entry or workdir behind', async function () {
    const t = bed();
    const info = JSON.parse(readFileSync(path.join(t.workdir, 'hosts.json'), 'utf8')) as { hosts: { sshdPid: number | null }[] };
    const pids = info.hosts.map((h) => h.sshdPid).filter((p): p is number => p !== null);
    assert.equal(pids.length, 3);
    assert.deepEqual((await netnsNames()).sort(), ['pyro-h1', 'pyro-h2', 'pyro-h3']);

    await t.destroy();

    assert.deepEqual(await netnsNames(), [], 'pyro-h* network namespaces remain');
    assert.deepEqual(processesMentioning(`${t.workdir}/`), [], 'testbed processes remain');
    for (const pid of pids) assert.equal(isLive(pid), false, `sshd ${pid} still runs`);
    const pg = await execa('pgrep', ['-a', 'sshd'], { reject: false });
    assert.equal(pg.stdout.split('\n').filter((l) => l.includes('pyro-testbed') || l.includes(t.workdir)).length, 0, pg.stdout);
    const bridge = await execa('ip', ['link', 'show', 'pyrobr0'], { reject: false });
    assert.notEqual(bridge.exitCode, 0, 'bridge pyrobr0 remains');
    assert.doesNotMatch(readFileSync('/etc/hosts', 'utf8'), /pyro-testbed|10\.213\.0\./);
    assert.equal(existsSync(t.workdir), false, 'workdir remains');
    await t.destroy(); // idempotent
  });
});
