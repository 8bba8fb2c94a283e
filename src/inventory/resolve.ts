import path from 'node:path';
import type { TSchema } from '@sinclair/typebox';
import type { RawInventory } from './schema.js';
import type { PathSeg } from './source.js';
import type { ComponentSpec, ConfigOverrides, RoleSpec, SettingPort } from './types.js';
import { DEFAULT_DATA_DIR, DEFAULT_INSTALL_DIR, type HostSpec, type Inventory, type ServiceInstance } from './types.js';

// Every default is applied here, once: component-wide settings, then the role's block, then the host's own
// `services:` block. Nothing past this file reads the document.

type Block = { heap?: string; ports?: Record<string, number>; dirs?: Record<string, string>; config?: ConfigOverrides; [k: string]: unknown };

/** Path of a role's settings block inside `services:`. */
export function roleBlockPath(def: RoleSpec): PathSeg[] {
  return def.settingsKey ? ['services', def.component, def.settingsKey] : ['services', def.component];
}

function roleBlockIn(services: Record<string, Record<string, unknown>> | undefined, def: RoleSpec): Block {
  const comp = services?.[def.component] ?? {};
  return ((def.settingsKey ? comp[def.settingsKey] : comp) ?? {}) as Block;
}

/** Parses '512m', '2g', '1024' (MiB) into MiB. */
export function parseMemoryMb(value: string): number {
  const m = /^([0-9]+)([kmgKMG]?)$/.exec(value);
  if (!m) throw new Error(`bad memory size ${value}`);
  const n = Number(m[1]);
  switch (m[2]!.toLowerCase()) {
    case 'k':
      return Math.ceil(n / 1024);
    case 'g':
      return n * 1024;
    default:
      return n;
  }
}

/** The values of `props` found in `block`, with each schema's `default` where the block has none. */
function typedSettings(props: Record<string, TSchema> | undefined, block: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, schema] of Object.entries(props ?? {})) {
    const v = block[k] ?? (schema as { default?: unknown }).default;
    if (v !== undefined) out[k] = v;
  }
  return out;
}

/** Only the keys a block sets (so a host's block overrides just what it names). */
function setIn(props: Record<string, TSchema> | undefined, block: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(
    Object.keys(props ?? {})
      .filter((k) => block[k] !== undefined)
      .map((k) => [k, block[k]]),
  );
}

function mergeConfig(...layers: (ConfigOverrides | undefined)[]): ConfigOverrides {
  const out: ConfigOverrides = {};
  for (const layer of layers) for (const [file, keys] of Object.entries(layer ?? {})) out[file] = { ...out[file], ...keys };
  return out;
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
      prepare: h.prepare ?? d.prepare ?? false,
      index,
    };
  });
}

function resolveInstance(raw: RawInventory, c: ComponentSpec, def: RoleSpec, host: HostSpec): ServiceInstance {
  const block = roleBlockIn(raw.services, def);
  const own = roleBlockIn(raw.hosts[host.index]!.services, def);
  const base = roleBlockPath(def);
  const hostBase: PathSeg[] = ['hosts', host.index, ...base];
  const rolePath: PathSeg[] = ['hosts', host.index, 'roles', host.roles.indexOf(def.role)];
  const origin: Record<string, PathSeg[]> = {};
  const ports: Record<string, number> = {};
  for (const p of def.ports) {
    const mine = own.ports?.[p.name];
    const v = mine ?? block.ports?.[p.name];
    ports[p.name] = v ?? p.default;
    origin[`port:${p.name}`] = mine !== undefined ? [...hostBase, 'ports', p.name] : v === undefined ? rolePath : [...base, 'ports', p.name];
  }
  const dirs: Record<string, string> = {};
  for (const dir of def.dirs) {
    const mine = own.dirs?.[dir.name];
    const v = mine ?? block.dirs?.[dir.name];
    // Normalized without a trailing slash so '/data/x/' and '/data/x' compare equal in the clash rules.
    dirs[dir.name] = path.posix.normalize(v ?? path.posix.join(host.dataDir, dir.default)).replace(/(.)\/+$/, '$1');
    origin[`dir:${dir.name}`] = mine !== undefined ? [...hostBase, 'dirs', dir.name] : v === undefined ? rolePath : [...base, 'dirs', dir.name];
  }
  const heap = own.heap ?? block.heap;
  const roleOnly = def.settingsKey !== undefined && (c.roleOnlyConfig ?? []).includes(def.settingsKey);
  const hostComp = (raw.hosts[host.index]!.services?.[def.component] ?? {}) as Block;
  const comp = (raw.services?.[def.component] ?? {}) as Block;
  const config = def.settingsKey
    ? mergeConfig(roleOnly ? undefined : comp.config, block.config, roleOnly ? undefined : hostComp.config, own.config)
    : mergeConfig(comp.config, hostComp.config);
  return {
    def,
    host,
    ports,
    dirs,
    origin,
    config,
    heapMb: heap ? parseMemoryMb(heap) : def.heapMb,
    heapSet: heap !== undefined,
    // Filled in once every instance exists (component defaults may count instances).
    settings: { ...typedSettings(def.settings, block), ...setIn(def.settings, own) },
    settingPorts: [],
  };
}

