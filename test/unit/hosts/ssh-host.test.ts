import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { KnownHostsStore, fingerprint } from '../../../src/hosts/known-hosts.js';
import { SshHost, lookupSshConfig, parseJump, type SshHostOptions } from '../../../src/hosts/ssh-host.js';
import SSHConfig from 'ssh-config';
import { type HostError } from '../../../src/util/errors.js';
import { keygen, sshdAvailable, startSshd, type Sshd } from './sshd-fixture.js';
import { rejectsWith } from '../../helpers/assert.js';

describe('ssh config lookup', () => {
  const cfg = SSHConfig.parse(
    [
      'Host alias',
      '  HostName 10.1.2.3',
      '  Port 2222',
      '  IdentityFile ~/.ssh/alias_key',
      'Host nn1',
      '  User admin',
      '  HostName 192.0.2.99',
      'Host 10.0.0.* !10.0.0.9',
      '  ProxyJump jumper@bastion:2200',
      'Host *',
      '  User fallback',
      '  IdentityFile ~/.ssh/id_ed25519',
      '',
    ].join('\n'),
  );

  it('resolves an alias used as the address (HostName, Port, IdentityFile accumulate)', () => {
    const c = lookupSshConfig(cfg, ['h1', 'alias'], 'alias');
    assert.equal(c.hostName, '10.1.2.3');
    assert.equal(c.port, 2222);
    assert.equal(c.user, 'fallback');
    assert.deepEqual(c.identityFiles, ['~/.ssh/alias_key', '~/.ssh/id_ed25519']);
  });

  it('matches by the inventory name too, but takes HostName only for the address', () => {
    const c = lookupSshConfig(cfg, ['nn1', '10.0.0.5'], '10.0.0.5');
    assert.equal(c.user, 'admin');
    assert.equal(c.hostName, undefined);
    assert.equal(c.proxyJump, 'jumper@bastion:2200');
    assert.equal(lookupSshConfig(cfg, ['x', '10.0.0.9'], '10.0.0.9').proxyJump, undefined);
  });

  it('parses jump specs', () => {
    assert.deepEqual(parseJump('bastion'), { host: 'bastion', port: undefined });
    assert.deepEqual(parseJump('ops@bastion:2200'), { user: 'ops', host: 'bastion', port: 2200 });
    assert.deepEqual(parseJump('[::1]:22'), { host: '::1', port: 22 });
    assert.throws(() => parseJump('ops@:x'), /invalid jump host/);
  });
});

