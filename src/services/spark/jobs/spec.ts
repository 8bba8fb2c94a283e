import path from 'node:path';
import type { Inventory } from '../../../inventory/types.js';
import { parseDuration } from '../../../util/duration.js';
import { InputError } from '../../../util/errors.js';
import { jobsOf } from '../sections.js';

/** A job to run on YARN, from the inventory's `jobs:` or given on the command line. */
export interface JobSpec {
  name: string;
  /** streaming: runs until stopped; batch: runs to its end, and pyro waits for it. */
  kind: 'streaming' | 'batch';
  /** Absolute path of the .py or .jar. */
  main: string;
  mainClass?: string;
  args: string[];
  sparkConf: Record<string, string>;
  resources: { driverMemory: string; executorMemory: string; executors: number; executorCores: number };
  topics: string[];
  /** Milliseconds between micro-batches (spark.pyro.trigger). */
  triggerMs: number;
}

const DEFAULT_TRIGGER_MS = 2000;
const DEFAULTS = { driverMemory: '512m', executorMemory: '512m', executors: 1, executorCores: 1 };

export function jobFromInventory(inv: Inventory, name: string): JobSpec {
  const jobs = jobsOf(inv);
  const job = jobs.find((j) => j.name === name);
  if (!job) {
    throw new InputError('UNKNOWN_JOB', `no job ${name} in ${inv.file}`, {
      hint: jobs.length ? `jobs: ${jobs.map((j) => j.name).join(', ')}; or give a file: pyro submit-job FILE.py --name ${name}` : 'declare it under jobs:, or give a file: pyro submit-job FILE.py --name NAME',
    });
  }
  return {
    name: job.name,
    kind: job.kind ?? 'streaming',
    main: path.resolve(path.dirname(path.resolve(inv.file)), job.main),
    mainClass: job.class,
    args: job.args ?? [],
    sparkConf: Object.fromEntries(Object.entries(job.sparkConf ?? {}).map(([k, v]) => [k, String(v)])),
    resources: { ...DEFAULTS, ...(job.resources ?? {}) },
    topics: job.topics ?? [],
    triggerMs: job.trigger === undefined ? DEFAULT_TRIGGER_MS : parseDuration(job.trigger)!,
  };
}

/** An ad hoc job: a file given on the command line. */
export function adHocJob(file: string, opts: { name?: string; mainClass?: string; args?: string[]; topics?: string[]; batch?: boolean }): JobSpec {
  const main = path.resolve(file);
  if (!/\.(py|jar)$/.test(main)) throw new InputError('BAD_JOB_FILE', `${file}: a job is a .py file or a .jar`);
  if (main.endsWith('.jar') && !opts.mainClass) throw new InputError('BAD_JOB_FILE', `${file}: a jar needs its main class`, { hint: 'add --class com.example.Main' });
  return {
    name: opts.name ?? path.basename(main).replace(/\.(py|jar)$/, '').replace(/[^a-zA-Z0-9-]/g, '-'),
    kind: opts.batch ? 'batch' : 'streaming',
    main, mainClass: opts.mainClass, args: opts.args ?? [], sparkConf: {}, resources: { ...DEFAULTS }, topics: opts.topics ?? [], triggerMs: DEFAULT_TRIGGER_MS,
  };
}
