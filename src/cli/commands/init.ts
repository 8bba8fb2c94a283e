import { existsSync } from 'node:fs';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { formatDiagnostic, InventoryError } from '../../inventory/diagnostics.js';
import { loadInventory } from '../../services/catalog.js';
import { parseHostList, proposeLayout, type InitHost, type Layout } from '../../init/layout.js';
import { renderInventory, type InventoryDraft } from '../../init/render.js';
import { COMPONENT_SPECS, ROLE_NAMES } from '../../services/catalog.js';
import { renderTable } from '../../ui/table.js';
import type { Prompts } from '../../ui/prompts.js';
import { writeFileAtomic } from '../../util/atomic-write.js';
import { InputError } from '../../util/errors.js';
import type { RunContext } from '../context.js';

export interface InitOptions {
  output?: string;
  name?: string;
  hosts?: string;
  user?: string;
  identity?: string;
  port?: number;
  jump?: string;
  /** One host: the machine pyro runs on (`connection: local`). */
  local?: boolean;
  /** Accept proposals and defaults without asking. */
  yes?: boolean;
  force?: boolean;
  dryRun?: boolean;
}

const NAME_RE = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;

function defaultIdentity(): string | undefined {
  for (const k of ['id_ed25519', 'id_ecdsa', 'id_rsa']) {
    const p = path.join(os.homedir(), '.ssh', k);
    if (existsSync(p)) return `~/.ssh/${k}`;
  }
  return undefined;
}

function checkHosts(hosts: InitHost[]): true | string {
  if (!hosts.length) return 'give at least one host';
  for (const h of hosts) if (!NAME_RE.test(h.name)) return `host name "${h.name}" must be lowercase letters, digits and dashes`;
  return true;
}

/** `pyro init`: writes a valid inventory, asking on a terminal or taking flags. */
export async function initCommand(opts: InitOptions, ctx: RunContext, prompts: () => Promise<Prompts>): Promise<void> {
  const ask = ctx.interactive && !opts.yes;
  const p = ask ? await prompts() : undefined;
  const missing = (flag: string, what: string): never => {
    throw new InputError('INIT_MISSING_FLAG', `missing ${flag}: ${what}, and there is no terminal to ask on`, {
      hint: `pass ${flag}, e.g. pyro init --yes ${flag === '--hosts' ? '--hosts node1=10.0.0.11,node2=10.0.0.12' : `${flag} VALUE`} (or --local for this machine alone)`,
    });
  };

  if (opts.name !== undefined && !NAME_RE.test(opts.name)) {
    throw new InputError('INIT_BAD_NAME', `cluster name "${opts.name}" is not valid`, { hint: 'use lowercase letters, digits and dashes, e.g. analytics' });
  }
  const name =
    opts.name ??
    (p
      ? await p.text('Cluster name', {
          default: opts.local ? 'local' : 'analytics',
          validate: (v) => NAME_RE.test(v) || 'lowercase letters, digits and dashes',
        })
      : opts.local
        ? 'local'
        : 'analytics');
  const output = opts.output ?? path.join('inventories', `${name}.yaml`);
  if (!opts.dryRun && existsSync(output) && !opts.force) {
    throw new InputError('INIT_EXISTS', `${output} already exists; not overwriting it`, { hint: 'pass --force to replace it, or -o to write elsewhere' });
  }

  let hosts: InitHost[];
  if (opts.local) hosts = [{ name: 'local', address: '127.0.0.1', connection: 'local' }];
  else if (opts.hosts !== undefined) hosts = parseHostList(opts.hosts);
  else if (p) hosts = parseHostList(await p.text('Hosts (name=address or addresses, comma separated)', { validate: (v) => checkHosts(parseHostList(v)) }));
  else return missing('--hosts', 'the hosts to manage');
  const bad = checkHosts(hosts);
  if (bad !== true) throw new InputError('INIT_BAD_HOSTS', `--hosts: ${bad}`, { hint: 'write --hosts node1=10.0.0.11,node2=10.0.0.12' });

  const remote = !opts.local;
  const user = opts.user ?? (remote && p ? await p.text('SSH user', { default: os.userInfo().username }) : remote ? os.userInfo().username : undefined);
  const identity =
    opts.identity ??
    (remote && p
      ? (await p.text('SSH private key (empty: use ssh-agent)', { default: defaultIdentity() ?? '' })) || undefined
      : remote
        ? defaultIdentity()
        : undefined);

  let layout = proposeLayout(hosts, COMPONENT_SPECS);
  const draft = (l: Layout): InventoryDraft => ({ cluster: name, layout: l, user, identity, port: opts.port, jump: opts.jump });
  for (;;) {
    if (p) {
      ctx.out.info(
        renderTable(
          ['host', 'address', 'roles'],
          layout.hosts.map((h) => [h.name, h.address, h.roles.join(', ')]),
          ctx.out.isTTY,
        ),
      );
      const choice = await p.choose('Use this role layout?', [
        { value: 'accept', name: 'Accept' },
        { value: 'edit', name: 'Edit the roles of each host' },
      ]);
      if (choice === 'edit') {
        const edited: Layout = { hosts: [] };
        for (const h of layout.hosts) {
          const roles = await p.pick(
            `Roles of ${h.name} (${h.address})`,
            ROLE_NAMES.map((r) => ({ value: r, checked: h.roles.includes(r) })),
          );
          edited.hosts.push({ ...h, roles });
        }
        layout = edited;
      }
    }
    const text = renderInventory(draft(layout), COMPONENT_SPECS, output);
    const problems = await checkDraft(text, output);
    if (!problems) {
      await emit(text, output, opts, ctx);
      return;
    }
    if (!p) throw problems;
    ctx.out.warn('that layout is not valid:');
    for (const d of problems.diagnostics) ctx.out.info(`  ${formatDiagnostic(d).replace(/^[^ ]+ /, '')}`);
  }
}

/** Validates rendered text through the same loader every verb uses. */
async function checkDraft(text: string, output: string): Promise<InventoryError | undefined> {
  const dir = path.dirname(path.resolve(output));
  await mkdir(dir, { recursive: true });
  const tmp = path.join(dir, `.${path.basename(output)}.${process.pid}.check`);
  try {
    await writeFile(tmp, text);
    await loadInventory(tmp);
    return undefined;
  } catch (err) {
    if (err instanceof InventoryError) return err;
    throw err;
  } finally {
    await rm(tmp, { force: true });
  }
}

async function emit(text: string, output: string, opts: InitOptions, ctx: RunContext): Promise<void> {
  if (opts.dryRun) {
    ctx.out.info(text.trimEnd());
    return;
  }
  await writeFileAtomic(output, text, { mode: 0o644 });
  ctx.out.info(`wrote ${output}`);
  ctx.out.info(`next: pyro check -i ${output} --trust-new-hosts   (verify the host key fingerprints it prints)`);
}
