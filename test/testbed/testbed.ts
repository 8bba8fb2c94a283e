// Simulated bare-metal hosts for integration tests: a thin wrapper around scripts/testbed.sh.
//
// createTestbed(n) brings up hosts h1..hN (network namespaces on the bridge pyrobr0, each with its own hostname,
// private /opt/pyro and /var/lib/pyro, and a real sshd at 10.213.0.1N:22; login root with `identity`).
// Needs root. Only one testbed can exist on a machine at a time: `up` tears down any leftover one first.
//
// Teardown happens in destroy(), and also when the process is interrupted (SIGINT, SIGTERM, SIGHUP) or exits
// without calling destroy(); a process killed with SIGKILL leaves the testbed behind until the next `up` or
// `scripts/testbed.sh down`.

import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa, ExecaError } from 'execa';

export interface TestbedHost {
  name: string;
  address: string;
}

export interface Testbed {
  workdir: string;
  hosts: TestbedHost[];
  /** Private key for root on every host (no passphrase). */
  identity: string;
  /** known_hosts with every host's key, under its name and its address. */
  knownHosts: string;
  /** A pyro inventory for these hosts. */
  inventoryPath: string;
  /** OpenSSH client arguments (before the destination) that log in with strict host key checking. */
  sshOptions: string[];
  /** Runs a command on a host with the OpenSSH client; rejects when it exits non-zero. */
  ssh(name: string, command: string): Promise<{ stdout: string; stderr: string }>;
  /** Stops the host's sshd: new connections are refused, running sessions and their processes survive. */
  stopSshd(name: string): Promise<void>;
  startSshd(name: string): Promise<void>;
  /** Gives the host a new host key and restarts its sshd; knownHosts keeps the old key. */
  rekey(name: string): Promise<void>;
  /** Cuts the host off the network (its link down: packets vanish without an answer, as in a partition). */
  cut(name: string): Promise<void>;
  /** Puts the host's link back up. */
  heal(name: string): Promise<void>;
  /** Tears everything down (processes, namespaces, bridge, /etc/hosts block, workdir). Idempotent. */
  destroy(): Promise<void>;
}

interface HostsJson {
  hosts: { name: string; address: string; sshdPid: number | null; hostKeyPub: string; netns: string }[];
  identity: string;
  knownHosts: string;
  inventory: string;
  user: string;
}

/** The repository root: the nearest ancestor of this file holding package.json and scripts/testbed.sh. */
export function repoRoot(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(path.join(dir, 'package.json')) && existsSync(path.join(dir, 'scripts', 'testbed.sh'))) return dir;
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error(`cannot find the repository root (package.json + scripts/testbed.sh) above ${fileURLToPath(import.meta.url)}`);
    dir = parent;
  }
}

export function testbedScript(): string {
  return path.join(repoRoot(), 'scripts', 'testbed.sh');
}

// ---- emergency teardown ------------------------------------------------------------------------------------------

/** Workdirs of testbeds that are up (or being brought up) and not yet destroyed. */
const live = new Set<string>();
let handlersInstalled = false;
const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

function teardownSync(): void {
  const script = testbedScript();
  for (const workdir of [...live]) {
    live.delete(workdir);
    const r = spawnSync('bash', [script, 'down', workdir], { stdio: ['ignore', 'ignore', 'inherit'], timeout: 180_000 });
    if (r.error || r.status !== 0) {
      process.stderr.write(`testbed: teardown of ${workdir} failed (${r.error?.message ?? `exit ${r.status}`}); run: bash ${script} down\n`);
    }
  }
}

function onExit(): void {
  teardownSync();
}

function onSignal(signal: NodeJS.Signals): void {
  // The listeners stay installed while we tear down, so a second signal (mocha's parent sends SIGINT, then SIGTERM)
  // cannot kill us halfway; spawnSync blocks, so a signal arriving meanwhile is handled afterwards, as a no-op.
  if (live.size > 0) {
    process.stderr.write(`testbed: ${signal} received, tearing down the testbed\n`);
    teardownSync();
  }
  uninstallHandlers();
  process.exit(128 + (os.constants.signals[signal] ?? 1));
}

function installHandlers(): void {
  if (handlersInstalled) return;
  handlersInstalled = true;
  process.once('exit', onExit);
  for (const s of SIGNALS) process.on(s, onSignal);
}

