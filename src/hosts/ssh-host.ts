import { randomBytes } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { homedir, userInfo } from 'node:os';
import { join, posix } from 'node:path';
import { Readable } from 'node:stream';
import pLimit, { type LimitFunction } from 'p-limit';
import ssh2 from 'ssh2';
import type { AnyAuthMethod, Client as SshClient, ClientChannel, ClientErrorExtensions, ConnectConfig, ParsedKey, ServerHostKeyAlgorithm } from 'ssh2';
import type { SshSettings } from '../inventory/types.js';
import { HostError, PyroError } from '../util/errors.js';
import { shellQuote, type ExecOptions, type ExecResult, type Host, type WriteFileOptions } from './host.js';
import { algorithmsForKeyType, type HostKeyTarget, type KnownHostsStore } from './known-hosts.js';
import { expandPath, loadSshConfig, lookupSshConfig, parseJump, type SshConfigValues } from './ssh-config.js';
export { lookupSshConfig, loadSshConfig, parseJump, type SshConfigValues };
import { abortError, describeCommand, signalExitCode, timeoutError } from './local-host.js';

const { Client, utils } = ssh2;

/** Grace period between SIGTERM and SIGKILL (and closing the channel) on timeout or abort. */
const KILL_GRACE_MS = 1000;
/** How long to wait for the server to confirm a channel close before giving up on it. */
const CLOSE_WAIT_MS = 2000;
/** Exit code the read/checksum scripts use for a missing file. */
const MISSING = 44;
/** ssh2's default server host key algorithms (ssh2 1.x), reordered per host to prefer key types already known. */
const HOST_KEY_ALGORITHMS: ServerHostKeyAlgorithm[] = [
  'ssh-ed25519',
  'ecdsa-sha2-nistp256',
  'ecdsa-sha2-nistp384',
  'ecdsa-sha2-nistp521',
  'rsa-sha2-512',
  'rsa-sha2-256',
  'ssh-rsa',
];
const DEFAULT_IDENTITIES = ['id_ed25519', 'id_ecdsa', 'id_rsa'];

export interface SshHostOptions {
  /** Host key store, normally shared by every host of the run. */
  knownHosts: KnownHostsStore;
  /** OpenSSH client config; default ~/.ssh/config, null to ignore it. */
  sshConfigFile?: string | null;
  /** Limit for TCP connect + handshake + authentication, per hop (default 20 s). */
  connectTimeoutMs?: number;
  /**
   * SSH keepalive interval (default 3 s; 3 unanswered ones drop the connection, so a host that stops answering
   * is named within about 12 s; a busy host still answers them at once).
   */
  keepaliveIntervalMs?: number;
  /** Concurrent channels on the connection (default 8; sshd's MaxSessions defaults to 10). */
  maxChannels?: number;
  /** Called when the host stops answering (its keepalives go unanswered), busy or idle: the run can stop at once. */
  onLost?: (err: HostError) => void;
  /** ssh-agent socket; default $SSH_AUTH_SOCK, null for no agent. */
  agentSocket?: string | null;
  /** Home directory for `~` and the default keys (default the current user's). */
  homeDir?: string;
  /** User to log in as when neither inventory nor ssh config names one (default the current user). */
  localUser?: string;
}

/** One SSH endpoint to connect to: a bastion or the target. */
interface Endpoint {
  /** For messages: the inventory name, or `bastion HOST`. */
  label: string;
  host: string;
  port: number;
  user: string;
  identities: { path: string; explicit: boolean }[];
  knownHost: HostKeyTarget;
}

/** Unanswered keepalives after which a connection is taken as lost. */
const KEEPALIVE_COUNT = 3;

/** The connection failed because the host stopped answering (ssh2's keepalive timeout), not closed by either side. */
function isSilence(failure: string | undefined): boolean {
  return failure !== undefined && /keepalive/i.test(failure);
}

interface Link {
  client: SshClient;
  closed: boolean;
  whenClosed: Promise<void>;
  /** Why the established connection failed (ssh2's error), e.g. the keepalives went unanswered. */
  failure?: string;
}

