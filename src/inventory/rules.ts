import { existsSync } from 'node:fs';
import path from 'node:path';
import { SERVICES } from '../services/catalog.js';
import type { Diagnostic } from './diagnostics.js';
import { hostsWithRole, instancesOf, roleBlockPath } from './resolve.js';
import type { InventorySource, PathSeg } from './source.js';
import type { Inventory, ServiceInstance } from './types.js';

type Rule = (inv: Inventory, src: InventorySource) => Diagnostic[];

const rolesPath = (inv: Inventory, hostIndex: number, role: string): PathSeg[] => [
  'hosts', hostIndex, 'roles', inv.hosts[hostIndex]!.roles.indexOf(role),
];

/** Counts of masters and workers the stack needs. */
const roleCounts: Rule = (inv, src) => {
  const out: Diagnostic[] = [];
  const exactlyOne = (role: string, what: string) => {
    const hosts = hostsWithRole(inv, role);
    if (hosts.length === 0) {
      out.push(src.diagnostic(['hosts'], `no host has the role ${role}; the cluster needs exactly one ${what}`, {
        hint: `add ${role} to the roles of one host`,
      }));
    } else if (hosts.length > 1) {
      for (const h of hosts.slice(1)) {
        out.push(src.diagnostic(rolesPath(inv, h.index, role), `${role} is on ${hosts.length} hosts (${hosts.map((x) => x.name).join(', ')}); exactly one ${what} is supported (no HA yet)`, {
          hint: `keep ${role} on ${hosts[0]!.name} only`,
        }));
      }
    }
  };
  exactlyOne('hdfs-namenode', 'NameNode');
  exactlyOne('yarn-resourcemanager', 'ResourceManager');
  for (const [role, what] of [['hdfs-datanode', 'DataNode'], ['yarn-nodemanager', 'NodeManager'], ['kafka-broker', 'Kafka broker']] as const) {
    if (hostsWithRole(inv, role).length === 0) {
      out.push(src.diagnostic(['hosts'], `no host has the role ${role}; the cluster needs at least one ${what}`, {
        hint: `add ${role} to the roles of at least one host`,
      }));
    }
  }
  const controllers = hostsWithRole(inv, 'kafka-controller');
  if (controllers.length % 2 === 0) {
    const where = controllers.length ? rolesPath(inv, controllers.at(-1)!.index, 'kafka-controller') : ['hosts'];
    out.push(src.diagnostic(where, `${controllers.length} Kafka controllers: the KRaft quorum needs an odd number (1, 3 or 5)`, {
      hint: controllers.length ? 'add or remove one kafka-controller role' : 'add kafka-controller to the roles of one or three hosts',
    }));
  }
  const locals = inv.hosts.filter((h) => h.connection === 'local');
  for (const h of locals.slice(1)) {
    out.push(src.diagnostic(['hosts', h.index, 'connection'], `only one host can be the local machine, but ${locals[0]!.name} is already \`connection: local\``, {
      hint: 'use `connection: ssh` (the default) for the other hosts',
    }));
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
        out.push(src.diagnostic(['hosts', h.index, key], `host ${key} ${h[key]} is used twice (also hosts[${first}])`, {
          hint: key === 'name' ? 'give every host a unique name' : 'list each machine once and put all its roles on that entry',
        }));
      }
    }
  }
  return out;
};

/** Two services on one host must not claim the same port or data dir. */
const hostClashes: Rule = (inv, src) => {
  const out: Diagnostic[] = [];
  for (const host of inv.hosts) {
    const mine = inv.instances.filter((i) => i.host === host);
    const ports = new Map<number, { inst: ServiceInstance; name: string }>();
    const dirs = new Map<string, { inst: ServiceInstance; name: string }>();
    for (const inst of mine) {
      for (const [name, port] of Object.entries(inst.ports)) {
        const other = ports.get(port);
        if (!other) ports.set(port, { inst, name });
        else {
          out.push(src.diagnostic(inst.origin[`port:${name}`]!, `port ${port} on host ${host.name} is claimed by both ${other.inst.def.role} (${other.name}) and ${inst.def.role} (${name})`, {
            hint: `change one of them, e.g. ${formatSetting(inst, 'ports', name)}: ${port + 1}, or move one role to another host`,
          }));
        }
      }
      for (const [name, dir] of Object.entries(inst.dirs)) {
        const other = dirs.get(dir);
        if (!other) dirs.set(dir, { inst, name });
        else {
          out.push(src.diagnostic(inst.origin[`dir:${name}`]!, `data dir ${dir} on host ${host.name} is claimed by both ${other.inst.def.role} (${other.name}) and ${inst.def.role} (${name})`, {
            hint: `give each service its own directory via ${formatSetting(inst, 'dirs', name)}`,
          }));
        }
      }
    }
  }
  return out;
};

