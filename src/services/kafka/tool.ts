import { shellQuote as q } from '../../hosts/host.js';
import type { ServiceInstance } from '../../inventory/types.js';
import { HostError } from '../../util/errors.js';
import { endpoint, type DrainContext } from '../runtime.js';
import { bootstrapServers } from './endpoints.js';

export const KAFKA_HINT =
  '`pyro status` shows the brokers and partitions, `pyro logs kafka-broker` their logs; run the same command again once they are healthy';

/** What running Kafka's own tools on a broker host needs. */
export type ToolContext = Pick<DrainContext, 'inv' | 'exec' | 'toolEnv' | 'log' | 'signal' | 'timeoutSec'>;

export interface ToolOptions {
  /** Written on the host first (a reassignment plan). */
  file?: { path: string; content: string };
  /**
   * Where `--bootstrap-server` goes: last by default (ClusterTool takes it only after its subcommand), first for
   * tools whose subcommands reject it (FeatureCommand).
   */
  bootstrapFirst?: boolean;
  /** Reach the quorum itself (`--bootstrap-controller`, first) rather than the brokers: these controllers. */
  controllers?: readonly ServiceInstance[];
}

/** Runs one of Kafka's tools on a broker's host (its own distribution there); fails with its output. */
export async function tool(ctx: ToolContext, on: ServiceInstance, main: string, args: string[], opts: ToolOptions = {}): Promise<string> {
  const env = ctx.toolEnv(on, 'kafka');
  const lines = ['set -e'];
  if (opts.file) lines.push(`cat > ${q(opts.file.path)} <<'PYRO_EOF'\n${opts.file.content}\nPYRO_EOF`);
  const bootstrap = opts.controllers
    ? ['--bootstrap-controller', opts.controllers.map((c) => endpoint(c, 'controller')).join(',')]
    : ['--bootstrap-server', bootstrapServers(ctx.inv).join(',')];
  const argv = opts.bootstrapFirst || opts.controllers ? [...bootstrap, ...args] : [...args, ...bootstrap];
  lines.push(`${q(env.java)} -Xmx256m -cp ${q(`${env.root}/libs/*`)} ${main} ${argv.map(q).join(' ')} 2>&1`);
  const r = await ctx.exec(on, lines.join('\n'), 120);
  if (r.exitCode !== 0)
    throw new HostError(
      'KAFKA_TOOL_FAILED',
      on.host.name,
      `${main.split('.').pop()} ${args.slice(0, 2).join(' ')} on ${on.host.name}: ${(r.stdout + r.stderr).trim().slice(-600)}`,
      {
        hint: KAFKA_HINT,
      },
    );
  return r.stdout;
}
