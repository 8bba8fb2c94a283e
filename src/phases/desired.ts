import { createHash } from 'node:crypto';
import { listenPorts } from '../inventory/resolve.js';
import type { Inventory, ServiceInstance } from '../inventory/types.js';
import { renderEnvFile } from '../render/env-file.js';
import { serviceOf, startOrder } from '../services/catalog.js';
import {
  artifactRootFor,
  heapFor,
  instancePaths,
  javaFor,
  javaHomeFor,
  roleMarker,
  type HostResources,
  type InstancePaths,
  type RuntimeContext,
  type ServiceRuntime,
} from '../services/runtime.js';
import type { ClusterIds } from '../state/cluster-state.js';
import { shJoin } from './host-sh.js';
import { renderUnit, unitName } from './systemd-unit.js';

/** What an instance should look like on its host: files, launch script, hash, format step. */
export interface Desired {
  inst: ServiceInstance;
  runtime: ServiceRuntime;
  paths: InstancePaths;
  /** Files in the conf dir by name, run.sh included. */
  files: Record<string, string>;
  /** Hash of the files and the artifacts' builds: a running process started with another hash restarts. */
  hash: string;
  format?: { dir: string; done: string; argv: string[] };
  ports: number[];
  marker: string;
  heapMb: number;
  /** Log files worth showing when it fails: the main log, then stdout/stderr. */
  logFiles: string[];
  /** sh run on the host before a start, and the hint when it refuses (see ServiceRuntime.preStart). */
  preStart?: { sh: string; hint: string };
  /** sh run on the host right after a start (see ServiceRuntime.postStart). */
  postStart?: string;
  /** The systemd unit (a file in the conf dir) when the host's supervisor is systemd. */
  unit?: string;
  /** sh run after a stop for good (not a restart): see ServiceRuntime.afterStop. */
  afterStop?: string;
  /** Files the running process reads again on command (left out of `hash`), and the sh line that makes it. */
  reload?: { files: string[]; sh: string };
}

/** Instances pyro runs (their role has a runtime), in start order. */
export function managedInstances(inv: Inventory): ServiceInstance[] {
  const roles = startOrder([...new Set(inv.instances.map((i) => i.def.role))]).filter((d) => d.runtime);
  return roles.flatMap((d) => inv.instances.filter((i) => i.def.role === d.role));
}

/** Roles the inventory names that pyro does not run yet (reported, never counted as down). */
export function unmanagedRoles(inv: Inventory): string[] {
  return [...new Set(inv.instances.filter((i) => !serviceOf(i).runtime).map((i) => i.def.role))];
}

function launchLine(l: string[] | { sh: string }): string {
  return Array.isArray(l) ? shJoin(l) : l.sh;
}

function runScript(ctx: RuntimeContext, rt: ServiceRuntime): string {
  const env = rt.env?.(ctx) ?? {};
  const javaHome = javaHomeFor(ctx.inst.host, ctx.inst.def.javaMin);
  return (
    [
      '#!/bin/sh',
      `# ${ctx.inst.def.title} on ${ctx.inst.host.name}, written by pyro: \`pyro up\` rewrites it. Run it by hand to start the`,
      '# service in the foreground.',
      javaHome
        ? `export JAVA_HOME=${shJoin([javaHome])}`
        : 'if [ -z "${JAVA_HOME:-}" ]; then JAVA_HOME=$(dirname "$(dirname "$(readlink -f "$(command -v java)")")"); export JAVA_HOME; fi',
      renderEnvFile(env).trimEnd(),
      rt.prelude?.(ctx) ?? '',
      `exec ${launchLine(rt.launch(ctx))}`,
      '',
    ]
      .filter((l) => l !== '')
      .join('\n') + '\n'
  );
}

/**
 * Renders an instance. `resources` (from the host) sizes heaps and container memory; `builds` maps each artifact
 * component to the sha256 of the build pushed, so a rebuilt distribution also restarts.
 */
export function desiredFor(
  inv: Inventory,
  inst: ServiceInstance,
  ids: ClusterIds,
  resources?: HostResources,
  builds: Record<string, string> = {},
  secrets: Record<string, string> = {},
  retiring: readonly ServiceInstance[] = [],
): Desired {
  const rt = serviceOf(inst).runtime;
  if (!rt) throw new Error(`${inst.def.role} has no runtime`);
  const paths = instancePaths(inst);
  const heapMb = heapFor(inv, inst, resources);
  const ctx: RuntimeContext = {
    inv,
    inst,
    ids,
    paths,
    artifactRoot: artifactRootFor(inv, inst.host),
    java: javaFor(inst.host, inst.def.javaMin),
    heapMb,
    resources,
    secrets,
    builds,
    retiring,
  };
  const files: Record<string, string> = { ...rt.files(ctx), 'run.sh': runScript(ctx, rt) };
  const unit = inst.host.supervisor === 'systemd' ? unitName(inv.clusterName, inst) : undefined;
  // System units for root, user units otherwise; the SSH user is the one that will run them.
  if (unit)
    files[unit] = renderUnit(
      inv.clusterName,
      inst,
      paths,
      rt.stopGraceSec,
      (inst.host.ssh.user ?? 'root') === 'root' || inst.host.connection === 'local',
      rt.keepChildren,
    );
  const reloaded = rt.reload?.files ?? [];
  const h = createHash('sha256');
  for (const name of Object.keys(files).sort()) if (!reloaded.includes(name)) h.update(`${name}\0${files[name]}\0`);
  for (const c of inst.def.artifacts) h.update(`${c}\0${builds[c] ?? ''}\0`);
  return {
    inst,
    runtime: rt,
    paths,
    files,
    hash: h.digest('hex').slice(0, 16),
    format: rt.format?.(ctx),
    // Checked free before a start; the host-side check reads TCP listeners only.
    ports: listenPorts(inst)
      .filter((p) => p.protocol === 'tcp')
      .map((p) => p.port),
    marker: rt.marker ?? roleMarker(inst.def.role),
    preStart: rt.preStart?.(ctx),
    postStart: rt.postStart?.(ctx),
    afterStop: rt.afterStop?.(ctx),
    heapMb,
    logFiles: [...new Set([`${paths.logs}/${rt.logFile}`, `${paths.logs}/${inst.def.role}.out`])],
    unit,
    reload: rt.reload ? { files: reloaded, sh: shJoin(rt.reload.argv(ctx)) } : undefined,
  };
}
