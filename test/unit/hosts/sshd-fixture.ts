import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createConnection, createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';

/** A throwaway sshd on 127.0.0.1 with its own host key, client keys and config, for tests. */
export interface Sshd {
  dir: string;
  port: number;
  user: string;
  /** Private key listed in authorized_keys. */
  clientKey: string;
  /** Private key that is not authorized. */
  wrongKey: string;
  /** The server's host public key line (`ssh-ed25519 AAAA…`). */
  hostPub: string;
  stop(): Promise<void>;
}

export function sshdAvailable(): boolean {
  return existsSync('/usr/sbin/sshd') && existsSync('/usr/bin/ssh-keygen');
}

export function keygen(file: string, opts: { passphrase?: string; type?: string } = {}): string {
  execFileSync('ssh-keygen', ['-q', '-t', opts.type ?? 'ed25519', '-N', opts.passphrase ?? '', '-C', path.basename(file), '-f', file]);
  return readFileSync(`${file}.pub`, 'utf8').trim();
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createConnection({ host: '127.0.0.1', port });
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}

/** Starts `sshd -D` on a free port; `keys` reuses the client keys of another instance. */
export async function startSshd(keys?: { dir: string }): Promise<Sshd> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'pyro-sshd-'));
  const port = await freePort();
  const user = os.userInfo().username;
  const hostPub = keygen(path.join(dir, 'host_ed25519'));
  const keyDir = keys?.dir ?? dir;
  const clientKey = path.join(keyDir, 'client_ed25519');
  const wrongKey = path.join(keyDir, 'wrong_ed25519');
  if (!keys) {
    keygen(clientKey);
    keygen(wrongKey);
  }
  writeFileSync(path.join(dir, 'authorized_keys'), readFileSync(`${clientKey}.pub`));
  const config = path.join(dir, 'sshd_config');
  writeFileSync(
    config,
    [
      `Port ${port}`,
      'ListenAddress 127.0.0.1',
      `HostKey ${path.join(dir, 'host_ed25519')}`,
      `PidFile ${path.join(dir, 'sshd.pid')}`,
      `AuthorizedKeysFile ${path.join(dir, 'authorized_keys')}`,
      'UsePAM no',
      'StrictModes no',
      'PasswordAuthentication no',
      'KbdInteractiveAuthentication no',
      'PubkeyAuthentication yes',
      'PermitRootLogin prohibit-password',
      'AllowTcpForwarding yes',
      'MaxSessions 10',
      'LogLevel ERROR',
      '',
    ].join('\n'),
  );
  // sshd running as root insists on its privilege separation directory.
  if (process.getuid?.() === 0 && !existsSync('/run/sshd')) mkdirSync('/run/sshd', { recursive: true, mode: 0o755 });

  const child: ChildProcess = spawn('/usr/sbin/sshd', ['-D', '-e', '-f', config], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (c: Buffer) => (stderr += c.toString()));
  let exited = false;
  const exit = new Promise<void>((resolve) => child.once('exit', () => ((exited = true), resolve())));

  const deadline = Date.now() + 5000;
  while (!(await canConnect(port))) {
    if (exited || Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`sshd did not start on port ${port}: ${stderr}`);
    }
    await new Promise((r) => setTimeout(r, 25));
  }
  return {
    dir,
    port,
    user,
    clientKey,
    wrongKey,
    hostPub,
    async stop() {
      if (!exited) {
        child.kill('SIGTERM');
        await Promise.race([exit, new Promise((r) => setTimeout(r, 2000))]);
        if (!exited) child.kill('SIGKILL');
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
