import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { writeFileAtomic } from '../util/atomic-write.js';
import { HostError } from '../util/errors.js';
import { ensurePrivateDir } from '../util/private-dir.js';

/** One usable line of an OpenSSH known_hosts file. */
export interface KnownHostEntry {
  file: string;
  /** 1-based line number. */
  line: number;
  marker?: '@revoked' | '@cert-authority';
  /** Comma-separated host patterns as written (plain entries), or the hashed form. */
  hosts: { kind: 'patterns'; patterns: string[] } | { kind: 'hashed'; salt: Buffer; hash: Buffer };
  keyType: string;
  /** The decoded public key blob (SSH wire format). */
  key: Buffer;
}

/** Who is being verified: the inventory name for messages, every name/address it is known by, and the port. */
export interface HostKeyTarget {
  /** Inventory host name: the error's host. */
  host: string;
  /** How messages name it, when not just `host` (e.g. `nn1 (bastion b1)`). */
  label?: string;
  /** Names to look up: inventory name, then the address connected to, then aliases. The first two are written. */
  names: string[];
  port: number;
}

export interface KnownHostsOptions {
  /** pyro's own known-hosts file for the cluster (read and appended to). */
  file: string;
  /** The user's OpenSSH file, read only. Default ~/.ssh/known_hosts; null to ignore it. */
  userFile?: string | null;
  /** Accept and record keys of hosts not seen before (never a changed key). */
  trustNew: boolean;
}

/** A host key accepted as new (trustNew) and recorded in pyro's file during this run. */
export interface AcceptedKey {
  /** Inventory host name. */
  host: string;
  /** How messages name it, when not just `host` (e.g. `nn1 (bastion b1)`). */
  label?: string;
  /** The address and port connected to. */
  endpoint: string;
  /** The key's algorithm as known_hosts names it, e.g. `ssh-ed25519`. */
  keyType: string;
  /** `SHA256:` + unpadded base64, as ssh-keygen -l prints it. */
  fingerprint: string;
}

/** One accepted key as the terminal and the cluster's history show it: host, algorithm, fingerprint, endpoint. */
export function acceptedKeyLine(k: AcceptedKey): string {
  return `${k.label ?? k.host}: accepted new host key ${k.keyType} ${k.fingerprint} (${k.endpoint})`;
}

/** OpenSSH's fingerprint of a public key blob: `SHA256:` + unpadded base64 of its sha256. */
export function fingerprint(key: Buffer): string {
  return `SHA256:${createHash('sha256').update(key).digest('base64').replace(/=+$/, '')}`;
}

/** The key type named inside an SSH public key blob (e.g. `ssh-ed25519`), or `unknown`. */
export function keyTypeOf(key: Buffer): string {
  if (key.length < 4) return 'unknown';
  const len = key.readUInt32BE(0);
  if (len <= 0 || len > 64 || 4 + len > key.length) return 'unknown';
  return key.subarray(4, 4 + len).toString('latin1');
}

/** How OpenSSH writes a host in known_hosts: `host` on port 22, `[host]:port` otherwise. */
export function hostToken(name: string, port: number): string {
  const n = name.toLowerCase();
  return port === 22 ? n : `[${n}]:${port}`;
}

/** Parses known_hosts text; malformed lines are skipped. */
export function parseKnownHosts(text: string, file: string): KnownHostEntry[] {
  const entries: KnownHostEntry[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const raw = (lines[i] ?? '').trim();
    if (raw === '' || raw.startsWith('#')) continue;
    const fields = raw.split(/\s+/);
    let marker: KnownHostEntry['marker'];
    if (fields[0] === '@revoked' || fields[0] === '@cert-authority') {
      marker = fields[0];
      fields.shift();
    } else if (fields[0]?.startsWith('@')) {
      continue;
    }
    const [hostsField, keyType, keyB64] = fields;
    if (!hostsField || !keyType || !keyB64) continue;
    const key = Buffer.from(keyB64, 'base64');
    if (key.length === 0 || keyTypeOf(key) !== keyType) continue;
    let hosts: KnownHostEntry['hosts'];
    if (hostsField.startsWith('|1|')) {
      const [, , salt, hash] = hostsField.split('|');
      if (!salt || !hash) continue;
      hosts = { kind: 'hashed', salt: Buffer.from(salt, 'base64'), hash: Buffer.from(hash, 'base64') };
    } else {
      hosts = { kind: 'patterns', patterns: hostsField.split(',').filter((p) => p !== '') };
    }
    entries.push({ file, line: i + 1, marker, hosts, keyType, key });
  }
  return entries;
}

