import { planFrom, stateLines, type PushItem, type PushPlanItem } from '../artifacts/push.js';
import type { Host } from '../hosts/host.js';
import { shellQuote as q } from '../hosts/host.js';
import type { HostSpec, ServiceInstance } from '../inventory/types.js';
import { serviceOf } from '../services/catalog.js';
import { instancePaths, roleMarker, type HostResources } from '../services/runtime.js';
import { HostError } from '../util/errors.js';
import type { Desired } from './desired.js';
import { HOST_PRELUDE, parseLines } from './host-sh.js';
import { unitName } from './systemd-unit.js';

export interface ServiceState {
  state: 'running' | 'dead' | 'stopped';
  pid?: number;
  uptimeSec: number;
  /** Hash the running (or last started) process was started with. */
  hash?: string;
}

/** What one round trip tells pyro about a host's managed services. */
export interface HostState {
  services: Record<string, ServiceState>;
  /** Current contents of the managed files, by role then name. */
  files: Record<string, Record<string, string>>;
  formatted: Record<string, 'yes' | 'no' | 'foreign'>;
  /** Roles set to `supervisor: systemd` on a host where systemd does not run. */
  noSystemd: string[];
  resources: HostResources;
  push: PushPlanItem[];
  /** What the roles' `facts` printed, by role then key (status only). */
  facts: Record<string, Record<string, string>>;
}

/** What the state script needs of an instance. */
export type Watched = Pick<Desired, 'inst' | 'paths' | 'marker' | 'files'> & { format?: Desired['format']; unit?: string; facts?: string };

/** An instance to watch by its pid file only (no files, no format state): `check` and the like; status adds its facts. */
export function watchProcess(inst: ServiceInstance, cluster: string, withFacts = false): Watched {
  return {
    facts: withFacts ? serviceOf(inst).runtime?.facts?.(inst) : undefined,
    inst,
    paths: instancePaths(inst),
    marker: serviceOf(inst).runtime?.marker ?? roleMarker(inst.def.role),
    files: {},
    unit: inst.host.supervisor === 'systemd' ? unitName(cluster, inst) : undefined,
  };
}

/** The sh line printing an instance's `@svc` state, by pid file or from systemd. */
export function stateLine(d: Watched): string {
  const role = q(d.inst.def.role);
  return d.unit
    ? `pyro_sd_state ${role} ${q(d.unit)} ${q(d.paths.hashFile)}`
    : `pyro_state ${role} ${q(d.paths.pidFile)} ${q(d.marker)} ${q(d.paths.hashFile)}`;
}

/** The one script that reads a host's state: services, their files and data dirs, memory, and artifacts. */
export function stateScript(spec: HostSpec, desired: Watched[], push: PushItem[] = [], withFiles = true): string {
  const lines = [HOST_PRELUDE];
  lines.push(`echo "@res $(awk '/^MemTotal:/{print int($2/1024)}' /proc/meminfo) $(getconf _NPROCESSORS_ONLN 2>/dev/null || nproc)"`);
  for (const d of desired) {
    const role = d.inst.def.role;
    lines.push(stateLine(d));
    if (d.format) lines.push(`pyro_formatted ${q(role)} ${q(d.format.dir)} ${q(d.format.done)}`);
    if (withFiles) for (const name of Object.keys(d.files)) lines.push(`pyro_file ${q(role)} ${q(name)} ${q(`${d.paths.conf}/${name}`)}`);
    if (d.facts) lines.push(d.facts);
  }
  lines.push(...stateLines(spec, push));
  return lines.join('\n');
}

export function parseState(stdout: string, push: PushItem[]): HostState {
  const s: HostState = {
    services: {},
    files: {},
    formatted: {},
    noSystemd: [],
    resources: { memTotalMb: 0, cpus: 0 },
    push: planFrom(push, stdout),
    facts: {},
  };
  for (const l of parseLines(stdout)) {
    const [a, b, c, d, e] = l.words;
    switch (l.kind) {
      case 'res':
        s.resources = { memTotalMb: Number(a), cpus: Number(b) };
        break;
      case 'svc':
        s.services[a!] = { state: b as ServiceState['state'], pid: c === '-' ? undefined : Number(c), uptimeSec: Number(d), hash: e === '-' ? undefined : e };
        break;
      case 'file':
        (s.files[a!] ??= {})[b!] = Buffer.from(c ?? '', 'base64').toString('utf8');
        break;
      case 'formatted':
        s.formatted[a!] = b as 'yes' | 'no' | 'foreign';
        break;
      case 'fact': {
        const facts = (s.facts[a!] ??= {});
        for (let k = 1; k + 1 < l.words.length; k += 2) facts[l.words[k]!] = l.words[k + 1]!;
        break;
      }
      case 'nosystemd':
        s.noSystemd.push(a!);
        break;
    }
  }
  return s;
}

/** Reads a host's state in one exec. */
export async function readHostState(
  host: Host,
  spec: HostSpec,
  desired: Watched[],
  push: PushItem[] = [],
  opts: { signal?: AbortSignal; withFiles?: boolean } = {},
): Promise<HostState> {
  const r = await host.exec('sh -s', { stdin: stateScript(spec, desired, push, opts.withFiles ?? true), timeoutMs: 60_000, signal: opts.signal });
  if (r.exitCode !== 0) {
    throw new HostError(
      'STATE_READ_FAILED',
      spec.name,
      `cannot read the state of ${spec.name}'s services (exit ${r.exitCode}): ${(r.stderr || r.stdout).trim().slice(0, 500)}`,
      {
        hint: `check that the SSH user may read ${spec.installDir} and ${spec.dataDir}`,
      },
    );
  }
  return parseState(r.stdout, push);
}