interface Connection {
  target: SshClient;
  links: Link[];
  /** Set when the target connection went away. */
  lost: boolean;
  /** Remote process groups waiting to be signalled (batched into one command per signal). */
  kills: Partial<Record<'TERM' | 'KILL', Set<number>>>;
}

interface RawResult {
  exitCode: number;
  signal?: string;
  stdout: Buffer;
  stderr: Buffer;
}

/**
 * Sends a signal to the remote process group (OpenSSH sshd >= 7.9 does killpg). ssh2's `channel.signal()` silently
 * does nothing once stdin was ended (the channel is no longer writable), so this calls its protocol layer directly.
 */
function sendSignal(ch: ClientChannel, name: string): void {
  const c = ch as unknown as {
    outgoing?: { id: number; state: string };
    _client?: { _protocol?: { signal(id: number, name: string): void } };
  };
  try {
    const out = c.outgoing;
    if (out && (out.state === 'open' || out.state === 'eof')) c._client?._protocol?.signal(out.id, name);
  } catch {
    /* the channel is already gone */
  }
}

/**
 * A host reached over SSH (ssh2): one connection reused for the run, at most `maxChannels` commands at once,
 * host keys checked against pyro's and the user's known_hosts, ~/.ssh/config and a bastion honoured.
 */
export class SshHost implements Host {
  readonly name: string;
  readonly address: string;
  private readonly settings: SshSettings;
  private readonly knownHosts: KnownHostsStore;
  private readonly sshConfigFile: string | null;
  private readonly connectTimeoutMs: number;
  private readonly keepaliveIntervalMs: number;
  private readonly agentSocketPath: string | null;
  private readonly home: string;
  private readonly localUser: string;
  private readonly limit: LimitFunction;
  private readonly onLost?: (err: HostError) => void;
  private connecting?: Promise<Connection>;
  /** The open connection `connecting` resolved to. */
  private current?: Connection;

  constructor(spec: { name: string; address: string; ssh?: SshSettings }, opts: SshHostOptions) {
    this.name = spec.name;
    this.address = spec.address;
    this.settings = spec.ssh ?? {};
    this.knownHosts = opts.knownHosts;
    this.home = opts.homeDir ?? homedir();
    this.sshConfigFile = opts.sshConfigFile === undefined ? join(this.home, '.ssh', 'config') : opts.sshConfigFile;
    this.connectTimeoutMs = opts.connectTimeoutMs ?? 20_000;
    this.keepaliveIntervalMs = opts.keepaliveIntervalMs ?? 3_000;
    this.agentSocketPath = opts.agentSocket === undefined ? process.env.SSH_AUTH_SOCK || null : opts.agentSocket;
    this.localUser = opts.localUser ?? userInfo().username;
    this.limit = pLimit(opts.maxChannels ?? 8);
    this.onLost = opts.onLost;
  }

  /** Opens the connection (through the bastion if any); concurrent callers share one attempt. */
  async connect(): Promise<void> {
    await this.connection();
  }

  private connection(): Promise<Connection> {
    if (!this.connecting) {
      const attempt = this.open();
      this.connecting = attempt;
      attempt.catch(() => {
        if (this.connecting === attempt) this.connecting = undefined;
      });
    }
    return this.connecting;
  }

  async close(): Promise<void> {
    const pending = this.connecting;
    this.connecting = undefined;
    this.current = undefined;
    if (!pending) return;
    let conn: Connection;
    try {
      conn = await pending;
    } catch {
      return;
    }
    await closeLinks(conn.links);
  }

  async exec(command: string, opts: ExecOptions = {}): Promise<ExecResult> {
    let script = command;
    if (opts.env && Object.keys(opts.env).length > 0) {
      const bad = Object.keys(opts.env).find((k) => !/^[A-Za-z_][A-Za-z0-9_]*$/.test(k));
      if (bad !== undefined) throw new PyroError('INVALID_ENV', `invalid environment variable name "${bad}"`);
      const assigns = Object.entries(opts.env).map(([k, v]) => `${k}=${shellQuote(v)}`);
      script = `export ${assigns.join(' ')}\n${command}`;
    }
    const r = await this.run(script, opts, command);
    const result: ExecResult = { exitCode: r.exitCode, stdout: r.stdout.toString('utf8'), stderr: r.stderr.toString('utf8') };
    if (r.signal) result.signal = r.signal;
    return result;
  }

