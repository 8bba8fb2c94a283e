import { shellQuote as q } from '../../hosts/host.js';
import { runOnHosts, valuesOrThrow } from '../../hosts/parallel.js';
import { desiredFor, managedInstances } from '../../phases/desired.js';
import { openSession } from '../../phases/open.js';
import { didYouMean } from '../../util/did-you-mean.js';
import { InputError } from '../../util/errors.js';
import { loadInventory } from '../../services/catalog.js';
import type { RunContext } from '../context.js';

export interface LogsOptions {
  inventory: string;
  host?: string;
  lines?: number;
  follow?: boolean;
  /** The process's stdout/stderr file instead of its log. */
  out?: boolean;
}

/** `pyro logs SERVICE`: the last lines of a service's log on each of its hosts; -f follows them until Ctrl-C. */
export async function logsCommand(role: string, o: LogsOptions, ctx: RunContext): Promise<void> {
  const { inventory: inv } = await loadInventory(o.inventory);
  const managed = managedInstances(inv);
  const roles = [...new Set(managed.map((i) => i.def.role))];
  if (!roles.includes(role)) {
    const dym = didYouMean(role, roles);
    throw new InputError('UNKNOWN_SERVICE', `no service ${role} in ${inv.file}`, { hint: dym ? `did you mean ${dym}?` : `services: ${roles.join(', ')}` });
  }
  const targets = managed.filter((i) => i.def.role === role && (!o.host || i.host.name === o.host));
  if (!targets.length) {
    const on = managed.filter((i) => i.def.role === role).map((i) => i.host.name);
    throw new InputError('UNKNOWN_HOST', `${role} does not run on ${o.host}`, { hint: `it runs on ${on.join(', ')}` });
  }
  const names = new Set(targets.map((t) => t.host.name));
  const s = await openSession({
    inventory: o.inventory,
    command: 'pyro logs',
    out: ctx.out,
    signal: ctx.signal,
    quiet: true,
    hostFilter: (h) => names.has(h.name),
  });
  try {
    const prefix = targets.length > 1;
    const n = o.lines ?? 50;
    const results = await runOnHosts(
      targets.map((inst) => ({ name: inst.host.name, d: desiredFor(s.inv, inst, s.ids, undefined, {}, s.secrets) })),
      async ({ name, d }) => {
        const file = o.out ? d.logFiles[1]! : d.logFiles[0]!;
        let partial = '';
        const emit = (chunk: Buffer) => {
          const text = partial + chunk.toString('utf8');
          const lines = text.split('\n');
          partial = lines.pop() ?? '';
          for (const l of lines) ctx.out.info(prefix ? `${ctx.out.color.cyan(`[${name}]`)} ${l}` : l);
        };
        const cmd = `[ -f ${q(file)} ] || { echo "no log yet: ${file}" >&2; exit 3; }; exec tail -n ${n} ${o.follow ? '-F ' : ''}${q(file)}`;
        const r = await s.hosts
          .get(name)!
          .exec(cmd, { onStdout: emit, signal: ctx.signal })
          .catch((e: Error & { code?: string }) => {
            if (e.code === 'EXEC_ABORTED') return { exitCode: 0, stdout: '', stderr: '' };
            throw e;
          });
        if (partial) emit(Buffer.from('\n'));
        if (r.exitCode === 3) throw new InputError('NO_LOG', r.stderr.trim(), { hint: `has ${role} been started on ${name}? \`pyro up\`` });
      },
      { signal: ctx.signal },
    );
    valuesOrThrow(results, 'reading logs');
  } finally {
    await s.close();
  }
}
