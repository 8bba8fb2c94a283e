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

/** Reads, in one round trip, which of the items the host already has and where each `current` link points. */
export async function planPush(host: Host, spec: HostSpec, items: PushItem[], signal?: AbortSignal): Promise<PushPlanItem[]> {
  if (!items.length) return [];
  const script = items
    .map((it) => {
      const base = path.posix.join(spec.installDir, it.component);
      const d = versionDir(spec, it.component, it.version);
      return `printf '%s %s %s\\n' ${shellQuote(it.component)} "$(cat ${shellQuote(`${d}/${MARKER}`)} 2>/dev/null || echo -)" "$(readlink ${shellQuote(`${base}/current`)} 2>/dev/null || echo -)"`;
    })
    .join('\n');
  const r = await host.exec(script, { timeoutMs: 30_000, signal });
  if (r.exitCode !== 0) throw new HostError('PUSH_PROBE_FAILED', host.name, `cannot inspect ${spec.installDir}: ${r.stderr.trim()}`, { hint: `check that the SSH user may write ${spec.installDir}` });
  const seen = new Map(r.stdout.trim().split('\n').map((l) => { const [c, sha, link] = l.split(' '); return [c!, { sha: sha!, link: link! }]; }));
  return items.map((item) => {
    const s = seen.get(item.component) ?? { sha: '-', link: '-' };
    if (s.sha === item.sha256) {
      return s.link === item.version ? { item, action: 'skip', remote: `${item.version} present` } : { item, action: 'link', remote: `current -> ${s.link}` };
    }
    return { item, action: 'push', remote: s.sha === '-' ? 'absent' : `different build (${s.sha.slice(0, 12)})` };
  });
}

/**
 * The whole remote side of a host's push, in one round trip. The distributions' tars arrive back to back on stdin
 * (each under its own `<component>-<version>/` top dir) and one `tar -i` unpacks them all into an incoming dir.
 * pyro appends a last tiny tar holding the commit file only when every byte it sent matched the cache's
 * checksum. Only then is each tree moved into place, set up, marked, and made `current` by an atomic link
 * rename. Anything else (no commit file, a failed unpack, a killed shell) removes the incoming dir.
 */
export function pushScript(spec: HostSpec, steps: PushPlanItem[], commitName: string): string {
  const env = [`PYRO_PYTHON=${shellQuote(spec.python)}`, `PYRO_JAVA_HOME=${shellQuote(spec.javaHome ?? '')}`].join(' ');
  const pushes = steps.filter((s) => s.action === 'push');
  const lines = ['set -eu'];
  if (pushes.length) {
    lines.push(
      `in=${shellQuote(path.posix.join(spec.installDir, '.incoming'))}.$$`,
      'rm -rf "$in"; mkdir -p "$in"',
      `trap 'rm -rf "$in"' EXIT; trap 'exit 1' TERM HUP INT`,
      'tar -xif - --no-same-owner -C "$in"',
      `[ -f "$in/${commitName}" ] || { echo "not committed: the stream did not end with pyro's commit" >&2; exit 5; }`,
    );
  }
  for (const { item, action } of steps) {
    const base = path.posix.join(spec.installDir, item.component);
    lines.push(`base=${shellQuote(base)}; d=${shellQuote(versionDir(spec, item.component, item.version))}`);
    if (action === 'push') {
      lines.push(
        `rm -rf "$d"; mkdir -p "$base"; mv "$in"/${shellQuote(blobTopDir(item.component, item.version))} "$d"`,
        ...(item.hostSetup
          ? [`(cd "$d" && ${env} sh -eu -c ${shellQuote(item.hostSetup)}) >&2 || { rm -rf "$d"; echo "host setup failed for ${item.component}" >&2; exit 4; }`]
          : []),
        `printf '%s\\n' ${shellQuote(item.sha256)} > "$d/${MARKER}.tmp" && mv -f "$d/${MARKER}.tmp" "$d/${MARKER}"`,
      );
    }
    lines.push(`ln -sfn ${shellQuote(item.version)} "$base/current.tmp.$$" && mv -Tf "$base/current.tmp.$$" "$base/current"`);
  }
  if (pushes.length) lines.push('rm -rf "$in"', 'trap - EXIT');
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
  /** Bytes sent so far for the item being pushed. */
  onProgress?: (item: PushItem, sent: number) => void;
}

/**
 * Carries out a plan on one host in one exec: streams every needed tar while hashing it (so the cache blob is
 * verified by that very use), then says commit or abort.
 */
export async function applyPush(host: Host, spec: HostSpec, plan: PushPlanItem[], opts: PushOptions = {}): Promise<PushOutcome[]> {
  const changes = plan.filter((p) => p.action !== 'skip');
  if (!changes.length) return plan.map((p) => ({ ...p, seconds: 0 }));
  const started = Date.now();
  const bad: PushItem[] = [];
  const commitName = `.pyro-commit-${randomBytes(8).toString('hex')}`;
  const commit = await commitTar(commitName);
  async function* body(): AsyncGenerator<Buffer> {
    for (const { item } of changes.filter((c) => c.action === 'push')) {
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
  const r = await host.exec(pushScript(spec, changes, commitName), { stdin: Readable.from(body()), signal: opts.signal });
  if (bad.length) {
    throw new PyroError('CACHE_CORRUPT', `the cached ${bad.map((b) => `${b.component} ${b.version} (${b.blob})`).join(', ')} does not match its checksum; nothing was installed on ${host.name}`, {
      hint: 'run `pyro fetch` to fetch it again (the damaged entry is dropped), then push again',
    });
  }
  if (r.exitCode !== 0) {
    throw new HostError('PUSH_FAILED', host.name, `push failed (exit ${r.exitCode}): ${r.stderr.trim().split('\n').slice(-5).join(' | ')}`, {
      hint: r.exitCode === 4 ? 'fix what the host setup reported (e.g. the host\'s Python) and push again' : `check free space and permissions under ${spec.installDir}`,
    });
  }
  const share = (Date.now() - started) / 1000 / changes.length;
  return plan.map((p) => ({ ...p, seconds: p.action === 'skip' ? 0 : share }));
}
