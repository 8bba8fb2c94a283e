import type { PushPlanItem } from '../artifacts/push.js';
import type { Host } from '../hosts/host.js';
import type { HostSpec } from '../inventory/types.js';
import { HostError } from '../util/errors.js';
import { diffConfig } from './config-diff.js';
import type { Desired } from './desired.js';
import type { HostState, ServiceState } from './host-state.js';

export interface FileChange {
  name: string;
  path: string;
  content: string;
  /** What changed, for the plan's output. */
  diff: string[];
  /** Holds secrets: written 0600. */
  private?: boolean;
}

export type InstanceAction = 'none' | 'start' | 'restart';

/** What `up` does to one instance, and why. */
export interface InstancePlan {
  desired: Desired;
  current: ServiceState;
  files: FileChange[];
  format: boolean;
  action: InstanceAction;
  reasons: string[];
  /** Files it reads again on command changed while it runs on: reload it instead of restarting (host lists). */
  reload: boolean;
}

export interface HostPlan {
  spec: HostSpec;
  host: Host;
  state: HostState;
  push: PushPlanItem[];
  instances: InstancePlan[];
}

/** Compares what an instance should be with what its host reported. Refuses a data dir pyro did not format. */
export function planInstance(d: Desired, state: HostState): InstancePlan {
  const role = d.inst.def.role;
  const current = state.services[role] ?? { state: 'stopped', uptimeSec: 0 };
  const have = state.files[role] ?? {};
  const files: FileChange[] = [];
  for (const [name, content] of Object.entries(d.files)) {
    if (have[name] === content) continue;
    const secret = d.runtime.privateFiles?.includes(name) ?? false;
    const diff = secret
      ? [have[name] === undefined ? '(new file, holds secrets)' : '(holds secrets: changes not shown)']
      : diffConfig(name, have[name], content);
    files.push({ name, path: `${d.paths.conf}/${name}`, content, diff, private: secret });
  }
  if (state.noSystemd.includes(role)) {
    throw new HostError(
      'SYSTEMD_MISSING',
      d.inst.host.name,
      `${role}: the host is set to \`supervisor: systemd\` but systemd does not run on ${d.inst.host.name}`,
      {
        hint: 'set `supervisor: pyro` for this host (pid files, no root needed), or run it on a host with systemd',
      },
    );
  }
  const formatted = state.formatted[role];
  if (d.format && formatted === 'foreign') {
    throw new HostError(
      'DATA_DIR_NOT_EMPTY',
      d.inst.host.name,
      `${role}: ${d.format.dir} holds files but was not formatted by pyro (no ${d.format.done.split('/').pop()})`,
      {
        hint: 'pyro never formats a dir that holds data: point the role at an empty dir in the inventory, or move the files away',
      },
    );
  }
  const format = Boolean(d.format) && formatted === 'no';
  const reasons: string[] = [];
  let action: InstanceAction = 'none';
  if (current.state !== 'running') {
    action = 'start';
    reasons.push(current.state === 'dead' ? 'not running (its process is gone)' : 'not running');
  } else if (current.hash !== d.hash) {
    action = 'restart';
    if (files.length) reasons.push(`${files.map((f) => f.name).join(', ')} changed`);
    const pushed = state.push.filter((p) => p.action !== 'skip' && d.inst.def.artifacts.includes(p.item.component));
    if (pushed.length) reasons.push(`${pushed.map((p) => `${p.item.component} ${p.item.version}`).join(', ')} pushed`);
    if (!reasons.length) reasons.push('running with a configuration older than the one on disk');
  }
  const reload = action === 'none' && current.state === 'running' && files.some((f) => d.reload?.files.includes(f.name));
  return { desired: d, current, files, format, action, reasons, reload };
}