  async writeFile(path: string, data: string | Buffer | Readable, opts: WriteFileOptions = {}): Promise<void> {
    const dir = posix.dirname(path);
    const tmp = posix.join(dir, `.${posix.basename(path)}.pyro-tmp-${randomBytes(6).toString('hex')}`);
    // The data ends with a random marker: only a complete upload is renamed into place, even if the channel is
    // closed half-way (which the remote `cat` would otherwise take as a normal end of input).
    const marker = `PYRO-EOF-${randomBytes(16).toString('hex')}`;
    const trailer = Buffer.from(`${marker}\n`);
    const mode = (opts.mode ?? 0o644) & 0o7777;
    const script = [
      'set -e',
      `dst=${shellQuote(path)}; tmp=${shellQuote(tmp)}`,
      'if [ -d "$dst" ]; then echo "pyro: $dst is a directory" >&2; exit 1; fi',
      `mkdir -p ${shellQuote(dir)}`,
      `trap 'rm -f "$tmp"' EXIT`,
      `trap 'exit 129' HUP; trap 'exit 130' INT; trap 'exit 143' TERM`,
      'umask 077',
      'cat > "$tmp"',
      `if [ "$(tail -c ${trailer.length} "$tmp")" != ${marker} ]; then echo "pyro: upload of $dst was incomplete" >&2; exit 1; fi`,
      `size=$(( $(wc -c < "$tmp") - ${trailer.length} ))`,
      'dd if=/dev/null of="$tmp" bs=1 seek="$size" 2>/dev/null',
      `chmod ${mode.toString(8).padStart(4, '0')} "$tmp"`,
      // fsync by name needs coreutils >= 8.24; an older sync ignores the name and flushes everything, as safe.
      'sync "$tmp"',
      'mv -f "$tmp" "$dst"',
      `sync ${shellQuote(dir)} 2>/dev/null || :`,
    ].join('\n');
    const stdin = Readable.from(
      (async function* () {
        if (typeof data === 'string' || Buffer.isBuffer(data)) yield Buffer.from(data);
        else for await (const chunk of data) yield typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer);
        yield trailer;
      })(),
      { objectMode: false },
    );
    const r = await this.run(script, { stdin, signal: opts.signal }, `writing ${path}`);
    if (r.exitCode !== 0) {
      throw new HostError('WRITE_FAILED', this.name, `cannot write ${path} on ${this.name}: ${r.stderr.toString('utf8').trim() || `exit code ${r.exitCode}`}`, {
        hint: `check that ${dir} is writable by the SSH user`,
      });
    }
  }

  async readFile(path: string): Promise<Buffer> {
    const r = await this.run(`p=${shellQuote(path)}; [ -e "$p" ] || exit ${MISSING}; exec cat -- "$p"`, {}, `reading ${path}`);
    if (r.exitCode === MISSING) {
      throw new HostError('FILE_NOT_FOUND', this.name, `${path} does not exist on ${this.name}`, {
        hint: 'check the path, or run the step that creates it first',
      });
    }
    if (r.exitCode !== 0) {
      throw new HostError('READ_FAILED', this.name, `cannot read ${path} on ${this.name}: ${r.stderr.toString('utf8').trim() || `exit code ${r.exitCode}`}`);
    }
    return r.stdout;
  }

  async sha256(path: string): Promise<string | null> {
    const script =
      `p=${shellQuote(path)}; [ -e "$p" ] || exit ${MISSING}; ` +
      'if command -v sha256sum >/dev/null 2>&1; then sha256sum < "$p"; else shasum -a 256 < "$p"; fi';
    const r = await this.run(script, {}, `sha256 of ${path}`);
    if (r.exitCode === MISSING) return null;
    const hex = /^([0-9a-f]{64})\b/.exec(r.stdout.toString('utf8'))?.[1];
    if (r.exitCode !== 0 || !hex) {
      throw new HostError(
        'READ_FAILED',
        this.name,
        `cannot checksum ${path} on ${this.name}: ${r.stderr.toString('utf8').trim() || `exit code ${r.exitCode}`}`,
        {
          hint: 'pyro needs sha256sum (coreutils) or shasum on the host',
        },
      );
    }
    return hex;
  }

  /** Runs a command on its own channel, within the channel cap; `what` names it in errors. */
  private async run(command: string, opts: ExecOptions, what: string): Promise<RawResult> {
    const aborted = (): HostError => abortError(this.name, describeCommand(what), opts.signal?.reason);
    if (opts.signal?.aborted) throw aborted();
    const conn = await this.connection();
    if (opts.signal?.aborted) throw aborted();
    let started = false;
    const queued = this.limit(() => {
      started = true;
      return this.runOnChannel(conn, command, opts, what);
    });
    const signal = opts.signal;
    if (!signal) return queued;
    // While waiting for a free channel, an abort returns at once; once running, runOnChannel stops the command.
    return new Promise<RawResult>((resolve, reject) => {
      const onAbort = (): void => {
        if (!started) reject(aborted());
      };
      signal.addEventListener('abort', onAbort, { once: true });
      queued.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
    });
  }

  private runOnChannel(conn: Connection, command: string, opts: ExecOptions, what: string): Promise<RawResult> {
    return new Promise<RawResult>((resolve, reject) => {
      if (opts.signal?.aborted) {
        reject(abortError(this.name, describeCommand(what), opts.signal.reason));
        return;
      }
      if (conn.lost) {
        reject(this.lostError(what, conn));
        return;
      }
      // The first output line is the remote shell's PID, which sshd made a session (and process group) leader:
      // how a timeout or abort kills the command when sshd ignores SSH signal requests (it does for root logins).
      conn.target.exec(`echo "$$"\n${command}`, (err, ch) => {
        if (err && conn.lost) {
          reject(this.lostError(what, conn));
          return;
        }
        if (err) {
          reject(
            new HostError('EXEC_FAILED', this.name, `cannot open an SSH session on ${this.name} for ${describeCommand(what)}: ${err.message}`, {
              cause: err,
              hint: "sshd may limit sessions per connection (MaxSessions); lower pyro's channel cap if this repeats",
            }),
          );
          return;
        }
        const out: Buffer[] = [];
        const errOut: Buffer[] = [];
        let pid: number | undefined;
        let header: Buffer | undefined = Buffer.alloc(0);
        let exitCode: number | undefined;
        let exitSignal: string | undefined;
        let failure: HostError | undefined;
        let finished = false;
        const timers: NodeJS.Timeout[] = [];

        const finish = (): void => {
          if (finished) return;
          finished = true;
          if (header !== undefined && header.length > 0) out.push(header);
          for (const t of timers) clearTimeout(t);
          opts.signal?.removeEventListener('abort', onAbort);
          if (failure) reject(failure);
          else if (exitCode !== undefined || exitSignal !== undefined) {
            const r: RawResult = {
              exitCode: exitCode ?? signalExitCode(exitSignal ?? ''),
              stdout: Buffer.concat(out),
              stderr: Buffer.concat(errOut),
            };
            if (exitSignal) r.signal = exitSignal;
            resolve(r);
          } else if (conn.lost) reject(this.lostError(what, conn));
          else reject(new HostError('EXEC_FAILED', this.name, `${describeCommand(what)} on ${this.name} ended without an exit status`));
        };
        const kill = (sig: 'TERM' | 'KILL'): void => {
          sendSignal(ch, sig);
          if (pid !== undefined) killRemote(conn, pid, sig);
        };
        const stop = (e: HostError): void => {
          if (failure || finished) return;
          failure = e;
          kill('TERM');
          timers.push(
            setTimeout(() => {
              kill('KILL');
              ch.close();
              timers.push(setTimeout(finish, CLOSE_WAIT_MS));
            }, KILL_GRACE_MS),
          );
        };
        const onAbort = (): void => stop(abortError(this.name, describeCommand(what), opts.signal?.reason));

        const stdout = (c: Buffer): void => {
          out.push(c);
          opts.onStdout?.(c);
        };
        ch.on('data', (c: Buffer) => {
          if (header === undefined) return stdout(c);
          header = Buffer.concat([header, c]);
          const nl = header.indexOf(10);
          if (nl < 0 && header.length < 24) return;
          const first = nl < 0 ? '' : header.subarray(0, nl).toString('latin1');
          const isPid = /^\d+$/.test(first);
          // Not our line (a login shell printing something first): pass everything through, without a PID.
          const rest = isPid ? header.subarray(nl + 1) : header;
          if (isPid) pid = Number(first);
          header = undefined;
          if (pid !== undefined && failure) killRemote(conn, pid, 'TERM');
          if (rest.length > 0) stdout(rest);
        });
        ch.stderr.on('data', (c: Buffer) => {
          errOut.push(c);
          opts.onStderr?.(c);
        });
        ch.on('exit', (code: number | null, sig?: string) => {
          if (typeof code === 'number') exitCode = code;
          else if (sig) exitSignal = sig;
        });
        ch.on('error', () => undefined);
        ch.on('close', finish);

        if (opts.timeoutMs !== undefined) {
          const ms = opts.timeoutMs;
          timers.push(setTimeout(() => stop(timeoutError(this.name, what, ms)), ms));
        }
        opts.signal?.addEventListener('abort', onAbort, { once: true });

        const input = opts.stdin;
        if (input === undefined) ch.end();
        else if (typeof input === 'string' || Buffer.isBuffer(input)) ch.end(input);
        else {
          input.on('error', (e) =>
            stop(new HostError('EXEC_FAILED', this.name, `reading input for ${describeCommand(what)} failed: ${e.message}`, { cause: e })),
          );
          input.pipe(ch);
        }
      });
    });
  }

  private lostError(what: string | undefined, conn?: Connection): HostError {
    const failure = conn?.links.at(-1)?.failure;
    const silent = isSilence(failure);
    const why = silent
      ? `: ${this.name} stopped answering (no reply for ${((KEEPALIVE_COUNT + 1) * this.keepaliveIntervalMs) / 1000} s)`
      : failure
        ? ` (${failure})`
        : '';
    return new HostError(
      'SSH_CONNECTION_LOST',
      this.name,
      `the SSH connection to ${this.name} was lost${what === undefined ? '' : ` while running ${describeCommand(what)}`}${why}`,
      {
        hint: silent
          ? `${this.name} may be cut off the network or powered off; once it answers again, run the same command: it picks up where this one stopped`
          : `${this.name} may have rebooted or the network dropped; run the same command again: it reconnects and picks up where this one stopped`,
      },
    );
  }

  /** Works out the bastions and the target from the inventory, then ~/.ssh/config, then defaults. */
  private async plan(): Promise<{ hops: Endpoint[]; target: Endpoint }> {
    const config = this.sshConfigFile ? await loadSshConfig(this.sshConfigFile) : null;
    const s = this.settings;
    const c = config ? lookupSshConfig(config, [this.name, this.address], this.address) : { identityFiles: [] };
    const port = s.port ?? c.port ?? 22;
    const user = s.user ?? c.user ?? this.localUser;
    const tokens = { home: this.home, host: this.address, port, user, localUser: this.localUser };
    const host = c.hostName ? expandPath(c.hostName, tokens) : this.address;
    const expand = (p: string): string => expandPath(p, { ...tokens, host });
    const explicit = s.identity ? [{ path: expand(s.identity), explicit: true }] : [];
    const identities =
      explicit.length > 0
        ? explicit
        : c.identityFiles.length > 0
          ? c.identityFiles.map((p) => ({ path: expand(p), explicit: false }))
          : this.defaultIdentities();
    const target: Endpoint = {
      label: this.name,
      host,
      port,
      user,
      identities,
      knownHost: { host: this.name, names: [...new Set([this.name, host, this.address])], port },
    };
    const jump = s.jump ?? c.proxyJump;
    if (!jump || jump.toLowerCase() === 'none') return { hops: [], target };
    const hops = jump.split(',').map((spec): Endpoint => {
      const j = parseJump(spec);
      const bc = config ? lookupSshConfig(config, [j.host], j.host) : { identityFiles: [] };
      const bPort = j.port ?? bc.port ?? 22;
      const bUser = j.user ?? bc.user ?? this.localUser;
      const bTokens = { home: this.home, host: j.host, port: bPort, user: bUser, localUser: this.localUser };
      const bHost = bc.hostName ? expandPath(bc.hostName, bTokens) : j.host;
      // The bastion's own config keys, then the target's explicit key, then the defaults.
      const ids = [
        ...bc.identityFiles.map((p) => ({ path: expandPath(p, { ...bTokens, host: bHost }), explicit: false })),
        ...explicit.map((i) => ({ ...i, explicit: false })),
        ...this.defaultIdentities(),
      ].filter((i, n, all) => all.findIndex((o) => o.path === i.path) === n);
      return {
        label: `bastion ${j.host}`,
        host: bHost,
        port: bPort,
        user: bUser,
        identities: ids,
        knownHost: { host: this.name, label: `${this.name} (bastion ${j.host})`, names: [...new Set([j.host, bHost])], port: bPort },
      };
    });
    return { hops, target };
  }

  private defaultIdentities(): { path: string; explicit: boolean }[] {
    return DEFAULT_IDENTITIES.map((f) => ({ path: join(this.home, '.ssh', f), explicit: false }));
  }

  private async open(): Promise<Connection> {
    const { hops, target } = await this.plan();
    const links: Link[] = [];
    try {
      let sock: ClientChannel | undefined;
      const chain = [...hops, target];
      for (let i = 0; i < chain.length; i++) {
        const ep = chain[i]!;
        const link = await this.connectEndpoint(ep, sock);
        links.push(link);
        const next = chain[i + 1];
        if (next) sock = await this.forward(link.client, ep, next);
      }
    } catch (err) {
      await closeLinks(links);
      throw err;
    }
    const last = links[links.length - 1]!;
    const conn: Connection = { target: last.client, links, lost: false, kills: {} };
    // Synchronously, before ssh2 fails the open channels: they then report SSH_CONNECTION_LOST, and the next
    // command reconnects.
    last.client.once('close', () => {
      conn.lost = true;
      void closeLinks(links);
      if (this.current === conn) {
        this.current = undefined;
        this.connecting = undefined;
      }
      if (isSilence(last.failure)) this.onLost?.(this.lostError(undefined, conn));
    });
    if (!last.closed) this.current = conn;
    else conn.lost = true;
    return conn;
  }

  private forward(bastion: SshClient, via: Endpoint, next: Endpoint): Promise<ClientChannel> {
    return new Promise((resolve, reject) => {
      bastion.forwardOut('127.0.0.1', 0, next.host, next.port, (err, stream) => {
        if (err) {
          reject(
            new HostError(
              'SSH_UNREACHABLE',
              this.name,
              `${via.label} (${via.host}:${via.port}) could not reach ${next.host}:${next.port} for ${this.name}: ${err.message}`,
              {
                cause: err,
                hint: `is sshd running on ${next.host}:${next.port}, reachable from the bastion, and does the bastion allow TCP forwarding (AllowTcpForwarding)?`,
              },
            ),
          );
        } else resolve(stream);
      });
    });
  }

  private async authMethods(ep: Endpoint): Promise<{ methods: AnyAuthMethod[]; tried: string[] }> {
    const methods: AnyAuthMethod[] = [];
    const tried: string[] = [];
    const encrypted: string[] = [];
    for (const id of ep.identities) {
      let buf: Buffer;
      try {
        buf = await readFile(id.path);
      } catch (err) {
        if (!id.explicit) continue;
        throw new HostError('SSH_IDENTITY_NOT_FOUND', this.name, `cannot read the SSH identity ${id.path} for ${this.name}: ${(err as Error).message}`, {
          cause: err,
          hint: 'fix ssh.identity in the inventory (a private key file), or remove it to use ssh-agent / ~/.ssh/config',
        });
      }
      const parsed = utils.parseKey(buf);
      const key: ParsedKey | Error | undefined = Array.isArray(parsed) ? (parsed[0] as ParsedKey | undefined) : parsed;
      if (key === undefined || key instanceof Error) {
        if (key instanceof Error && /passphrase/i.test(key.message)) encrypted.push(id.path);
        else if (id.explicit) {
          throw new HostError('SSH_IDENTITY_INVALID', this.name, `${id.path} is not a usable private key: ${key?.message ?? 'no key found'}`, {
            hint: 'point ssh.identity at the private key (not the .pub file)',
          });
        }
        continue;
      }
      if (!key.isPrivateKey()) {
        if (id.explicit) {
          throw new HostError('SSH_IDENTITY_INVALID', this.name, `${id.path} is a public key`, {
            hint: 'point ssh.identity at the private key (not the .pub file)',
          });
        }
        continue;
      }
      methods.push({ type: 'publickey', username: ep.user, key });
      tried.push(id.path);
    }
    const agent = await this.agentSocket();
    if (agent) {
      methods.push({ type: 'agent', username: ep.user, agent });
      tried.push(`ssh-agent (${agent})`);
    }
    if (methods.length === 0) {
      if (encrypted.length > 0) {
        throw new HostError('SSH_KEY_ENCRYPTED', this.name, `the SSH key ${encrypted.join(', ')} for ${ep.label} is encrypted and no ssh-agent is available`, {
          hint: `start ssh-agent and load the key (\`eval "$(ssh-agent)"; ssh-add ${encrypted[0]}\`) so SSH_AUTH_SOCK is set, or use an unencrypted deploy key`,
        });
      }
      throw new HostError(
        'SSH_NO_IDENTITY',
        this.name,
        `no SSH credentials for ${ep.label}: no identity file, no ssh-agent, and none of ~/.ssh/${DEFAULT_IDENTITIES.join(', ~/.ssh/')}`,
        {
          hint: 'set ssh.identity in the inventory, add IdentityFile to ~/.ssh/config, start ssh-agent (SSH_AUTH_SOCK), or create a key with `ssh-keygen -t ed25519`',
        },
      );
    }
    return { methods, tried };
  }

  private async agentSocket(): Promise<string | null> {
    if (!this.agentSocketPath) return null;
    try {
      await stat(this.agentSocketPath);
      return this.agentSocketPath;
    } catch {
      return null;
    }
  }

  private async connectEndpoint(ep: Endpoint, sock?: ClientChannel): Promise<Link> {
    const { methods, tried } = await this.authMethods(ep);
    const known = await this.knownHosts.knownKeyTypes(ep.knownHost);
    const preferred = known.flatMap(algorithmsForKeyType).filter((a): a is ServerHostKeyAlgorithm => HOST_KEY_ALGORITHMS.includes(a as ServerHostKeyAlgorithm));
    const serverHostKey = [...new Set([...preferred, ...HOST_KEY_ALGORITHMS])];
    return new Promise<Link>((resolve, reject) => {
      const client = new Client();
      let hostKeyError: PyroError | undefined;
      let settled = false;
      const link: Link = { client, closed: false, whenClosed: Promise.resolve() };
      link.whenClosed = new Promise<void>((done) =>
        client.once('close', () => {
          link.closed = true;
          done();
          if (!settled) {
            settled = true;
            reject(
              hostKeyError ??
                new HostError('SSH_CONNECT_FAILED', this.name, `${this.describe(ep)} closed the connection during the SSH handshake`, {
                  hint: 'is it an SSH server, and does sshd accept more connections (MaxStartups)?',
                }),
            );
          }
        }),
      );
      // Always listen: an error emitted without a listener would crash the process.
      client.on('error', (err: Error & ClientErrorExtensions) => {
        if (settled) {
          link.failure ??= err.message;
          return;
        }
        settled = true;
        reject(hostKeyError ?? this.connectError(err, ep, tried));
        client.end();
      });
      client.once('ready', () => {
        if (settled) return;
        settled = true;
        resolve(link);
      });
      const config: ConnectConfig = {
        host: ep.host,
        port: ep.port,
        username: ep.user,
        readyTimeout: this.connectTimeoutMs,
        keepaliveInterval: this.keepaliveIntervalMs,
        keepaliveCountMax: KEEPALIVE_COUNT,
        authHandler: methods,
        algorithms: { serverHostKey },
        hostVerifier: (key: Buffer, verify: (ok: boolean) => void): void => {
          this.knownHosts.verify(ep.knownHost, key).then(
            () => verify(true),
            (err: unknown) => {
              hostKeyError = err instanceof PyroError ? err : new HostError('HOST_KEY_CHECK_FAILED', this.name, String(err), { cause: err });
              verify(false);
            },
          );
        },
      };
      if (sock) config.sock = sock;
      try {
        client.connect(config);
      } catch (err) {
        settled = true;
        reject(new HostError('SSH_CONNECT_FAILED', this.name, `cannot connect to ${this.describe(ep)}: ${(err as Error).message}`, { cause: err }));
      }
    });
  }

  private describe(ep: Endpoint): string {
    return ep.label === this.name ? `${this.name} (${ep.host}:${ep.port})` : `${ep.label} (${ep.host}:${ep.port}) for ${this.name}`;
  }

  /** Maps ssh2 / socket errors to HostErrors with a hint. */
  private connectError(err: Error & ClientErrorExtensions & { code?: string }, ep: Endpoint, tried: string[]): HostError {
    const where = this.describe(ep);
    const opts = { cause: err };
    if (err.level === 'client-authentication') {
      return new HostError(
        'SSH_AUTH_FAILED',
        this.name,
        `SSH authentication failed for ${ep.user}@${ep.host}:${ep.port} (${ep.label}); tried ${tried.join(', ')}`,
        {
          ...opts,
          hint: `add the public key to ~${ep.user}/.ssh/authorized_keys on ${ep.host}, choose another key (ssh.identity, like ssh -i), or load the right key into ssh-agent`,
        },
      );
    }
    switch (err.code) {
      case 'ECONNREFUSED':
        return new HostError('SSH_UNREACHABLE', this.name, `cannot connect to ${where}: connection refused`, {
          ...opts,
          hint: `is sshd running on ${ep.host}:${ep.port}?`,
        });
      case 'ENOTFOUND':
      case 'EAI_AGAIN':
        return new HostError('SSH_UNREACHABLE', this.name, `cannot resolve ${ep.host} (${ep.label}): ${err.code}`, {
          ...opts,
          hint: 'check the address in the inventory (or HostName in ~/.ssh/config) and DNS / /etc/hosts',
        });
      case 'EHOSTUNREACH':
      case 'ENETUNREACH':
      case 'ETIMEDOUT':
        return new HostError('SSH_UNREACHABLE', this.name, `cannot reach ${where}: ${err.code}`, {
          ...opts,
          hint: 'check that the host is up, the address is right and no firewall blocks the SSH port',
        });
    }
    if (err.level === 'client-timeout') {
      return new HostError('SSH_UNREACHABLE', this.name, `timed out after ${this.connectTimeoutMs} ms connecting to ${where}`, {
        ...opts,
        hint: 'check that the host is up, the address and port are right and no firewall drops the SSH port',
      });
    }
    return new HostError('SSH_CONNECT_FAILED', this.name, `cannot connect to ${where}: ${err.message}`, {
      ...opts,
      hint: 'run `ssh -v` to the same address to compare',
    });
  }
}