/** OpenSSH-style wildcard match (`*`, `?`), case-insensitive. */
export function wildcardMatch(pattern: string, text: string): boolean {
  const re = pattern
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  return new RegExp(`^${re}$`, 'i').test(text);
}

/** Whether a known_hosts entry names `token` (already in `hostToken` form). */
export function entryMatches(entry: KnownHostEntry, token: string): boolean {
  if (entry.hosts.kind === 'hashed') {
    const mac = createHmac('sha1', entry.hosts.salt).update(token).digest();
    return mac.length === entry.hosts.hash.length && timingSafeEqual(mac, entry.hosts.hash);
  }
  let matched = false;
  for (const p of entry.hosts.patterns) {
    if (p.startsWith('!')) {
      if (wildcardMatch(p.slice(1), token)) return false;
    } else if (wildcardMatch(p, token)) {
      matched = true;
    }
  }
  return matched;
}

/** Serializes writers of the same file within this process (several stores may share one file). */
const fileLocks = new Map<string, Promise<unknown>>();
function withFileLock<T>(file: string, fn: () => Promise<T>): Promise<T> {
  const key = resolve(file);
  const prev = fileLocks.get(key) ?? Promise.resolve();
  const next = prev.then(fn, fn);
  const settled = next.catch(() => undefined);
  fileLocks.set(key, settled);
  void settled.then(() => {
    if (fileLocks.get(key) === settled) fileLocks.delete(key);
  });
  return next;
}

async function readIfExists(file: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return '';
    throw err;
  }
}

/** OpenSSH server host key algorithms that produce a key of the given type. */
export function algorithmsForKeyType(keyType: string): string[] {
  return keyType === 'ssh-rsa' ? ['rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa'] : [keyType];
}

/**
 * Host key store: pyro's per-cluster known-hosts file plus the user's ~/.ssh/known_hosts. Safe to share between
 * hosts connecting in parallel; appends (trustNew) are serialized and written atomically.
 */
export class KnownHostsStore {
  readonly file: string;
  readonly userFile: string | null;
  readonly trustNew: boolean;
  private loaded?: Promise<KnownHostEntry[]>;
  private added: KnownHostEntry[] = [];
  private readonly acceptedKeys: AcceptedKey[] = [];

  constructor(opts: KnownHostsOptions) {
    this.file = opts.file;
    this.userFile = opts.userFile === undefined ? join(homedir(), '.ssh', 'known_hosts') : opts.userFile;
    this.trustNew = opts.trustNew;
  }

  private entries(): Promise<KnownHostEntry[]> {
    this.loaded ??= (async () => {
      const own = parseKnownHosts(await readIfExists(this.file), this.file);
      const user = this.userFile ? parseKnownHosts(await readIfExists(this.userFile), this.userFile) : [];
      return [...own, ...user];
    })();
    return this.loaded.then((e) => [...e, ...this.added]);
  }

  /** Keys this store accepted as new and wrote, in the order they were written (for the user to verify). */
  get accepted(): readonly AcceptedKey[] {
    return [...this.acceptedKeys];
  }

  /** Entries (excluding revoked and CA lines) that name any of the target's names on its port. */
  async lookup(target: HostKeyTarget): Promise<KnownHostEntry[]> {
    const tokens = target.names.map((n) => hostToken(n, target.port));
    return (await this.entries()).filter((e) => e.marker === undefined && tokens.some((t) => entryMatches(e, t)));
  }

  /** Key types already recorded for the target (to prefer those host key algorithms in the handshake). */
  async knownKeyTypes(target: HostKeyTarget): Promise<string[]> {
    return [...new Set((await this.lookup(target)).map((e) => e.keyType))];
  }

