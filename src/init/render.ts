import { Document, isMap, isSeq } from 'yaml';
import { schemaComment } from '../inventory/schema-file.js';
import type { ComponentSpec } from '../inventory/types.js';
import type { Layout } from './layout.js';

export interface InventoryDraft {
  cluster: string;
  layout: Layout;
  user?: string;
  identity?: string;
  port?: number;
  jump?: string;
  installDir?: string;
  dataDir?: string;
}

/** Renders a draft as inventory YAML, with the editor schema line for where it will be written. */
export function renderInventory(draft: InventoryDraft, components: readonly ComponentSpec[], outputFile: string): string {
  const count = (role: string) => draft.layout.hosts.filter((h) => h.roles.includes(role)).length;
  const drafts = components.map((c) => ({ name: c.name, ...c.initDraft?.(count) }));
  const ssh = Object.fromEntries(
    Object.entries({ user: draft.user, port: draft.port, identity: draft.identity, jump: draft.jump }).filter(([, v]) => v !== undefined),
  );
  const onlyLocal = draft.layout.hosts.every((h) => h.connection === 'local');
  const data = {
    cluster: { name: draft.cluster },
    defaults: {
      ...(Object.keys(ssh).length && !onlyLocal ? { ssh } : {}),
      installDir: draft.installDir ?? '/opt/pyro',
      dataDir: draft.dataDir ?? '/var/lib/pyro',
    },
    hosts: draft.layout.hosts.map((h) => ({
      name: h.name,
      address: h.address,
      ...(h.connection ? { connection: h.connection } : {}),
      roles: h.roles,
    })),
    services: Object.fromEntries(drafts.filter((d) => d.settings).map((d) => [d.name, d.settings])),
    ...Object.assign({}, ...drafts.map((d) => d.sections ?? {})),
  };
  const doc = new Document(data);
  // Role lists read best on one line each.
  const hosts = doc.get('hosts');
  if (isSeq(hosts)) {
    for (const h of hosts.items) {
      const roles: unknown = isMap(h) ? h.get('roles', true) : undefined;
      if (isSeq(roles)) roles.flow = true;
    }
  }
  doc.commentBefore = [
    // yaml prefixes each comment line with '#' and no space.
    schemaComment(outputFile).replace(/^#/, ''),
    ` Written by \`pyro init\`. Check it with \`pyro validate -i ${outputFile}\`, then \`pyro check -i ${outputFile}\`.`,
  ].join('\n');
  return doc.toString({ lineWidth: 0 });
}
