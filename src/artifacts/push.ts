import { createHash, randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import * as tar from 'tar';
import type { Host } from '../hosts/host.js';
import { shellQuote } from '../hosts/host.js';
import type { HostSpec } from '../inventory/types.js';
import { HostError, PyroError } from '../util/errors.js';
import { blobTopDir } from './cache.js';

/** One distribution to put on a host. */
export interface PushItem {
  component: string;
  version: string;
  sha256: string;
  size: number;
  /** The tar in the local cache. */
  blob: string;
  hostSetup?: string;
}

export type PushAction = 'skip' | 'link' | 'push';

export interface PushPlanItem {
  item: PushItem;
  action: PushAction;
  /** What the host has now (for messages). */
  remote: string;
}

export interface PushOutcome extends PushPlanItem {
  seconds: number;
}

/** Where a component version lives on a host. */
export function versionDir(spec: HostSpec, component: string, version: string): string {
  return path.posix.join(spec.installDir, component, version);
}

const MARKER = '.pyro-artifact';

/** The shell lines that print, per item, `component sha-or-- link-or--`. */
export function stateLines(spec: HostSpec, items: PushItem[]): string[] {
  return items.map((it) => {
    const base = path.posix.join(spec.installDir, it.component);
    const d = versionDir(spec, it.component, it.version);
    return `printf '@state %s %s %s\\n' ${shellQuote(it.component)} "$(cat ${shellQuote(`${d}/${MARKER}`)} 2>/dev/null || echo -)" "$(readlink ${shellQuote(`${base}/current`)} 2>/dev/null || echo -)"`;
  });
}

/** What to do with each item, given the state lines a host printed. */
export function planFrom(items: PushItem[], stdout: string): PushPlanItem[] {
  const seen = new Map(
    stdout
      .split('\n')
      .filter((l) => l.startsWith('@state '))
      .map((l) => {
        const [, c, sha, link] = l.split(' ');
        return [c!, { sha: sha!, link: link! }];
      }),
  );
  return items.map((item) => {
    const s = seen.get(item.component) ?? { sha: '-', link: '-' };
    if (s.sha === item.sha256) {
      return s.link === item.version ? { item, action: 'skip', remote: `${item.version} present` } : { item, action: 'link', remote: `current -> ${s.link}` };
    }
    return { item, action: 'push', remote: s.sha === '-' ? 'absent' : `different build (${s.sha.slice(0, 12)})` };
  });
}

/** Reads, in one round trip, which of the items the host already has and where each `current` link points (for --dry-run). */
export async function planPush(host: Host, spec: HostSpec, items: PushItem[], signal?: AbortSignal): Promise<PushPlanItem[]> {
  if (!items.length) return [];
  const r = await host.exec(stateLines(spec, items).join('\n'), { timeoutMs: 30_000, signal });
  if (r.exitCode !== 0)
    throw new HostError('PUSH_PROBE_FAILED', host.name, `cannot inspect ${spec.installDir}: ${r.stderr.trim()}`, {
      hint: `check that the SSH user may write ${spec.installDir}`,
    });
  return planFrom(items, r.stdout);
}

/**
 * The whole remote side of a host's push, in one round trip. The host first prints what it has; pyro then sends
 * only the tars it lacks, back to back on stdin (each under its own `<component>-<version>/` top dir), and one
 * `tar -i` unpacks them all into an incoming dir. pyro appends a last tiny tar holding the commit file only when
 * every byte it sent matched the cache's checksum. Only then is each received tree moved into place, set up,
 * marked, and made `current` by an atomic link rename (also done for a version already there that is not
 * current). Anything else (no commit file, a failed unpack, a killed shell) removes the incoming dir.
 */
export function pushScript(spec: HostSpec, items: PushItem[], commitName: string): string {
  const env = [`PYRO_PYTHON=${shellQuote(spec.python)}`, `PYRO_JAVA_HOME=${shellQuote(spec.javaHome ?? '')}`].join(' ');
  const lines = [
    'set -eu',
    ...stateLines(spec, items),
    'echo @ready',
    `in=${shellQuote(path.posix.join(spec.installDir, '.incoming'))}.$$`,
    'rm -rf "$in"; mkdir -p "$in"',
    `trap 'rm -rf "$in"' EXIT; trap 'exit 1' TERM HUP INT`,
    'tar -xif - --no-same-owner -C "$in"',
    `[ -f "$in/${commitName}" ] || { echo "not committed: the stream did not end with pyro's commit" >&2; exit 5; }`,
  ];
  for (const item of items) {
    const base = path.posix.join(spec.installDir, item.component);
    lines.push(
      `base=${shellQuote(base)}; d=${shellQuote(versionDir(spec, item.component, item.version))}; got="$in"/${shellQuote(blobTopDir(item.component, item.version))}`,
      'if [ -d "$got" ]; then',
      '  rm -rf "$d"; mkdir -p "$base"; mv "$got" "$d"',
      ...(item.hostSetup
        ? [`  (cd "$d" && ${env} sh -eu -c ${shellQuote(item.hostSetup)}) >&2 || { rm -rf "$d"; echo "host setup failed for ${item.component}" >&2; exit 4; }`]
        : []),
      `  printf '%s\\n' ${shellQuote(item.sha256)} > "$d/${MARKER}.tmp" && mv -f "$d/${MARKER}.tmp" "$d/${MARKER}"`,
      'fi',
      `if [ -f "$d/${MARKER}" ] && [ "$(readlink "$base/current" 2>/dev/null || true)" != ${shellQuote(item.version)} ]; then`,
      `  ln -sfn ${shellQuote(item.version)} "$base/current.tmp.$$" && mv -Tf "$base/current.tmp.$$" "$base/current"`,
      'fi',
    );
  }
  lines.push('rm -rf "$in"', 'trap - EXIT');
  return lines.join('\n');
}

/** A tar holding one empty file: the commit that ends a verified push stream. */
async function commitTar(name: string): Promise<Buffer> {
  const chunks: Buffer[] = [];
  const dir = await mkdtemp(path.join(os.tmpdir(), 'pyro-commit-'));
  try {
    await writeFile(path.join(dir, name), '');
    for await (const c of tar.c({ cwd: dir, portable: true }, [name]) as AsyncIterable<Buffer>) chunks.push(c);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  return Buffer.concat(chunks);
}

export interface PushOptions {
  signal?: AbortSignal;
  /** Called once the host has said what it has, before any byte is sent. */
  onPlan?: (plan: PushPlanItem[]) => void;
  /** Bytes sent so far for the item being pushed. */
  onProgress?: (item: PushItem, sent: number) => void;
}

/**
 * Pushes a host's distributions in one exec: reads its state, streams the missing tars while hashing them (so the
 * cache blob is verified by that very use), then commits or not. Returns what was done per item.
 */
export async function pushHost(host: Host, spec: HostSpec, items: PushItem[], opts: PushOptions = {}): Promise<PushOutcome[]> {
  if (!items.length) return [];
  const started = Date.now();
  const bad: PushItem[] = [];
  const commitName = `.pyro-commit-${randomBytes(8).toString('hex')}`;
  const commit = await commitTar(commitName);
  let out = '';
  let plan: PushPlanItem[] | undefined;
  let onReady: () => void = () => undefined;
  let onGone: (err: Error) => void = () => undefined;
  const ready = new Promise<void>((resolve, reject) => {
    onReady = resolve;
    onGone = reject;
  });
  ready.catch(() => undefined);
  const onStdout = (chunk: Buffer) => {
    out += chunk.toString();
    if (!plan && out.includes('@ready\n')) {
      plan = planFrom(items, out);
      opts.onPlan?.(plan);
      onReady();
    }
  };
  async function* body(): AsyncGenerator<Buffer> {
    await ready;
    for (const { item } of plan!.filter((p) => p.action === 'push')) {
      const hash = createHash('sha256');
      let sent = 0;
      for await (const chunk of createReadStream(item.blob) as AsyncIterable<Buffer>) {
        // Once cancelled, send nothing more: above all never the commit.
        if (opts.signal?.aborted) return;
        hash.update(chunk);
        sent += chunk.length;
        opts.onProgress?.(item, sent);
        yield chunk;
      }
      if (sent !== item.size || hash.digest('hex') !== item.sha256) bad.push(item);
    }
    if (!bad.length && !opts.signal?.aborted) yield commit;
  }
  const stdin = Readable.from(body());
  let r;
  try {
    r = await host.exec(pushScript(spec, items, commitName), { stdin, onStdout, signal: opts.signal });
  } finally {
    onGone(new Error('the push command ended'));
    stdin.destroy();
  }
  if (!plan) {
    throw new HostError('PUSH_PROBE_FAILED', host.name, `cannot inspect ${spec.installDir}: ${r.stderr.trim()}`, {
      hint: `check that the SSH user may write ${spec.installDir}`,
    });
  }
  if (bad.length) {
    throw new PyroError(
      'CACHE_CORRUPT',
      `the cached ${bad.map((b) => `${b.component} ${b.version} (${b.blob})`).join(', ')} does not match its checksum; nothing was installed on ${host.name}`,
      {
        hint: 'run `pyro fetch` to fetch it again (the damaged entry is dropped), then push again',
      },
    );
  }
  if (r.exitCode !== 0) {
    throw new HostError('PUSH_FAILED', host.name, `push failed (exit ${r.exitCode}): ${r.stderr.trim().split('\n').slice(-5).join(' | ')}`, {
      hint:
        r.exitCode === 4
          ? "fix what the host setup reported (e.g. the host's Python) and push again"
          : `check free space and permissions under ${spec.installDir}`,
    });
  }
  const changed = plan.filter((p) => p.action !== 'skip').length;
  const share = (Date.now() - started) / 1000 / Math.max(changed, 1);
  return plan.map((p) => ({ ...p, seconds: p.action === 'skip' ? 0 : share }));
}
