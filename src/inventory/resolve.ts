import path from 'node:path';
import { SERVICES, serviceByRole } from '../services/catalog.js';
import type { ServiceDefinition } from '../services/definition.js';
import type { RawInventory } from './schema.js';
import type { PathSeg } from './source.js';
import { DEFAULT_DATA_DIR, DEFAULT_INSTALL_DIR, type HostSpec, type Inventory, type ServiceInstance } from './types.js';

type Block = { heap?: string; ports?: Record<string, number>; dirs?: Record<string, string>; [k: string]: unknown };

/** Path of a role's settings block inside `services:`. */
export function roleBlockPath(def: ServiceDefinition): PathSeg[] {
  return def.settingsKey ? ['services', def.component, def.settingsKey] : ['services', def.component];
}

/** A role's settings block as written in the inventory, or an empty one. */
export function roleBlock(raw: RawInventory, def: ServiceDefinition): Block {
  const services = (raw.services ?? {}) as Record<string, Record<string, unknown> | undefined>;
  const comp = services[def.component] ?? {};
  return ((def.settingsKey ? comp[def.settingsKey] : comp) ?? {}) as Block;
}

/** Parses '512m', '2g', '1024' (MiB) into MiB. */
export function parseMemoryMb(value: string): number {
  const m = /^([0-9]+)([kmgKMG]?)$/.exec(value);
  if (!m) throw new Error(`bad memory size ${value}`);
  const n = Number(m[1]);
  switch (m[2]!.toLowerCase()) {
    case 'k': return Math.ceil(n / 1024);
    case 'g': return n * 1024;
    default: return n;
  }
}

function resolveHosts(raw: RawInventory): HostSpec[] {
  const d = raw.defaults ?? {};
  return raw.hosts.map((h, index) => {
    const dataDir = h.dataDir ?? d.dataDir ?? DEFAULT_DATA_DIR;
    return {
      name: h.name,
      address: h.address,
      connection: h.connection ?? 'ssh',
      roles: [...h.roles],
      ssh: { ...d.ssh, ...h.ssh },
      installDir: h.installDir ?? d.installDir ?? DEFAULT_INSTALL_DIR,
      dataDir,
      logDir: h.logDir ?? d.logDir ?? path.posix.join(dataDir, 'logs'),
      javaHome: h.javaHome ?? d.javaHome,
      java21Home: h.java21Home ?? d.java21Home,
      python: h.python ?? d.python ?? 'python3',
      supervisor: h.supervisor ?? d.supervisor ?? 'pyro',
      index,
    };
  });
}

function resolveInstance(raw: RawInventory, def: ServiceDefinition, host: HostSpec): ServiceInstance {
  const block = roleBlock(raw, def);
  const base = roleBlockPath(def);
  const rolePath: PathSeg[] = ['hosts', host.index, 'roles', host.roles.indexOf(def.role)];
  const origin: Record<string, PathSeg[]> = {};
  const ports: Record<string, number> = {};
  for (const p of def.ports) {
    const v = block.ports?.[p.name];
    ports[p.name] = v ?? p.default;
    origin[`port:${p.name}`] = v === undefined ? rolePath : [...base, 'ports', p.name];
  }
  const dirs: Record<string, string> = {};
  for (const dir of def.dirs) {
    const v = block.dirs?.[dir.name];
    // Normalized without a trailing slash so '/data/x/' and '/data/x' compare equal in the clash rules.
    dirs[dir.name] = path.posix.normalize(v ?? path.posix.join(host.dataDir, dir.default)).replace(/(.)\/+$/, '$1');
    origin[`dir:${dir.name}`] = v === undefined ? rolePath : [...base, 'dirs', dir.name];
  }
  return { def, host, ports, dirs, heapMb: block.heap ? parseMemoryMb(block.heap) : def.heapMb, origin };
}

/** Applies defaults to a schema-valid inventory. */
export function resolveInventory(file: string, raw: RawInventory): Inventory {
  const hosts = resolveHosts(raw);
  const instances: ServiceInstance[] = [];
  for (const def of SERVICES) {
    for (const host of hosts) if (host.roles.includes(def.role)) instances.push(resolveInstance(raw, def, host));
  }
  return {
    file,
    clusterName: raw.cluster.name,
    hosts,
    instances,
    topics: raw.topics ?? [],
    jobs: raw.jobs ?? [],
    datasets: raw.datasets ?? [],
    raw,
  };
}

export function hostsWithRole(inv: Inventory, role: string): HostSpec[] {
  return inv.hosts.filter((h) => h.roles.includes(role));
}

export function instancesOf(inv: Inventory, role: string): ServiceInstance[] {
  return inv.instances.filter((i) => i.def.role === role);
}

export function instancesOn(inv: Inventory, host: HostSpec): ServiceInstance[] {
  return inv.instances.filter((i) => i.host === host);
}

export { serviceByRole };
