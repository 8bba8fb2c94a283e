import { createReadStream } from 'node:fs';
import path from 'node:path';
import { Transform } from 'node:stream';
import type { Host } from '../hosts/host.js';
import { shellQuote } from '../hosts/host.js';
import type { HostSpec } from '../inventory/types.js';
import { HostError } from '../util/errors.js';

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
 * The remote side of a push: unpack the tar from stdin into a temp dir while hashing the same bytes; only a
 * complete, verified tree is moved into place, set up, marked, and made `current` by an atomic link rename.
 */
export function unpackScript(spec: HostSpec, item: PushItem): string {
  const base = path.posix.join(spec.installDir, item.component);
  const d = versionDir(spec, item.component, item.version);
  const env = [`PYRO_PYTHON=${shellQuote(spec.python)}`, `PYRO_JAVA_HOME=${shellQuote(spec.javaHome ?? '')}`].join(' ');
  return [
    'set -eu',
    `base=${shellQuote(base)}; d=${shellQuote(d)}; p="$d.partial.$$"`,
    'mkdir -p "$base"; rm -rf "$p"; mkdir -p "$p"',
    'trap \'rm -rf "$p" "$p.fifo" "$p.sum"\' EXIT',
    'mkfifo "$p.fifo"',
    'sha256sum < "$p.fifo" > "$p.sum" & sum_pid=$!',
    'tee "$p.fifo" | tar -xf - --no-same-owner -C "$p"',
    'wait "$sum_pid"',
    `got=$(cut -d' ' -f1 "$p.sum")`,
    `if [ "$got" != ${shellQuote(item.sha256)} ]; then echo "checksum mismatch: got $got" >&2; exit 3; fi`,
    'rm -rf "$d"; mv "$p" "$d"',
    ...(item.hostSetup ? [`(cd "$d" && ${env} sh -eu -c ${shellQuote(item.hostSetup)}) || { rm -rf "$d"; echo "host setup failed" >&2; exit 4; }`] : []),
    `printf '%s\\n' ${shellQuote(item.sha256)} > "$d/${MARKER}.tmp" && mv -f "$d/${MARKER}.tmp" "$d/${MARKER}"`,
    `ln -sfn ${shellQuote(item.version)} "$base/current.tmp.$$" && mv -Tf "$base/current.tmp.$$" "$base/current"`,
  ].join('\n');
}

export function linkScript(spec: HostSpec, item: PushItem): string {
  const base = path.posix.join(spec.installDir, item.component);
  return `set -eu; ln -sfn ${shellQuote(item.version)} ${shellQuote(`${base}/current.tmp.$$`)} && mv -Tf ${shellQuote(`${base}/current.tmp.$$`)} ${shellQuote(`${base}/current`)}`;
}

export interface PushOptions {
  signal?: AbortSignal;
  /** Bytes sent so far for the item being pushed. */
  onProgress?: (item: PushItem, sent: number) => void;
}

/** Carries out a plan on one host: streams each needed tar over the host's connection. */
export async function applyPush(host: Host, spec: HostSpec, plan: PushPlanItem[], opts: PushOptions = {}): Promise<PushOutcome[]> {
  const out: PushOutcome[] = [];
  for (const step of plan) {
    const t0 = Date.now();
    if (step.action === 'link') {
      const r = await host.exec(linkScript(spec, step.item), { timeoutMs: 30_000, signal: opts.signal });
      if (r.exitCode !== 0) throw new HostError('PUSH_FAILED', host.name, `cannot switch ${step.item.component}/current: ${r.stderr.trim()}`);
    } else if (step.action === 'push') {
      let sent = 0;
      const meter = new Transform({
        transform(chunk: Buffer, _e, cb) {
          sent += chunk.length;
          opts.onProgress?.(step.item, sent);
          cb(null, chunk);
        },
      });
      const stdin = createReadStream(step.item.blob).pipe(meter);
      const r = await host.exec(unpackScript(spec, step.item), { stdin, signal: opts.signal });
      if (r.exitCode !== 0) {
        throw new HostError('PUSH_FAILED', host.name, `pushing ${step.item.component} ${step.item.version} failed (exit ${r.exitCode}): ${r.stderr.trim().split('\n').slice(-5).join(' | ')}`, {
          hint: r.exitCode === 3 ? 'the bytes arrived damaged: run the push again' : `check free space and permissions under ${spec.installDir}`,
        });
      }
    }
    out.push({ ...step, seconds: (Date.now() - t0) / 1000 });
  }
  return out;
}