function formatSetting(inst: ServiceInstance, kind: 'ports' | 'dirs', name: string): string {
  return [...roleBlockPath(inst.def), kind, name].join('.');
}

/** Replication can't exceed the nodes that hold replicas. */
const replication: Rule = (inv, src) => {
  const out: Diagnostic[] = [];
  const datanodes = hostsWithRole(inv, 'hdfs-datanode').length;
  const brokers = hostsWithRole(inv, 'kafka-broker').length;
  const services = (inv.raw.services ?? {}) as Record<string, { replication?: number; config?: Record<string, Record<string, unknown>> } | undefined>;
  const check = (where: PathSeg[], value: unknown, limit: number, what: string) => {
    const n = Number(value);
    if (value !== undefined && Number.isFinite(n) && n > limit && limit > 0) {
      out.push(src.diagnostic(where, `replication ${n} is more than the ${limit} ${what}${limit === 1 ? '' : 's'} in the inventory`, {
        hint: `use at most ${limit}, or add ${what}s`,
      }));
    }
  };
  check(['services', 'hdfs', 'replication'], services.hdfs?.replication, datanodes, 'DataNode');
  check(['services', 'hdfs', 'config', 'hdfs-site.xml', 'dfs.replication'], services.hdfs?.config?.['hdfs-site.xml']?.['dfs.replication'], datanodes, 'DataNode');
  const kafkaProps = services.kafka?.config?.['server.properties'] ?? {};
  for (const key of ['default.replication.factor', 'offsets.topic.replication.factor', 'transaction.state.log.replication.factor', 'transaction.state.log.min.isr', 'share.coordinator.state.topic.replication.factor', 'min.insync.replicas']) {
    check(['services', 'kafka', 'config', 'server.properties', key], kafkaProps[key], brokers, 'broker');
  }
  inv.topics.forEach((t, i) => check(['topics', i, 'replicationFactor'], t.replicationFactor, brokers, 'broker'));
  return out;
};

/** Names that other entries refer to must be unique and resolvable. */
const references: Rule = (inv, src) => {
  const out: Diagnostic[] = [];
  const dupes = (list: { name?: string; table?: string }[], listName: string, key: 'name' | 'table') => {
    const seen = new Set<string>();
    list.forEach((item, i) => {
      const v = item[key];
      if (v === undefined) return;
      if (seen.has(v)) out.push(src.diagnostic([listName, i, key], `${listName.replace(/s$/, '')} ${v} is declared twice`, { hint: 'remove or rename one of them' }));
      seen.add(v);
    });
  };
  dupes(inv.topics, 'topics', 'name');
  dupes(inv.jobs, 'jobs', 'name');
  dupes(inv.raw.databases ?? [], 'databases', 'name');
  const topics = new Set(inv.topics.map((t) => t.name));
  const baseDir = path.dirname(path.resolve(inv.file));
  inv.jobs.forEach((job, i) => {
    job.topics?.forEach((t, j) => {
      if (!topics.has(t)) {
        out.push(src.diagnostic(['jobs', i, 'topics', j], `job ${job.name} reads topic ${t}, which is not declared under topics:`, {
          hint: topics.size ? `declared topics: ${[...topics].join(', ')}` : `declare it: topics: [{ name: ${t} }]`,
        }));
      }
    });
    if (job.main.endsWith('.jar') && !job.class) {
      out.push(src.diagnostic(['jobs', i], `job ${job.name} runs a jar but names no main class`, { hint: 'add `class: com.example.Main`' }));
    }
    if (!existsSync(path.resolve(baseDir, job.main))) {
      out.push(src.diagnostic(['jobs', i, 'main'], `job ${job.name}: ${job.main} does not exist (relative to ${baseDir})`, {
        hint: 'paths in jobs are relative to the inventory file',
      }));
    }
  });
  out.push(...databaseRules(inv, src));
  const superset = (inv.raw.services?.superset ?? {}) as { metadata?: string };
  if (superset.metadata === 'postgresql' && !hostsWithRole(inv, 'postgresql').length) {
    out.push(src.diagnostic(['services', 'superset', 'metadata'], 'Superset\'s metadata is set to postgresql but no host has the role postgresql', {
      hint: 'add postgresql to one host\'s roles, or set `metadata: sqlite`',
    }));
  }
  (inv.raw.dashboards ?? []).forEach((d, i) => {
    const dir = path.resolve(baseDir, d.template);
    if (!existsSync(path.join(dir, 'dashboards'))) {
      out.push(src.diagnostic(['dashboards', i, 'template'], `dashboard template ${d.template} has no dashboards/ dir (looked in ${dir})`, {
        hint: 'point at an unpacked Superset dashboard export, relative to the inventory file, e.g. ../templates/superset/page-views',
      }));
    }
    if (!hostsWithRole(inv, 'superset').length) {
      out.push(src.diagnostic(['dashboards', i], 'a dashboard is declared but no host has the role superset', { hint: 'add superset to one host\'s roles' }));
    }
  });
  return out;
};