/** Where the value of a typed setting that wins for an instance is written; undefined when it is the default. */
function settingOrigin(raw: RawInventory, def: RoleSpec, host: HostSpec, key: string): PathSeg[] | undefined {
  const hostServices = raw.hosts[host.index]!.services;
  const candidates: [Record<string, unknown>, PathSeg[]][] =
    def.settings?.[key] !== undefined
      ? [
          [roleBlockIn(hostServices, def), ['hosts', host.index, ...roleBlockPath(def)]],
          [roleBlockIn(raw.services, def), roleBlockPath(def)],
        ]
      : [
          [hostServices?.[def.component] ?? {}, ['hosts', host.index, 'services', def.component]],
          [raw.services?.[def.component] ?? {}, ['services', def.component]],
        ];
  const hit = candidates.find(([block]) => block[key] !== undefined);
  return hit ? [...hit[1], key] : undefined;
}

/** Records where each written setting came from, and locates the ports the settings declare. */
function locateSettings(raw: RawInventory, c: ComponentSpec, inst: ServiceInstance): void {
  const def = inst.def;
  for (const key of [...Object.keys(c.settings ?? {}), ...Object.keys(def.settings ?? {})]) {
    const at = settingOrigin(raw, def, inst.host, key);
    if (at) inst.origin[`setting:${key}`] = at;
  }
  const rolePath: PathSeg[] = ['hosts', inst.host.index, 'roles', inst.host.roles.indexOf(def.role)];
  inst.settingPorts = (def.settingPorts?.(inst.settings) ?? []).map(({ at, ...p }) => {
    const base = inst.origin[`setting:${String(at[0])}`];
    return { ...p, origin: base ? [...base, ...at.slice(1)] : rolePath };
  });
}

/** Applies every default to a schema-valid inventory of these components. */
export function resolveInventory(file: string, raw: RawInventory, components: readonly ComponentSpec[]): Inventory {
  const hosts = resolveHosts(raw);
  const instances: ServiceInstance[] = [];
  for (const c of components) {
    for (const def of c.roles) {
      for (const host of hosts) if (host.roles.includes(def.role)) instances.push(resolveInstance(raw, c, def, host));
    }
  }
  const settings: Record<string, Record<string, unknown>> = {};
  const config: Record<string, ConfigOverrides> = {};
  const sections: Record<string, unknown> = {};
  for (const c of components) {
    const block = (raw.services?.[c.name] ?? {}) as Block;
    const typed = typedSettings(c.settings, block);
    settings[c.name] = c.derive ? c.derive(typed, { hosts, instances }) : typed;
    config[c.name] = block.config ?? {};
    for (const key of Object.keys(c.sections ?? {})) if (raw[key] !== undefined) sections[key] = raw[key];
  }
  for (const inst of instances) {
    const hostComp = (raw.hosts[inst.host.index]!.services?.[inst.def.component] ?? {}) as Block;
    const c = components.find((x) => x.name === inst.def.component)!;
    inst.settings = { ...settings[inst.def.component], ...setIn(c.settings, hostComp), ...inst.settings };
    locateSettings(raw, c, inst);
  }
  return {
    file,
    clusterName: raw.cluster.name,
    hosts,
    instances,
    components,
    settings,
    config,
    sections,
    artifacts: raw.artifacts ?? {},
    raw,
  };
}

export function hostsWithRole(inv: Inventory, role: string): HostSpec[] {
  return inv.hosts.filter((h) => h.roles.includes(role));
}

export function instancesOf(inv: Inventory, role: string): ServiceInstance[] {
  return inv.instances.filter((i) => i.def.role === role);
}

/** Every port an instance listens on: the role's named ports (TCP), then those its settings declare. */
export function listenPorts(inst: ServiceInstance): SettingPort[] {
  const named = Object.entries(inst.ports).map(([name, port]): SettingPort => ({ name, port, protocol: 'tcp', origin: inst.origin[`port:${name}`]! }));
  return [...named, ...inst.settingPorts];
}

export function instancesOn(inv: Inventory, host: HostSpec): ServiceInstance[] {
  return inv.instances.filter((i) => i.host === host);
}
