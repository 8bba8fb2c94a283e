import { strict as assert } from 'node:assert';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Inventory, ServiceInstance } from '../../src/inventory/types.js';
import { desiredFor, type Desired } from '../../src/phases/desired.js';
import { nodeKey } from '../../src/services/kafka/endpoints.js';
import { loadInventory } from '../../src/services/catalog.js';
import type { HostResources } from '../../src/services/runtime.js';
import type { ClusterIds } from '../../src/state/cluster-state.js';

// What the services' render tests share: inventories loaded the way the CLI loads them, and readers for what
// an instance renders (properties, Hadoop XML, run.sh).

/** Writes an inventory's YAML to a new temp dir and loads it through the CLI's loader (schema, defaults, rules). */
export async function inventoryFromYaml(yaml: string, dir = mkdtempSync(path.join(os.tmpdir(), 'pyro-inv-'))): Promise<Inventory> {
  const file = path.join(dir, 'inventory.yaml');
  writeFileSync(file, yaml);
  return (await loadInventory(file)).inventory;
}

/** The instance of `role` on host `host`. */
export function instanceOf(inv: Inventory, host: string, role: string): ServiceInstance {
  const i = inv.instances.find((x) => x.host.name === host && x.def.role === role);
  assert.ok(i, `${role} on ${host}`);
  return i;
}

/** Cluster ids as the cluster state would hand them out: Kafka node ids 1, 2, ... in inventory order. */
export function idsFor(inv: Inventory): ClusterIds {
  const kafka = inv.instances.filter((i) => i.def.component === 'kafka');
  return { hdfsClusterId: 'CID-test', kafkaClusterId: 'kafka-test', kafkaNodeIds: Object.fromEntries(kafka.map((k, n) => [nodeKey(k), n + 1])) };
}

/** Renders `role` on `host` as `pyro up` does (files, run.sh, format). */
export function renderOn(
  inv: Inventory,
  host: string,
  role: string,
  opts: { resources?: HostResources; secrets?: Record<string, string>; builds?: Record<string, string> } = {},
): Desired {
  return desiredFor(inv, instanceOf(inv, host, role), idsFor(inv), opts.resources, opts.builds ?? {}, opts.secrets ?? {});
}

/** `key=value` lines of a rendered .properties file. */
export function props(text: string): Map<string, string> {
  const m = new Map<string, string>();
  for (const l of text.split('\n')) {
    const i = l.indexOf('=');
    if (i > 0 && !l.startsWith('#')) m.set(l.slice(0, i), l.slice(i + 1));
  }
  return m;
}

/** A rendered .properties file as java.util.Properties reads the lines pyro writes (escapes undone). */
export function javaProps(text: string): Map<string, string> {
  const unescape = (s: string) =>
    s.replace(/\\(u[0-9a-fA-F]{4}|.)/g, (_, c: string) =>
      c.length === 5 ? String.fromCharCode(parseInt(c.slice(1), 16)) : (({ t: '\t', n: '\n', r: '\r', f: '\f' } as Record<string, string>)[c] ?? c),
    );
  const m = new Map<string, string>();
  for (const l of text.split('\n')) {
    if (!l || l.startsWith('#') || l.startsWith('!')) continue;
    // The separator is the first `=` no backslash escapes.
    const sep = /^((?:[^\\=]|\\.)*)=(.*)$/.exec(l);
    assert.ok(sep, `not a key=value line: ${l}`);
    m.set(unescape(sep[1]!), unescape(sep[2]!));
  }
  return m;
}

/** name -> value of a rendered Hadoop site file (renderHadoopXml's layout; values unescaped). */
export function hadoopXml(text: string): Map<string, string> {
  const unescape = (s: string) =>
    s
      .replace(/&lt;/g, '<')
      .replace(/&gt;/g, '>')
      .replace(/&quot;/g, '"')
      .replace(/&apos;/g, "'")
      .replace(/&amp;/g, '&');
  const m = new Map<string, string>();
  for (const p of text.matchAll(/<property>\s*<name>([^<]*)<\/name>\s*<value>([^<]*)<\/value>\s*<\/property>/g)) m.set(unescape(p[1]!), unescape(p[2]!));
  return m;
}

/** `key = value` lines of a rendered postgresql.conf, string values unquoted. */
export function pgConf(text: string): Map<string, string> {
  const m = new Map<string, string>();
  for (const l of text.split('\n')) {
    const x = /^([a-z_.]+) = (.*)$/.exec(l);
    if (x) m.set(x[1]!, x[2]!.replace(/^'(.*)'$/, '$1').replace(/''/g, "'"));
  }
  return m;
}

/** The words of run.sh's exec line (argv as shJoin writes it, quotes dropped). */
export function execArgv(run: string): string[] {
  const line = run.split('\n').find((l) => l.startsWith('exec '));
  assert.ok(line, run);
  return line
    .slice(5)
    .split(' ')
    .map((w) => w.replace(/^'(.*)'$/, '$1'));
}