function uninstallHandlers(): void {
  if (!handlersInstalled) return;
  handlersInstalled = false;
  process.removeListener('exit', onExit);
  for (const s of SIGNALS) process.removeListener(s, onSignal);
}

// ---- the testbed -------------------------------------------------------------------------------------------------

async function run(args: string[]): Promise<void> {
  try {
    await execa('bash', [testbedScript(), ...args], { stdin: 'ignore' });
  } catch (e) {
    if (e instanceof ExecaError) {
      const why = String(e.stderr ?? '').trim() || e.shortMessage;
      throw new Error(`scripts/testbed.sh ${args.join(' ')} failed: ${why}`, { cause: e });
    }
    throw e;
  }
}

/** Throws a clear error when this machine cannot run a testbed (not root, no `ip netns`). */
export async function checkTestbedPrerequisites(): Promise<void> {
  if (process.platform !== 'linux') throw new Error(`the testbed needs Linux (this is ${process.platform})`);
  if (process.getuid?.() !== 0) {
    throw new Error('the testbed must run as root: it creates network namespaces, a bridge and sshd daemons (CI runs these tests as root)');
  }
  try {
    await execa('ip', ['netns', 'list'], { stdin: 'ignore' });
  } catch (e) {
    throw new Error(`'ip netns' is unavailable (install iproute2; the kernel needs network namespaces): ${(e as Error).message}`, { cause: e });
  }
  for (const f of ['/usr/sbin/sshd', '/usr/bin/ssh', '/usr/bin/ssh-keygen']) {
    if (!existsSync(f)) throw new Error(`${f} is missing (install openssh-server and openssh-client)`);
  }
}

export async function createTestbed(n: number, opts: { workdir?: string } = {}): Promise<Testbed> {
  if (!Number.isInteger(n) || n < 1 || n > 99) throw new Error(`createTestbed: n must be an integer from 1 to 99, got ${n}`);
  await checkTestbedPrerequisites();
  const workdir = path.resolve(opts.workdir ?? (await mkdtemp(path.join(os.tmpdir(), 'pyro-testbed-'))));

  let destroyed = false;
  const destroy = async (): Promise<void> => {
    if (destroyed) return;
    destroyed = true;
    try {
      await run(['down', workdir]);
    } finally {
      live.delete(workdir);
      if (live.size === 0) uninstallHandlers();
    }
  };

  // Register before `up`, so an interrupt while the hosts come up still tears down.
  live.add(workdir);
  installHandlers();
  let info: HostsJson;
  try {
    await run(['up', String(n), workdir]);
    info = JSON.parse(await readFile(path.join(workdir, 'hosts.json'), 'utf8')) as HostsJson;
  } catch (e) {
    await destroy().catch(() => undefined);
    throw e;
  }

  const sshOptions = [
    '-F',
    '/dev/null',
    '-i',
    info.identity,
    '-o',
    'IdentitiesOnly=yes',
    '-o',
    'BatchMode=yes',
    '-o',
    `UserKnownHostsFile=${info.knownHosts}`,
    '-o',
    'GlobalKnownHostsFile=/dev/null',
    '-o',
    'StrictHostKeyChecking=yes',
    '-o',
    'ConnectTimeout=10',
    '-l',
    info.user,
  ];
  const hosts = info.hosts.map((h) => ({ name: h.name, address: h.address }));
  const known = (name: string): TestbedHost => {
    const h = hosts.find((x) => x.name === name);
    if (!h) throw new Error(`no host ${name} in this testbed (hosts: ${hosts.map((x) => x.name).join(', ')})`);
    return h;
  };

  return {
    workdir,
    hosts,
    identity: info.identity,
    knownHosts: info.knownHosts,
    inventoryPath: info.inventory,
    sshOptions,
    async ssh(name, command) {
      const h = known(name);
      const r = await execa('ssh', [...sshOptions, h.address, command], { stdin: 'ignore' });
      return { stdout: r.stdout, stderr: r.stderr };
    },
    async stopSshd(name) {
      known(name);
      await run(['stop-sshd', name, workdir]);
    },
    async startSshd(name) {
      known(name);
      await run(['start-sshd', name, workdir]);
    },
    async cut(name) {
      known(name);
      await run(['cut', name, workdir]);
    },
    async heal(name) {
      known(name);
      await run(['heal', name, workdir]);
    },
    async rekey(name) {
      known(name);
      await run(['rekey', name, workdir]);
    },
    destroy,
  };
}