/**
 * Signals remote process groups through a fresh channel (outside the channel cap; sshd's MaxSessions leaves room),
 * batching every PID asked for in the same tick into one command.
 */
function killRemote(conn: Connection, pid: number, sig: 'TERM' | 'KILL'): void {
  const pending = conn.kills[sig];
  if (pending) {
    pending.add(pid);
    return;
  }
  const pids = new Set([pid]);
  conn.kills[sig] = pids;
  setImmediate(() => {
    delete conn.kills[sig];
    if (conn.lost) return;
    // `kill -SIG -PGID` is understood by dash, bash and busybox (dash rejects `--`).
    const cmd = `for p in ${[...pids].join(' ')}; do kill -${sig} -$p 2>/dev/null || kill -${sig} $p 2>/dev/null; done; true`;
    try {
      conn.target.exec(cmd, (err, ch) => {
        if (err) return;
        ch.on('error', () => undefined);
        ch.resume();
        ch.stderr.resume();
        ch.end();
      });
    } catch {
      /* connection gone */
    }
  });
}

/** Ends connections last-hop first and waits (briefly) for them to close. */
async function closeLinks(links: Link[]): Promise<void> {
  for (const link of [...links].reverse()) {
    if (link.closed) continue;
    link.client.end();
    await Promise.race([link.whenClosed, new Promise((r) => setTimeout(r, CLOSE_WAIT_MS).unref())]);
  }
}
