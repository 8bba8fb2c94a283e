import { formatPath, type Diagnostic } from './diagnostics.js';
import { hostsWithRole, instancesOf, listenPorts, roleBlockPath } from './resolve.js';
import type { InventorySource, PathSeg } from './source.js';
import type { Rule } from './types.js';
import type { Inventory, ServiceInstance } from './types.js';

const rolesPath = (inv: Inventory, hostIndex: number, role: string): PathSeg[] => ['hosts', hostIndex, 'roles', inv.hosts[hostIndex]!.roles.indexOf(role)];

/** Counts the roles declare (exactly one NameNode, at least one broker, an odd quorum), and one local host. */
const roleCounts: Rule = (inv, src) => {
  const out: Diagnostic[] = [];
  for (const def of inv.components.flatMap((c) => c.roles)) {
    const n = def.count;
    if (!n) continue;
    const role = def.role;
    const hosts = hostsWithRole(inv, role);
    const why = n.why ? ` (${n.why})` : '';
    if (n.exactly !== undefined && hosts.length < n.exactly) {
      out.push(
        src.diagnostic(['hosts'], `no host has the role ${role}; the cluster needs exactly ${n.exactly === 1 ? 'one' : n.exactly} ${n.what}`, {
          hint: `add ${role} to the roles of one host`,
        }),
      );
    }
    const most = n.exactly ?? n.atMost;
    if (most !== undefined && hosts.length > most) {
      const limit = `${n.exactly !== undefined ? 'exactly' : 'at most'} ${most === 1 ? 'one' : most}`;
      for (const h of hosts.slice(most)) {
        out.push(
          src.diagnostic(
            rolesPath(inv, h.index, role),
            `${role} is on ${hosts.length} hosts (${hosts.map((x) => x.name).join(', ')}); ${limit} ${n.what} is supported${why}`,
            {
              hint: `keep ${role} on ${hosts
                .slice(0, most)
                .map((x) => x.name)
                .join(', ')} only`,
            },
          ),
        );
      }
    }
    if (n.atLeast !== undefined && hosts.length < n.atLeast) {
      out.push(
        src.diagnostic(['hosts'], `no host has the role ${role}; the cluster needs at least ${n.atLeast === 1 ? 'one' : n.atLeast} ${n.what}`, {
          hint: `add ${role} to the roles of at least one host`,
        }),
      );
    }
    if (n.odd && hosts.length % 2 === 0) {
      const where = hosts.length ? rolesPath(inv, hosts.at(-1)!.index, role) : ['hosts'];
      out.push(
        src.diagnostic(where, `${hosts.length} ${n.what}s: ${n.why ?? 'the quorum needs an odd number'} (1, 3 or 5)`, {
          hint: hosts.length ? `add or remove one ${role} role` : `add ${role} to the roles of one or three hosts`,
        }),
      );
    }
  }
  const locals = inv.hosts.filter((h) => h.connection === 'local');
  for (const h of locals.slice(1)) {
    out.push(
      src.diagnostic(['hosts', h.index, 'connection'], `only one host can be the local machine, but ${locals[0]!.name} is already \`connection: local\``, {
        hint: 'use `connection: ssh` (the default) for the other hosts',
      }),
    );
  }
  return out;
};

/** Host names and addresses identify hosts: they must be unique. */
const uniqueHosts: Rule = (inv, src) => {
  const out: Diagnostic[] = [];
  for (const key of ['name', 'address'] as const) {
    const seen = new Map<string, number>();
    for (const h of inv.hosts) {
      const v = h[key].toLowerCase();
      const first = seen.get(v);
      if (first === undefined) seen.set(v, h.index);
      else {
        out.push(
          src.diagnostic(['hosts', h.index, key], `host ${key} ${h[key]} is used twice (also hosts[${first}])`, {
            hint: key === 'name' ? 'give every host a unique name' : 'list each machine once and put all its roles on that entry',
          }),
        );
      }
    }
  }
  return out;
};

/** Two services on one host must not claim the same port (of one protocol) or data dir. */
const hostClashes: Rule = (inv, src) => {
  const out: Diagnostic[] = [];
  for (const host of inv.hosts) {
    const mine = inv.instances.filter((i) => i.host === host);
    const ports = new Map<string, { inst: ServiceInstance; name: string }>();
    const dirs = new Map<string, { inst: ServiceInstance; name: string }>();
    for (const inst of mine) {
      for (const p of listenPorts(inst)) {
        const key = `${p.protocol}/${p.port}`;
        const other = ports.get(key);
        if (!other) ports.set(key, { inst, name: p.name });
        else {
          const what = p.protocol === 'udp' ? `UDP port ${p.port}` : `port ${p.port}`;
          const where = inst.settingPorts.includes(p) ? formatPath(p.origin) : formatSetting(inst, 'ports', p.name);
          out.push(
            src.diagnostic(
              p.origin,
              `${what} on host ${host.name} is claimed by both ${other.inst.def.role} (${other.name}) and ${inst.def.role} (${p.name})`,
              {
                hint: `change one of them, e.g. ${where}: ${p.port + 1}, or move one role to another host`,
              },
            ),
          );
        }
      }
      for (const [name, dir] of Object.entries(inst.dirs)) {
        const other = dirs.get(dir);
        if (!other) dirs.set(dir, { inst, name });
        else {
          out.push(
            src.diagnostic(
              inst.origin[`dir:${name}`]!,
              `data dir ${dir} on host ${host.name} is claimed by both ${other.inst.def.role} (${other.name}) and ${inst.def.role} (${name})`,
              {
                hint: `give each service its own directory via ${formatSetting(inst, 'dirs', name)}`,
              },
            ),
          );
        }
      }
    }
  }
  return out;
};

function formatSetting(inst: ServiceInstance, kind: 'ports' | 'dirs', name: string): string {
  return [...roleBlockPath(inst.def), kind, name].join('.');
}

/** Settings for a role no host runs are probably a mistake: warn. */
const unusedSettings: Rule = (inv, src) => {
  const out: Diagnostic[] = [];
  for (const c of inv.components) {
    if (!src.doc.hasIn(['services', c.name]) || c.settingsWithoutRoles) continue;
    if (!c.roles.some((d) => instancesOf(inv, d.role).length)) {
      out.push(
        src.diagnostic(['services', c.name], `settings for ${c.name}, but no host has ${c.roles.map((d) => d.role).join(' or ')}`, {
          severity: 'warning',
          atKey: true,
          hint: 'remove them or add the role to a host',
        }),
      );
    }
  }
  return out;
};

const RULES: Rule[] = [roleCounts, uniqueHosts, hostClashes, unusedSettings];

/** Semantic rules that run after the schema, the frame's then each component's: errors and warnings together. */
export function checkRules(inv: Inventory, src: InventorySource): Diagnostic[] {
  return [...RULES, ...inv.components.flatMap((c) => c.rules ?? [])].flatMap((rule) => rule(inv, src));
}