describe('SshHost against a real sshd', function () {
  this.timeout(20_000);
  let sshd: Sshd;
  let work: string;
  let khFile: string;
  let emptyHome: string;
  const hosts: SshHost[] = [];

  before(async function () {
    if (!sshdAvailable()) throw new Error('/usr/sbin/sshd is missing: install openssh-server (CI does)');
    sshd = await startSshd();
    work = mkdtempSync(path.join(os.tmpdir(), 'pyro-ssh-test-'));
    emptyHome = path.join(work, 'home');
    khFile = path.join(work, 'known_hosts');
    writeFileSync(khFile, `ssh-host,[127.0.0.1]:${sshd.port} ${sshd.hostPub}\n`);
  });

  after(async () => {
    await Promise.allSettled(hosts.map((h) => h.close()));
    await sshd?.stop();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  /** A host with isolated settings: no agent, no ~/.ssh, no user known_hosts. */
  function host(
    over: Partial<SshHostOptions> & { name?: string; address?: string; identity?: string; jump?: string; port?: number; user?: string } = {},
  ): SshHost {
    const { name, address, identity, jump, port, user, ...opts } = over;
    const h = new SshHost(
      { name: name ?? 'ssh-host', address: address ?? '127.0.0.1', ssh: { port: port ?? sshd.port, identity: identity ?? sshd.clientKey, jump, user } },
      {
        knownHosts: new KnownHostsStore({ file: khFile, userFile: null, trustNew: false }),
        sshConfigFile: null,
        agentSocket: null,
        homeDir: emptyHome,
        connectTimeoutMs: 5000,
        ...opts,
      },
    );
    hosts.push(h);
    return h;
  }

  let shared: SshHost;
  before(function () {
    if (sshd) shared = host();
  });

  it('runs commands: output, exit codes, stderr, env, concurrent connect()', async () => {
    await Promise.all([shared.connect(), shared.connect(), shared.connect()]);
    const r = await shared.exec('echo hello; echo oops >&2; exit 3');
    assert.deepEqual(r, { exitCode: 3, stdout: 'hello\n', stderr: 'oops\n' });
    const e = await shared.exec('printf %s "$GREETING"', { env: { GREETING: "it's me" } });
    assert.equal(e.stdout, "it's me");
    const killed = await shared.exec('kill -TERM $$');
    assert.equal(killed.signal, 'SIGTERM');
    assert.equal(killed.exitCode, 143);
  });

  it('feeds stdin from a string, a Buffer and a stream; no stdin means EOF', async () => {
    assert.equal((await shared.exec('tr a-z A-Z', { stdin: 'abc' })).stdout, 'ABC');
    assert.equal((await shared.exec('wc -c', { stdin: Buffer.alloc(70_000, 1) })).stdout.trim(), '70000');
    assert.equal((await shared.exec('cat', { stdin: Readable.from(['x', 'y', 'z']) })).stdout, 'xyz');
    assert.equal((await shared.exec('cat; echo done')).stdout, 'done\n');
  });

  it('streams output as it arrives', async () => {
    const chunks: { at: number; text: string }[] = [];
    const start = Date.now();
    await shared.exec('echo first; sleep 0.4; echo second', { onStdout: (c) => chunks.push({ at: Date.now() - start, text: c.toString() }) });
    assert.ok(chunks.length >= 2, JSON.stringify(chunks));
    assert.equal(chunks[0]?.text, 'first\n');
    assert.ok(chunks[0]!.at < chunks[chunks.length - 1]!.at - 200, JSON.stringify(chunks));
  });

  it('times out and kills the remote command', async () => {
    const start = Date.now();
    const err = await rejectsWith(shared.exec('sleep 31.25; echo never', { timeoutMs: 300 }), 'EXEC_TIMEOUT');
    assert.ok(Date.now() - start < 3000);
    assert.match(err.message, /ssh-host/);
    assert.match(err.message, /sleep 31\.25/);
    const left = await shared.exec('pgrep -f "sleep 31[.]25" || true');
    assert.equal(left.stdout.trim(), '', 'remote sleep survived the timeout');
  });

  it('is cancelled by an AbortSignal', async () => {
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 200);
    const start = Date.now();
    await rejectsWith(shared.exec('sleep 32.5', { signal: ac.signal }), 'EXEC_ABORTED');
    assert.ok(Date.now() - start < 3000);
    assert.equal((await shared.exec('pgrep -f "sleep 32[.]5" || true')).stdout.trim(), '');
    await rejectsWith(shared.exec('true', { signal: ac.signal }), 'EXEC_ABORTED');
  });

  it('runs more parallel commands than the channel cap on one connection', async () => {
    const h = host({ maxChannels: 4 });
    const n = 10;
    const results = await Promise.all(Array.from({ length: n }, (_, i) => h.exec(`sleep 0.1; echo ${i}`)));
    assert.deepEqual(
      results.map((r) => r.stdout.trim()),
      Array.from({ length: n }, (_, i) => String(i)),
    );
    // Default cap (8) against MaxSessions 10: without the cap, channels beyond the 10th would be refused.
    const more = await Promise.all(Array.from({ length: 16 }, (_, i) => shared.exec(`echo ${i}`)));
    assert.ok(more.every((r, i) => r.exitCode === 0 && r.stdout === `${i}\n`));
    // And the cap is what makes that work: uncapped, sshd refuses the sessions beyond MaxSessions.
    const uncapped = host({ maxChannels: 100 });
    const settled = await Promise.allSettled(Array.from({ length: 14 }, () => uncapped.exec('sleep 0.3')));
    const refused = settled.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    assert.ok(refused.length > 0 && refused.every((r) => (r.reason as HostError).code === 'EXEC_FAILED'));
  });

  it('writes files atomically with a mode, creating directories', async () => {
    const target = path.join(work, 'w', 'deep', 'file.conf');
    await shared.writeFile(target, 'secret=1\n', { mode: 0o600 });
    assert.equal(readFileSync(target, 'utf8'), 'secret=1\n');
    assert.equal((await shared.exec(`stat -c %a ${target}`)).stdout.trim(), '600');
    await shared.writeFile(target, Buffer.from('v2\n'));
    assert.equal((await shared.readFile(target)).toString(), 'v2\n');
    assert.equal((await shared.exec(`stat -c %a ${target}`)).stdout.trim(), '644');
    await shared.writeFile(path.join(work, 'w', 'empty'), '');
    assert.equal(statSync(path.join(work, 'w', 'empty')).size, 0);
    assert.deepEqual(readdirSync(path.join(work, 'w', 'deep')), ['file.conf']);
  });

  it('streams a large file and checksums it like sha256sum', async () => {
    const target = path.join(work, 'big.bin');
    const blocks = Array.from({ length: 40 }, (_, i) => Buffer.alloc(128 * 1024, i));
    await shared.writeFile(target, Readable.from(blocks), { mode: 0o640 });
    const expected = createHash('sha256').update(Buffer.concat(blocks)).digest('hex');
    assert.equal(await shared.sha256(target), expected);
    assert.equal(execFileSync('sha256sum', [target], { encoding: 'utf8' }).split(' ')[0], expected);
    assert.equal(statSync(target).mode & 0o777, 0o640);
    assert.equal(await shared.sha256(path.join(work, 'missing')), null);
  });

  it('never commits a partial upload when cancelled', async () => {
    const target = path.join(work, 'partial', 'out.txt');
    await shared.writeFile(target, 'old\n');
    const ac = new AbortController();
    const slow = new Readable({ read() {} });
    slow.push('new data that will never be complete');
    setTimeout(() => ac.abort(), 200);
    await rejectsWith(shared.writeFile(target, slow, { signal: ac.signal }), 'EXEC_ABORTED');
    assert.equal(readFileSync(target, 'utf8'), 'old\n');
    // The remote trap removes the temp file; give the remote shell a moment.
    await new Promise((r) => setTimeout(r, 200));
    assert.deepEqual(readdirSync(path.dirname(target)), ['out.txt']);
  });

  it('reads files; a missing file is FILE_NOT_FOUND', async () => {
    const f = path.join(work, 'read.bin');
    const bytes = Buffer.from([0, 1, 2, 255, 10, 13]);
    writeFileSync(f, bytes);
    assert.deepEqual(await shared.readFile(f), bytes);
    const err = await rejectsWith(shared.readFile(path.join(work, 'nope')), 'FILE_NOT_FOUND');
    assert.ok(err.hint);
    assert.equal(err.host, 'ssh-host');
  });

  it('reports a dropped connection as SSH_CONNECTION_LOST and reconnects for the next command', async () => {
    const h = host({ name: 'flaky' });
    assert.equal((await h.exec('echo up')).stdout, 'up\n');
    // The shell's parent is sshd's process for this connection: killing it drops the connection.
    await rejectsWith(h.exec('kill -9 $PPID; sleep 2'), 'SSH_CONNECTION_LOST');
    assert.equal((await h.exec('echo again')).stdout, 'again\n');
  });

  it('rejects an unknown host key with its fingerprint', async () => {
    const h = host({ knownHosts: new KnownHostsStore({ file: path.join(work, 'empty_kh'), userFile: null, trustNew: false }) });
    const err = await rejectsWith(h.connect(), 'HOST_KEY_UNKNOWN');
    const fp = fingerprint(Buffer.from(sshd.hostPub.split(' ')[1]!, 'base64'));
    assert.ok(err.message.includes(fp), err.message);
    assert.match(err.hint ?? '', /pyro check --trust-new-hosts/);
  });

  it('accepts and records a new host key with trustNew', async () => {
    const file = path.join(work, 'trusting', 'known_hosts');
    const h = host({ name: 'newbie', knownHosts: new KnownHostsStore({ file, userFile: null, trustNew: true }) });
    assert.equal((await h.exec('echo ok')).stdout, 'ok\n');
    const text = readFileSync(file, 'utf8');
    assert.equal(text, `[newbie]:${sshd.port},[127.0.0.1]:${sshd.port} ${sshd.hostPub.split(' ').slice(0, 2).join(' ')}\n`);
    // A fresh store now knows it without trusting.
    const again = host({ name: 'newbie', knownHosts: new KnownHostsStore({ file, userFile: null, trustNew: false }) });
    await again.connect();
  });

  it('stops hard on a changed host key, naming both fingerprints and the line', async () => {
    const other = keygen(path.join(work, 'other_host_key'));
    const file = path.join(work, 'changed_kh');
    writeFileSync(file, `# pyro\nssh-host,[127.0.0.1]:${sshd.port} ${other}\n`);
    const h = host({ knownHosts: new KnownHostsStore({ file, userFile: null, trustNew: true }) });
    const err = await rejectsWith(h.connect(), 'HOST_KEY_CHANGED');
    const oldFp = fingerprint(Buffer.from(other.split(' ')[1]!, 'base64'));
    const newFp = fingerprint(Buffer.from(sshd.hostPub.split(' ')[1]!, 'base64'));
    assert.ok(err.message.includes(oldFp) && err.message.includes(newFp), err.message);
    assert.ok(err.message.includes(`${file}:2`), err.message);
    assert.equal(readFileSync(file, 'utf8').split('\n').length, 3, 'file must not be modified');
  });

  it('reports a key the server does not accept as SSH_AUTH_FAILED', async () => {
    const err = await rejectsWith(host({ identity: sshd.wrongKey }).connect(), 'SSH_AUTH_FAILED');
    assert.ok(err.message.includes(sshd.user) && err.message.includes(sshd.wrongKey), err.message);
    assert.match(err.hint ?? '', /authorized_keys/);
  });

  it('explains missing and encrypted credentials', async () => {
    const h = new SshHost(
      { name: 'nokey', address: '127.0.0.1', ssh: { port: sshd.port } },
      { knownHosts: new KnownHostsStore({ file: khFile, userFile: null, trustNew: false }), sshConfigFile: null, agentSocket: null, homeDir: emptyHome },
    );
    const err = await rejectsWith(h.connect(), 'SSH_NO_IDENTITY');
    assert.match(err.hint ?? '', /ssh-agent/);
    const enc = path.join(work, 'encrypted_key');
    keygen(enc, { passphrase: 'correct horse' });
    await rejectsWith(host({ identity: enc }).connect(), 'SSH_KEY_ENCRYPTED');
    await rejectsWith(host({ identity: path.join(work, 'no_such_key') }).connect(), 'SSH_IDENTITY_NOT_FOUND');
  });

  it('authenticates through ssh-agent when no identity file is given', async () => {
    const sock = path.join(work, 'agent.sock');
    const out = execFileSync('ssh-agent', ['-a', sock, '-s'], { encoding: 'utf8' });
    const pid = Number(/SSH_AGENT_PID=(\d+)/.exec(out)![1]);
    try {
      execFileSync('ssh-add', ['-q', sshd.clientKey], { env: { ...process.env, SSH_AUTH_SOCK: sock }, stdio: 'ignore' });
      const h = new SshHost(
        { name: 'agent', address: '127.0.0.1', ssh: { port: sshd.port, user: sshd.user } },
        {
          knownHosts: new KnownHostsStore({ file: khFile, userFile: null, trustNew: false }),
          sshConfigFile: null,
          agentSocket: sock,
          homeDir: emptyHome,
          connectTimeoutMs: 5000,
        },
      );
      hosts.push(h);
      const r = await h.exec('echo agent-ok');
      assert.equal(r.stdout.trim(), 'agent-ok');
    } finally {
      process.kill(pid);
    }
  });

  it('reports a stopped sshd as SSH_UNREACHABLE', async () => {
    const second = await startSshd({ dir: sshd.dir });
    const file = path.join(work, 'second_kh');
    const store = () => new KnownHostsStore({ file, userFile: null, trustNew: true });
    const up = host({ port: second.port, knownHosts: store() });
    await up.connect();
    await up.close();
    await second.stop();
    const err = await rejectsWith(host({ port: second.port, knownHosts: store() }).connect(), 'SSH_UNREACHABLE');
    assert.match(err.hint ?? '', new RegExp(`is sshd running on 127\\.0\\.0\\.1:${second.port}\\?`));
  });

  it('connects through a jump host (the same sshd as its own bastion)', async () => {
    const h = host({ name: 'behind', jump: `${sshd.user}@127.0.0.1:${sshd.port}` });
    const r = await h.exec('echo "$SSH_CONNECTION"');
    // The target sees the connection coming from the bastion's forward (also 127.0.0.1).
    assert.match(r.stdout, /^127\.0\.0\.1 \d+ 127\.0\.0\.1 \d+/);
    assert.equal(await h.sha256(path.join(work, 'missing')), null);
    await h.close();
    await h.close();
  });

  it('verifies the bastion host key too', async () => {
    const file = path.join(work, 'bastion_kh');
    // Only the target name is known; the bastion (looked up as 127.0.0.1 on the port) is not.
    writeFileSync(file, `[behind]:${sshd.port} ${sshd.hostPub}\n`);
    const h = host({
      name: 'behind',
      address: 'target-alias',
      jump: `127.0.0.1:${sshd.port}`,
      knownHosts: new KnownHostsStore({ file, userFile: null, trustNew: false }),
    });
    const err = await rejectsWith(h.connect(), 'HOST_KEY_UNKNOWN');
    assert.match(err.message, /bastion 127\.0\.0\.1/);
  });

  it('honours ~/.ssh/config: Host alias → HostName, Port, User, IdentityFile', async () => {
    const cfgFile = path.join(work, 'ssh_config');
    writeFileSync(
      cfgFile,
      [
        'Host pyro-test-alias',
        '  HostName 127.0.0.1',
        `  Port ${sshd.port}`,
        `  User ${sshd.user}`,
        `  IdentityFile ${sshd.clientKey}`,
        'Host *',
        '  User nobody-else',
        '',
      ].join('\n'),
    );
    const h = new SshHost(
      { name: 'ssh-host', address: 'pyro-test-alias', ssh: {} },
      { knownHosts: new KnownHostsStore({ file: khFile, userFile: null, trustNew: false }), sshConfigFile: cfgFile, agentSocket: null, homeDir: emptyHome },
    );
    hosts.push(h);
    assert.equal((await h.exec('whoami')).stdout.trim(), sshd.user);
    // Inventory values win over the config.
    const wrongPort = new SshHost(
      { name: 'ssh-host', address: 'pyro-test-alias', ssh: { port: 1 } },
      { knownHosts: new KnownHostsStore({ file: khFile, userFile: null, trustNew: true }), sshConfigFile: cfgFile, agentSocket: null, homeDir: emptyHome },
    );
    await rejectsWith(wrongPort.connect(), 'SSH_UNREACHABLE');
  });

  it('reads the user known_hosts, hashed', async () => {
    const userKh = path.join(work, 'user_known_hosts');
    writeFileSync(userKh, `[127.0.0.1]:${sshd.port} ${sshd.hostPub}\n`);
    execFileSync('ssh-keygen', ['-q', '-H', '-f', userKh], { stdio: 'ignore' });
    assert.match(readFileSync(userKh, 'utf8'), /^\|1\|/);
    const h = host({ name: 'hashed', knownHosts: new KnownHostsStore({ file: path.join(work, 'none_kh'), userFile: userKh, trustNew: false }) });
    await h.connect();
    assert.equal(existsSync(path.join(work, 'none_kh')), false);
  });
});
