import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import SSHConfig, { LineType, type Line } from 'ssh-config';
import { PyroError } from '../util/errors.js';
import { wildcardMatch } from './known-hosts.js';

// OpenSSH client config lookup: the `ssh-config` package parses; the matching below follows ssh_config(5)
// (its own compute() matches a single name and runs `Match exec`).

/** What ~/.ssh/config says about a host (first obtained value wins, as in OpenSSH). */
export interface SshConfigValues {
  hostName?: string;
  port?: number;
  user?: string;
  identityFiles: string[];
  proxyJump?: string;
}

/** Parses a bastion spec `[user@]host[:port]` (also `[v6addr]:port` and `ssh://`). */
export function parseJump(spec: string): { user?: string; host: string; port?: number } {
  let rest = spec.trim().replace(/^ssh:\/\//, '');
  let user: string | undefined;
  const at = rest.lastIndexOf('@');
  if (at >= 0) {
    user = rest.slice(0, at);
    rest = rest.slice(at + 1);
  }
  let host = rest;
  let port: number | undefined;
  const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(rest);
  if (bracketed) {
    host = bracketed[1]!;
    if (bracketed[2]) port = Number(bracketed[2]);
  } else if ((rest.match(/:/g) ?? []).length === 1) {
    const [h, p] = rest.split(':');
    host = h!;
    port = Number(p);
  }
  if (!host || (port !== undefined && !(Number.isInteger(port) && port > 0 && port < 65536))) {
    throw new PyroError('SSH_BAD_JUMP', `invalid jump host "${spec}"`, { hint: 'write it as [user@]host[:port]' });
  }
  return user ? { user, host, port } : { host, port };
}

function values(v: string | { val: string }[]): string[] {
  return Array.isArray(v) ? v.map((x) => x.val) : v.split(/\s+/).filter((x) => x !== '');
}

/**
 * Looks a host up in parsed ssh config by any of `names` (Host patterns, negation, `Match all|host|originalhost`).
 * HostName is taken only from sections matching `address`: it resolves an alias used as the address.
 */
export function lookupSshConfig(config: SSHConfig, names: string[], address: string): SshConfigValues {
  const out: SshConfigValues = { identityFiles: [] };
  const matchesAny = (patterns: string[], candidates: string[]): boolean =>
    candidates.some((n) => {
      let hit = false;
      for (const p of patterns) {
        if (p.startsWith('!')) {
          if (wildcardMatch(p.slice(1), n)) return false;
        } else if (wildcardMatch(p, n)) hit = true;
      }
      return hit;
    });
  const apply = (lines: Iterable<Line>, hostNameAllowed: boolean): void => {
    for (const line of lines) {
      if (line.type !== LineType.DIRECTIVE) continue;
      const v = values(line.value);
      const first = v[0];
      if (first === undefined) continue;
      switch (line.param.toLowerCase()) {
        case 'hostname':
          if (hostNameAllowed) out.hostName ??= first;
          break;
        case 'port':
          out.port ??= Number(first);
          break;
        case 'user':
          out.user ??= first;
          break;
        case 'identityfile':
          out.identityFiles.push(...v);
          break;
        case 'proxyjump':
          out.proxyJump ??= v.join(',');
          break;
      }
    }
  };
  for (const line of config) {
    if (line.type !== LineType.DIRECTIVE) continue;
    const param = line.param.toLowerCase();
    if (param === 'host' && 'config' in line) {
      const patterns = values(line.value);
      if (matchesAny(patterns, names)) apply(line.config, matchesAny(patterns, [address]));
    } else if (param === 'match' && 'criteria' in line) {
      // Only the criteria that need no side effects; a block using any other criterion is not applied.
      let ok = true;
      let forAddress = true;
      for (const [k, raw] of Object.entries(line.criteria)) {
        const key = k.toLowerCase();
        if (key === 'all') continue;
        if (key === 'host' || key === 'originalhost') {
          const patterns = values(raw).flatMap((p) => p.split(','));
          ok &&= matchesAny(patterns, names);
          forAddress &&= matchesAny(patterns, [address]);
        } else ok = false;
      }
      if (ok) apply(line.config, forAddress);
    } else if (param !== 'host' && param !== 'match') {
      apply([line], true);
    }
  }
  if (out.port !== undefined && !(Number.isInteger(out.port) && out.port > 0 && out.port < 65536)) delete out.port;
  return out;
}

/** Parses an ssh config file; null when it does not exist. */
export async function loadSshConfig(file: string): Promise<SSHConfig | null> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new PyroError('SSH_CONFIG_UNREADABLE', `cannot read ${file}: ${(err as Error).message}`, { cause: err });
  }
  try {
    return SSHConfig.parse(text);
  } catch (err) {
    throw new PyroError('SSH_CONFIG_INVALID', `cannot parse ${file}: ${(err as Error).message}`, { cause: err, hint: 'check it with `ssh -G HOST`' });
  }
}

/** Expands `~` and the ssh_config tokens %h %p %r %u %d %% in a path. */
export function expandPath(p: string, t: { home: string; host: string; port: number; user: string; localUser: string }): string {
  const withTokens = p.replace(/%([%hpurd])/g, (_, c: string) =>
    c === '%' ? '%' : c === 'h' ? t.host : c === 'p' ? String(t.port) : c === 'r' ? t.user : c === 'u' ? t.localUser : t.home,
  );
  if (withTokens === '~') return t.home;
  return withTokens.startsWith('~/') ? join(t.home, withTokens.slice(2)) : withTokens;
}