/**
 * databases: and datasets: the one entry without uri is the serving store (role postgresql); a dataset names a
 * declared database or, by default, the serving store; no table is declared twice in one database.
 */
function databaseRules(inv: Inventory, src: InventorySource): Diagnostic[] {
  const out: Diagnostic[] = [];
  const dbs = inv.raw.databases;
  const hasPg = hostsWithRole(inv, 'postgresql').length > 0;
  const servingEntries = (dbs ?? []).flatMap((d, i) => (d.uri ? [] : [i]));
  for (const i of servingEntries.slice(1)) {
    out.push(src.diagnostic(['databases', i], `databases: only one entry may leave out uri (it is the serving store); ${dbs![i]!.name} does too`, { hint: 'give it the uri of the database it names' }));
  }
  (dbs ?? []).forEach((d, i) => {
    if (!d.uri && !hasPg) out.push(src.diagnostic(['databases', i], `database ${d.name} has no uri, so it is the serving store, but no host has the role postgresql`, { hint: 'add postgresql to one host\'s roles, or give the database a uri' }));
    if (!d.uri && d.passwordEnv) out.push(src.diagnostic(['databases', i, 'passwordEnv'], `database ${d.name}: passwordEnv applies to a database with a uri`, { hint: 'the serving store\'s password is generated by pyro; remove passwordEnv' }));
  });
  const serving = dbs ? dbs.find((d) => !d.uri)?.name : hasPg ? 'serving store' : undefined;
  const names = new Set((dbs ?? []).map((d) => d.name));
  const seen = new Set<string>();
  inv.datasets.forEach((d, i) => {
    if (d.database !== undefined && !names.has(d.database)) {
      out.push(src.diagnostic(['datasets', i, 'database'], `dataset ${d.table} names database ${d.database}, which is not declared under databases:`, {
        hint: names.size ? `declared databases: ${[...names].join(', ')}` : `declare it: databases: [{ name: ${d.database}, uri: ... }]`,
      }));
    } else if (d.database === undefined && !serving) {
      out.push(src.diagnostic(['datasets', i], `dataset ${d.table} names no database and there is no serving store`, {
        hint: hasPg || dbs ? 'add `database:` naming one under databases:' : 'add postgresql to one host\'s roles, or declare the database under databases:',
      }));
    }
    const key = `${d.database ?? serving}/${d.schema ?? 'public'}.${d.table}`;
    if (seen.has(key)) out.push(src.diagnostic(['datasets', i, 'table'], `dataset ${d.table} is declared twice for the same database and schema`, { hint: 'remove one of them' }));
    seen.add(key);
  });
  if ((inv.datasets.length || dbs?.length) && !hostsWithRole(inv, 'superset').length) {
    out.push(src.diagnostic([inv.datasets.length ? 'datasets' : 'databases'], `${inv.datasets.length ? 'datasets' : 'databases'} are declared but no host has the role superset`, { hint: 'add superset to one host\'s roles' }));
  }
  return out;
}

/** Settings for a role no host runs are probably a mistake: warn. */
const unusedSettings: Rule = (inv, src) => {
  const out: Diagnostic[] = [];
  const services = (inv.raw.services ?? {}) as Record<string, unknown>;
  for (const comp of Object.keys(services)) {
    const defs = SERVICES.filter((s) => s.component === comp);
    if (!defs.some((d) => instancesOf(inv, d.role).length) && comp !== 'spark') {
      out.push(src.diagnostic(['services', comp], `settings for ${comp}, but no host has ${defs.map((d) => d.role).join(' or ')}`, {
        severity: 'warning', atKey: true, hint: 'remove them or add the role to a host',
      }));
    }
  }
  return out;
};

const RULES: Rule[] = [roleCounts, uniqueHosts, hostClashes, replication, references, unusedSettings];

/** Semantic rules that run after the schema: returns errors and warnings together. */
export function checkRules(inv: Inventory, src: InventorySource): Diagnostic[] {
  return RULES.flatMap((rule) => rule(inv, src));
}