  /**
   * Checks the key a host offered. Resolves 'known' when recorded, 'added' when it was new and trustNew is on;
   * throws HostError HOST_KEY_UNKNOWN, HOST_KEY_CHANGED or HOST_KEY_REVOKED otherwise.
   */
  async verify(target: HostKeyTarget, key: Buffer): Promise<'known' | 'added'> {
    const tokens = target.names.map((n) => hostToken(n, target.port));
    const all = (await this.entries()).filter((e) => tokens.some((t) => entryMatches(e, t)) || e.marker === '@revoked');
    const endpoint = `${target.names[1] ?? target.names[0] ?? target.host}:${target.port}`;
    const who = target.label ?? target.host;
    const type = keyTypeOf(key);
    const fp = fingerprint(key);

    const revoked = all.find((e) => e.marker === '@revoked' && e.key.equals(key));
    if (revoked) {
      throw new HostError(
        'HOST_KEY_REVOKED',
        target.host,
        `host key of ${who} (${endpoint}) ${type} ${fp} is marked @revoked in ${revoked.file}:${revoked.line}`,
        {
          hint: 'do not connect; find out why the key was revoked',
        },
      );
    }
    const known = all.filter((e) => e.marker === undefined);
    if (known.some((e) => e.key.equals(key))) return 'known';

    if (known.length > 0) {
      const sameType = known.filter((e) => e.keyType === type);
      const old = sameType[0] ?? known[0]!;
      const others =
        known.length > 1
          ? ` (and ${known.length - 1} more entr${known.length > 2 ? 'ies' : 'y'}: ${known
              .slice(1)
              .map((e) => `${e.file}:${e.line}`)
              .join(', ')})`
          : '';
      throw new HostError(
        'HOST_KEY_CHANGED',
        target.host,
        `HOST KEY CHANGED for ${who} (${endpoint}): it now offers ${type} ${fp}, but ${old.file}:${old.line} holds ${old.keyType} ${fingerprint(old.key)}${others}. ` +
          'Someone could be intercepting the connection (man-in-the-middle), or the host was reinstalled.',
        {
          hint: `only if the change is expected (e.g. the host was reinstalled): verify the new fingerprint, remove line ${old.line} from ${old.file}, then run \`pyro check --trust-new-hosts\``,
        },
      );
    }

    if (!this.trustNew) {
      throw new HostError('HOST_KEY_UNKNOWN', target.host, `host key of ${who} (${endpoint}) is not known: ${type} ${fp}`, {
        hint: 'run `pyro check --trust-new-hosts` to accept it after verifying the fingerprint',
      });
    }
    if (await this.append(target, key))
      this.acceptedKeys.push({ host: target.host, ...(target.label ? { label: target.label } : {}), endpoint, keyType: type, fingerprint: fp });
    return 'added';
  }

  /**
   * Records a key for the target in pyro's file (read-modify-write under a per-file lock, atomic rename); false when
   * another writer had recorded it meanwhile.
   */
  private async append(target: HostKeyTarget, key: Buffer): Promise<boolean> {
    const names = [...new Set(target.names.slice(0, 2).map((n) => hostToken(n, target.port)))];
    const line = `${names.join(',')} ${keyTypeOf(key)} ${key.toString('base64')}`;
    return withFileLock(this.file, async () => {
      let text = await readIfExists(this.file);
      // Another store (or a parallel connection to the same endpoint) may have written it meanwhile.
      const present = parseKnownHosts(text, this.file).filter((e) => e.key.equals(key) && names.some((t) => entryMatches(e, t)));
      if (present.length > 0) {
        this.added.push(...present);
        return false;
      }
      if (text !== '' && !text.endsWith('\n')) text += '\n';
      const lineNo = text === '' ? 1 : text.split('\n').length;
      // The file sits in the cluster's state dir, private whoever creates it.
      await ensurePrivateDir(dirname(this.file));
      await writeFileAtomic(this.file, `${text}${line}\n`, { mode: 0o644 });
      this.added.push(...parseKnownHosts(line, this.file).map((e) => ({ ...e, line: lineNo })));
      return true;
    });
  }
}
