import { Type, type Static } from '@sinclair/typebox';
import { closed, kv, memory, name, stringEnum } from '../../inventory/schema-parts.js';
import type { Inventory } from '../../inventory/types.js';
import { DURATION_PATTERN } from '../../util/duration.js';

const Job = Type.Object(
  {
    name: name('job name, also its YARN application name'),
    main: Type.String({ pattern: '\\.(py|jar)$', description: 'a .py file or a .jar, relative to the inventory', 'x-hint': 'point at a .py file or a .jar' }),
    class: Type.Optional(Type.String({ minLength: 1, description: 'main class, for a jar' })),
    args: Type.Optional(Type.Array(Type.String())),
    topics: Type.Optional(Type.Array(Type.String({ minLength: 1 }), { description: 'topics the job reads' })),
    sparkConf: Type.Optional(kv('extra --conf key=value pairs')),
    resources: Type.Optional(
      Type.Object(
        {
          driverMemory: Type.Optional(memory('e.g. 512m')),
          executorMemory: Type.Optional(memory('e.g. 1g')),
          executors: Type.Optional(Type.Integer({ minimum: 1 })),
          executorCores: Type.Optional(Type.Integer({ minimum: 1 })),
        },
        closed,
      ),
    ),
    trigger: Type.Optional(
      Type.String({
        pattern: DURATION_PATTERN,
        description: 'time between micro-batches (default 2 seconds; 0: each starts when the last ends)',
        'x-hint': 'a duration such as "1 second" or "500 ms"',
      }),
    ),
    checkpoint: Type.Optional(Type.String({ pattern: '^/', description: 'HDFS dir (default /pyro/checkpoints/<name>)', 'x-hint': 'an absolute HDFS path' })),
    enabled: Type.Optional(Type.Boolean({ description: 'pyro up submits it unless false' })),
    kind: Type.Optional(
      stringEnum(['streaming', 'batch'], 'streaming (default): pyro up keeps it running; batch: runs to its end when `pyro submit-job NAME` asks'),
    ),
  },
  closed,
);

/** Top-level sections Spark owns. */
export const SPARK_SECTIONS = { jobs: Type.Array(Job, { description: 'Spark jobs pyro submits to YARN' }) };

export type JobEntry = Static<typeof Job>;

/** The `jobs:` section as written (validated). */
export function jobsOf(inv: Inventory): JobEntry[] {
  return (inv.sections.jobs as JobEntry[] | undefined) ?? [];
}

/** The streaming jobs: those pyro up keeps running and status reports. */
export function streamingJobsOf(inv: Inventory): JobEntry[] {
  return jobsOf(inv).filter((j) => j.kind !== 'batch');
}
