import { Command, InvalidArgumentError, Option } from 'commander';
import { defaultInventoryPath } from '../inventory/load.js';
import { makeContext, type RunContext } from './context.js';
import type { InitOptions } from './commands/init.js';
import type { ProduceCommandOptions } from './commands/produce.js';

// Commands are imported lazily so `pyro --help` stays fast and one verb's dependencies don't load for another.

const examples = (lines: string[]) => `\nExamples:\n${lines.map((l) => `  $ ${l}`).join('\n')}\n`;

function int(name: string) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError(`${name} must be a positive integer`);
    return n;
  };
}

const inventoryOption = () =>
  new Option('-i, --inventory <file>', 'inventory file (env: PYRO_INVENTORY)').default(defaultInventoryPath(), defaultInventoryPath());

export type Runner = (fn: (ctx: RunContext) => Promise<void>, opts?: { json?: boolean }) => Promise<void>;

/** Builds the CLI. `run` executes a verb with a context; the entry point decides exit codes. */
export function buildProgram(run: Runner): Command {
  const program = new Command('pyro')
    .description('Run a real-time analytics stack (HDFS, YARN, Kafka, Spark, NiFi/Flume, Superset) on your own hosts over SSH.')
    .version(process.env.npm_package_version ?? '0.1.0')
    .showHelpAfterError('(add --help for usage)')
    // Set before the subcommands are added: they copy it, so usage errors throw instead of exiting.
    .exitOverride()
    .addHelpText(
      'after',
      `${examples([
        'pyro init --yes --hosts node1=10.0.0.11,node2=10.0.0.12,node3=10.0.0.13 --user pyro -o inventories/prod.yaml',
        'pyro validate -i inventories/prod.yaml',
        'pyro check -i inventories/prod.yaml --trust-new-hosts',
        'pyro up -i inventories/prod.yaml --dry-run',
        'pyro up -i inventories/prod.yaml && pyro status -i inventories/prod.yaml',
      ])}
Exit codes: 0 ok, 1 a failure on a host or service, 2 invalid input (inventory, flags), 130 interrupted.
Environment: PYRO_INVENTORY (default inventory), PYRO_STATE_DIR (state, known hosts), NO_COLOR.`,
    );

  program
    .command('validate')
    .description('check an inventory (schema and rules) without contacting any host')
    .addOption(inventoryOption())
    .option('--json', 'print the result as JSON')
    .addHelpText('after', examples(['pyro validate', 'pyro validate -i inventories/three-hosts.yaml --json']))
    .action(async (o: { inventory: string; json?: boolean }) => {
      const { validateCommand } = await import('./commands/validate.js');
      await run((ctx) => validateCommand(o, ctx), o);
    });

  program
    .command('init')
    .description('write a new inventory: asks on a terminal, or takes flags')
    .option('-o, --output <file>', 'where to write it (default inventories/<name>.yaml)')
    .option('--name <cluster>', 'cluster name')
    .option('--hosts <list>', 'hosts as name=address or addresses, comma separated')
    .option('--local', 'a single host: the machine pyro runs on')
    .option('--user <user>', 'SSH user (default: you)')
    .option('--identity <file>', 'SSH private key (default: ~/.ssh/id_ed25519 if present, else ssh-agent)')
    .option('--port <port>', 'SSH port', int('--port'))
    .option('--jump <[user@]host[:port]>', 'bastion to reach the hosts through')
    .option('-y, --yes', 'accept the proposed layout and defaults without asking')
    .option('--force', 'overwrite an existing file')
    .option('--dry-run', 'print the inventory instead of writing it')
    .addHelpText(
      'after',
      examples([
        'pyro init',
        'pyro init --yes --hosts 10.0.0.11,10.0.0.12,10.0.0.13 --user pyro --identity ~/.ssh/id_ed25519 -o inventories/prod.yaml',
        'pyro init --yes --local --dry-run',
      ]),
    )
    .action(async (o: InitOptions) => {
      const { initCommand } = await import('./commands/init.js');
      const { inquirerPrompts } = await import('../ui/prompts.js');
      await run((ctx) => initCommand(o, ctx, async () => inquirerPrompts()));
    });

  program
    .command('check')
    .description('preflight every host in parallel: SSH, OS, Java, Python, disk, memory, ports, clock')
    .addOption(inventoryOption())
    .option('--json', 'print the results as JSON')
    .option('--trust-new-hosts', 'accept and remember host keys seen for the first time (verify the fingerprints printed)')
    .option('--concurrency <n>', 'hosts checked at once', int('--concurrency'), 16)
    .addHelpText(
      'after',
      examples(['pyro check', 'pyro check -i inventories/prod.yaml --trust-new-hosts', 'pyro check -i inventories/prod.yaml --json | jq ".ok"']),
    )
    .action(async (o: { inventory: string; json?: boolean; trustNewHosts?: boolean; concurrency?: number }) => {
      const { checkCommand } = await import('./commands/check.js');
      await run((ctx) => checkCommand(o, ctx), o);
    });

  program
    .command('fetch')
    .description('get every distribution the inventory needs into the local cache (from local files, release URLs, or Maven/PyPI)')
    .addOption(inventoryOption())
    .option('--all', 'every distribution pyro knows, not only those the inventory uses')
    .option('--prepare', 'first install what assembling needs here (a JDK, Maven, pip) from the OS packages')
    .option('--json', 'print the result as JSON')
    .addHelpText(
      'after',
      examples([
        'pyro fetch',
        'pyro fetch --all',
        'pyro fetch --prepare   # on a fresh machine: JDK and Maven first',
        'PYRO_CACHE_DIR=/srv/pyro-cache pyro fetch -i inventories/prod.yaml --json',
      ]),
    )
    .action(async (o: { inventory: string; all?: boolean; json?: boolean; prepare?: boolean }) => {
      const { fetchCommand } = await import('./commands/fetch.js');
      await run(async (ctx) => {
        await fetchCommand(o, ctx);
      }, o);
    });

  program
    .command('push')
    .description("put each host's distributions in place: versioned dirs and a `current` link, skipping what is already there")
    .addOption(inventoryOption())
    .option('--dry-run', 'show per host what would be pushed, change nothing')
    .option('--bundle <file>', 'use a bundle from `pyro bundle` instead of any network')
    .option('--concurrency <n>', 'hosts pushed to at once', int('--concurrency'), 8)
    .option('--json', 'print the result as JSON')
    .addHelpText(
      'after',
      examples(['pyro push --dry-run', 'pyro push -i inventories/prod.yaml', 'pyro push -i inventories/prod.yaml --bundle pyro-bundle.tar']),
    )
    .action(async (o: { inventory: string; dryRun?: boolean; bundle?: string; concurrency?: number; json?: boolean }) => {
      const { pushCommand } = await import('./commands/push.js');
      await run((ctx) => pushCommand(o, ctx), o);
    });

  program
    .command('bundle')
    .description('write one archive with every distribution the inventory needs, for an air-gapped network')
    .addOption(inventoryOption())
    .requiredOption('-o, --output <file>', 'the bundle to write')
    .option('--all', 'every distribution pyro knows')
    .addHelpText('after', examples(['pyro bundle -i inventories/prod.yaml -o pyro-bundle.tar', 'pyro cache import pyro-bundle.tar   # on the air-gapped side']))
    .action(async (o: { inventory: string; output: string; all?: boolean }) => {
      const { bundleCommand } = await import('./commands/bundle.js');
      await run((ctx) => bundleCommand(o, ctx));
    });

  program
    .command('up')
    .description(
      'bring the cluster to the inventory: push distributions, write changed configs, start or restart tiers in order with health gates, create topics',
    )
    .addOption(inventoryOption())
    .option('--dry-run', 'print per host exactly what would change (from the same plan), change nothing')
    .option('--timeout <seconds>', 'how long a service may take to become ready and a tier to pass its gate', int('--timeout'), 180)
    .option('--trust-new-hosts', 'accept and remember host keys seen for the first time')
    .option('--status', 'print `pyro status` at the end')
    .option(
      '--prepare',
      'first install what the hosts and this machine lack (Java, Python venv, PostgreSQL server, a JDK and Maven here) with their package managers',
    )
    .option(
      '--decommission',
      "hosts or roles removed from the inventory are drained first (DataNodes decommissioned, NodeManagers drained, brokers' partitions moved), then stopped; without it, removing them is refused",
    )
    .option('--drain-timeout <seconds>', 'how long draining may take before the run stops (run it again to keep waiting)', int('--drain-timeout'), 3600)
    .option(
      '--no-finalize',
      "after a Kafka upgrade, keep the cluster's feature levels (metadata.version) where they were, so the previous version can still come back; `pyro kafka finalize` raises them later",
    )
    .option('--json', 'print the result (changes, tiers, timings) as JSON')
    .addHelpText(
      'after',
      examples([
        'pyro up --dry-run',
        'pyro up',
        'pyro up --decommission --dry-run   # after removing a host from the inventory: what would be drained',
        'pyro up --no-finalize     # after raising artifacts.versions.kafka: roll to it, keep a way back',
        'pyro up --prepare          # fresh hosts: install Java, Python venv, PostgreSQL first (apt or dnf)',
        'pyro up -i inventories/prod.yaml --timeout 600 --json | jq .changes',
      ]) + '\nA second `pyro up` with nothing changed changes nothing. Restarts only what changed; Kafka rolls one broker at a time.\n',
    )
    .action(
      async (o: {
        inventory: string;
        dryRun?: boolean;
        timeout?: number;
        trustNewHosts?: boolean;
        status?: boolean;
        json?: boolean;
        prepare?: boolean;
        decommission?: boolean;
        drainTimeout?: number;
        finalize: boolean;
      }) => {
        const { upCommand } = await import('./commands/up.js');
        await run((ctx) => upCommand(o, ctx), o);
      },
    );

  program
    .command('restart')
    .description(
      'restart services even when nothing changed (and apply what did, as up does): each tier in order behind its gates; Kafka one instance at a time; --rolling: every named role one instance at a time, each behind its data-aware gate',
    )
    .argument('[service...]', 'roles (kafka-broker) or services (kafka, hdfs); none: every role')
    .addOption(inventoryOption())
    .option('--rolling', 'one instance at a time, each followed by the gate (DataNodes: no under-replicated block; brokers: ISR full)')
    .option('--dry-run', 'print what would be restarted, change nothing')
    .option('--timeout <seconds>', 'how long a service may take to become ready and a tier to pass its gate', int('--timeout'), 180)
    .option('--json', 'print the result (changes, tiers, timings) as JSON')
    .addHelpText(
      'after',
      examples(['pyro restart kafka-broker', 'pyro restart hdfs --rolling', 'pyro restart --rolling --dry-run']) +
        '\nA NameNode or ResourceManager restart is a short outage of HDFS or YARN: announced before it begins.\n',
    )
    .action(async (targets: string[], o: { inventory: string; rolling?: boolean; dryRun?: boolean; timeout?: number; json?: boolean }) => {
      const { restartCommand } = await import('./commands/restart.js');
      await run((ctx) => restartCommand(targets, o, ctx), o);
    });

  program
    .command('down')
    .description("stop the cluster's services in reverse tier order (or only the named ones); data dirs are kept")
    .argument('[service...]', 'roles to stop, e.g. kafka-broker')
    .addOption(inventoryOption())
    .option('--json', 'print what was stopped as JSON')
    .addHelpText('after', examples(['pyro down', 'pyro down kafka-broker', 'pyro down -i inventories/prod.yaml']))
    .action(async (roles: string[], o: { inventory: string; json?: boolean }) => {
      const { downCommand } = await import('./commands/down.js');
      await run((ctx) => downCommand(roles, o, ctx), o);
    });

  program
    .command('status')
    .description("every service instance (state, pid, uptime, ports, version, probe) and the cluster's health; exit 1 when anything is down or degraded")
    .addOption(inventoryOption())
    .option('--json', 'print the status as JSON')
    .addHelpText('after', examples(['pyro status', 'pyro status --json | jq \'.instances[] | select(.state != "healthy")\'']))
    .action(async (o: { inventory: string; json?: boolean }) => {
      const { statusCommand } = await import('./commands/status.js');
      await run((ctx) => statusCommand(o, ctx), o);
    });

  program
    .command('history')
    .description(
      "the cluster's append-only record of runs: when, who (user@machine), the verb, what it changed, and its result (a run killed midway shows as interrupted)",
    )
    .addOption(inventoryOption())
    .option('-n, --last <runs>', 'the last N runs (default 20)')
    .option('--changes', 'every change line of each run (default: the first 5)')
    .option('--json', 'print as JSON')
    .addHelpText('after', examples(['pyro history', 'pyro history --last 5 --changes', 'pyro history --json | jq \'.runs[] | select(.result != "ok")\'']))
    .action(async (o: { inventory: string; json?: boolean; last?: string; changes?: boolean }) => {
      const { historyCommand } = await import('./commands/history.js');
      await run((ctx) => historyCommand(o, ctx), o);
    });

  program
    .command('verify')
    .description(
      'the whole-flow check: a tagged record down each ingestion path (a line appended to a tailed file, an HTTP post), followed into Kafka, through the streaming job into the serving table and out through Superset; names each hop with its latency and the first hop a record missed; exit 1 then',
    )
    .addOption(inventoryOption())
    .option('--timeout <seconds>', 'how long to follow the records', int('--timeout'), 90)
    .option('--json', 'print the result as JSON')
    .addHelpText('after', examples(['pyro verify', "pyro verify --timeout 30 --json | jq '.paths[] | select(.ok | not) | .missed'"]))
    .action(async (o: { inventory: string; timeout?: number; json?: boolean }) => {
      const { verifyCommand } = await import('./commands/verify.js');
      await run((ctx) => verifyCommand(o, ctx), o);
    });

  program
    .command('logs')
    .description("show a service's log on each host that runs it")
    .argument('<service>', 'role, e.g. hdfs-namenode or kafka-broker')
    .addOption(inventoryOption())
    .option('--host <name>', 'only this host')
    .option('-n, --lines <n>', 'lines to show', int('--lines'), 50)
    .option('-f, --follow', 'keep printing new lines until Ctrl-C')
    .option('--out', "the process's stdout/stderr file (JVM crashes, early errors) instead of its log")
    .addHelpText('after', examples(['pyro logs hdfs-namenode', 'pyro logs kafka-broker --host node2 -f', 'pyro logs yarn-nodemanager --out -n 100']))
    .action(async (role: string, o: { inventory: string; host?: string; lines?: number; follow?: boolean; out?: boolean }) => {
      const { logsCommand } = await import('./commands/logs.js');
      await run((ctx) => logsCommand(role, o, ctx));
    });

  program
    .command('submit-job')
    .description(
      "submit a job to YARN (cluster mode): a job declared in the inventory, or a .py/.jar file. A streaming job: waits until it runs and its query reports. A batch job (kind: batch, or --batch): waits for its end; the exit code is the job's",
    )
    .argument('<job>', 'a job name from the inventory, or a .py / .jar file')
    .argument('[args...]', 'arguments for the job (after --)')
    .addOption(inventoryOption())
    .option('--name <name>', 'name for a file job (default: the file name)')
    .option('--class <class>', 'main class of a jar')
    .option('--topic <topic...>', 'topics a file job reads (checked before submitting)')
    .option('--replace', 'stop the running one first, then start again from the same checkpoint')
    .option('--batch', 'run it as a batch job: wait for its end, exit with its exit code')
    .option('--json', 'print the result as JSON')
    .addHelpText(
      'after',
      examples([
        'pyro submit-job page-views',
        'pyro submit-job page-views --replace',
        'pyro submit-job lake-rollup                       # kind: batch in the inventory: waits, exits with its code',
        'pyro submit-job jobs/lake_daily_rollup.py --batch -- /lake/events_raw daily_page_events 2',
        'pyro submit-job jobs/page_views.py --name pv-test --topic events -- events page_views_test "10 seconds"',
      ]),
    )
    .action(
      async (
        job: string,
        args: string[],
        o: { inventory: string; name?: string; class?: string; topic?: string[]; replace?: boolean; batch?: boolean; json?: boolean },
      ) => {
        const { submitJobCommand } = await import('./commands/jobs.js');
        await run((ctx) => submitJobCommand(job, args, o, ctx), o);
      },
    );

  const kafka = program.command('kafka').description('Kafka operations beyond `up`: partitions across brokers, feature levels after an upgrade');
  kafka
    .command('rebalance')
    .description(
      'even out partition replicas and leaders across the brokers (new brokers get partitions only this way), moving them throttled, and wait until done',
    )
    .addOption(inventoryOption())
    .option('--throttle <MiB/s>', 'replication bandwidth the moves may use between brokers', int('--throttle'), 100)
    .option('--dry-run', 'print the moves, change nothing')
    .option('--timeout <seconds>', 'how long the moves may take before pyro stops waiting (they go on; run it again to wait)', int('--timeout'), 3600)
    .option('--json', 'print the moves as JSON')
    .addHelpText('after', examples(['pyro kafka rebalance --dry-run', 'pyro kafka rebalance --throttle 20']))
    .action(async (o: { inventory: string; throttle: number; dryRun?: boolean; timeout?: number; json?: boolean }) => {
      const { kafkaRebalanceCommand } = await import('./commands/kafka.js');
      await run((ctx) => kafkaRebalanceCommand(o, ctx), o);
    });
  kafka
    .command('finalize')
    .description(
      "after an upgrade held by `pyro up --no-finalize`: raise the cluster's feature levels (metadata.version and the others, never kraft.version) to those of the inventory's Kafka release; the previous version cannot come back after it",
    )
    .addOption(inventoryOption())
    .option('--dry-run', 'print the levels that would be raised, change nothing')
    .option('--json', 'print the levels as JSON')
    .addHelpText('after', examples(['pyro kafka finalize --dry-run', 'pyro kafka finalize']))
    .action(async (o: { inventory: string; dryRun?: boolean; json?: boolean }) => {
      const { kafkaFinalizeCommand } = await import('./commands/kafka.js');
      await run((ctx) => kafkaFinalizeCommand(o, ctx), o);
    });

  const lake = program
    .command('lake')
    .description('the lake tables on HDFS: partitions, size, oldest and newest hour, and the rows of the newest partition')
    .addOption(inventoryOption())
    .option('--json', 'print as JSON')
    .addHelpText('after', examples(['pyro lake', "pyro lake --json | jq '.tables[] | {name, partitions, bytes}'", 'pyro lake prune --dry-run']))
    .action(async (o: { inventory: string; json?: boolean }) => {
      const { lakeListCommand } = await import('./commands/lake.js');
      await run((ctx) => lakeListCommand(o, ctx), o);
    });
  lake
    .command('prune')
    .description("drop the partitions older than each table's retention (pyro up does it too)")
    .argument('[tables...]', 'only these tables')
    .option('--dry-run', 'show what would be dropped')
    .option('--json', 'print as JSON')
    .action(async (tables: string[], _o: unknown, cmd: Command) => {
      const o = cmd.optsWithGlobals<{ inventory: string; json?: boolean; dryRun?: boolean }>();
      const { lakePruneCommand } = await import('./commands/lake.js');
      await run((ctx) => lakePruneCommand({ ...o, table: tables }, ctx), o);
    });

  const jobs = program
    .command('jobs')
    .description('the streaming jobs on YARN: state, application, uptime, input rate and batch duration')
    .addOption(inventoryOption())
    .option('--all', 'also finished and failed applications')
    .option('--json', 'print as JSON')
    .addHelpText('after', examples(['pyro jobs', 'pyro jobs stop page-views', 'pyro jobs logs page-views', 'pyro jobs restart page-views']))
    .action(async (o: { inventory: string; all?: boolean; json?: boolean }) => {
      const { jobsListCommand } = await import('./commands/jobs.js');
      await run((ctx) => jobsListCommand(o, ctx), o);
    });
  jobs
    .command('stop')
    .description('stop a job between batches (its checkpoint keeps its place); killed through YARN if it does not stop in time')
    .argument('<job>')
    .option('--json', 'print as JSON')
    .action(async (job: string, _o: unknown, cmd: Command) => {
      // -i belongs to `jobs` (before or after the sub-verb): read it with the parent's options.
      const o = cmd.optsWithGlobals<{ inventory: string; json?: boolean }>();
      const { jobsStopCommand } = await import('./commands/jobs.js');
      await run((ctx) => jobsStopCommand(job, o, ctx), o);
    });
  jobs
    .command('logs')
    .description("the driver's log (the ApplicationMaster container's stderr)")
    .argument('<job>')
    .option('--bytes <n>', 'bytes from the end', int('--bytes'), 20000)
    .action(async (job: string, _o: unknown, cmd: Command) => {
      const o = cmd.optsWithGlobals<{ inventory: string; bytes?: number }>();
      const { jobsLogsCommand } = await import('./commands/jobs.js');
      await run((ctx) => jobsLogsCommand(job, o, ctx));
    });
  jobs
    .command('restart')
    .description('stop a declared job and submit it again; it continues from its checkpoint')
    .argument('<job>')
    .option('--json', 'print as JSON')
    .action(async (job: string, _o: unknown, cmd: Command) => {
      const o = cmd.optsWithGlobals<{ inventory: string; json?: boolean }>();
      const { jobsRestartCommand } = await import('./commands/jobs.js');
      await run((ctx) => jobsRestartCommand(job, o, ctx), o);
    });

  const superset = program.command('superset').description('Superset registrations as code: the serving database, datasets and dashboards from the inventory');
  superset
    .command('sync')
    .description('create or update the serving database, the declared datasets and the dashboards from their templates; report datasets no longer declared')
    .addOption(inventoryOption())
    .option('--prune', 'delete datasets pyro registered that the inventory no longer declares')
    .option('--dry-run', 'show what would change, change nothing')
    .option('--json', 'print the result as JSON')
    .addHelpText('after', examples(['pyro superset sync', 'pyro superset sync --dry-run', 'pyro superset sync --prune --json']))
    .action(async (o: { inventory: string; prune?: boolean; dryRun?: boolean; json?: boolean }) => {
      const { supersetSyncCommand } = await import('./commands/superset.js');
      await run((ctx) => supersetSyncCommand(o, ctx), o);
    });

  program
    .command('credentials')
    .description(
      "the logins pyro generated (kept 0600 in the cluster state): superset (URL, admin user, password), postgresql, or nifi (URL, the admin's client certificate as PEM and PKCS#12 with its password)",
    )
    .argument('<service>', 'superset, postgresql or nifi')
    .addOption(inventoryOption())
    .option('--reset', "superset: set Superset's admin password back to the one in the cluster state")
    .option('--json', 'print as JSON')
    .addHelpText(
      'after',
      examples(['pyro credentials superset', 'pyro credentials postgresql --json', 'pyro credentials nifi', 'pyro credentials superset --reset']),
    )
    .action(async (service: string, o: { inventory: string; json?: boolean; reset?: boolean }) => {
      const { credentialsCommand } = await import('./commands/superset.js');
      await run((ctx) => credentialsCommand(service, o, ctx), o);
    });

  program
    .command('produce')
    .description(
      'write JSON page-view events ({id, page, user, ts}) into a topic at a steady rate, acks=all; or, with --to-file, append web access-log lines (combined format) to a file a flume agent tails',
    )
    .addOption(inventoryOption())
    .option('--topic <topic>', 'topic', 'events')
    .option('--rate <n>', 'events per second (0: as fast as possible)', (v: string) => Number(v), 1000)
    .option('--seconds <n>', 'run this long', int('--seconds'))
    .option('--count <n>', 'stop after this many events (default 1000 without --seconds)', int('--count'))
    .option('--pages <n>', 'pages the events spread over', int('--pages'), 5)
    .option('--first-id <n>', 'first event id', int('--first-id'), 1)
    .option('--record <file>', 'append every acknowledged event ({id, page, ts}) to this NDJSON file')
    .option('--to-file [path]', "append access-log lines to this file on a host (default: the file the inventory's flume agent tails)")
    .option('--host <name>', 'with --to-file: the host to write on (default: the one whose agent tails the file)')
    .option('--json', 'print the result as JSON')
    .addHelpText(
      'after',
      examples([
        'pyro produce --rate 1000 --seconds 60',
        'pyro produce --count 500 --record sent.ndjson',
        'pyro produce --to-file --rate 100 --seconds 30',
        'pyro produce --to-file /var/log/pyro-demo/access.log --host node2 --count 5000',
      ]),
    )
    .action(async (o: ProduceCommandOptions) => {
      const { produceCommand } = await import('./commands/produce.js');
      await run((ctx) => produceCommand(o, ctx), o);
    });

  const cache = program.command('cache').description('the local distribution cache');
  cache
    .command('import')
    .description("copy a bundle's distributions into the cache, verifying each")
    .argument('<bundle>', 'a file written by `pyro bundle`')
    .option('--json', 'print the result as JSON')
    .addHelpText('after', examples(['pyro cache import pyro-bundle.tar']))
    .action(async (file: string, o: { json?: boolean }) => {
      const { cacheImportCommand } = await import('./commands/cache.js');
      await run((ctx) => cacheImportCommand({ file, json: o.json }, ctx), o);
    });

  cache
    .command('list')
    .description('the distributions in the cache')
    .option('--json', 'print the result as JSON')
    .addHelpText('after', examples(['pyro cache list', 'PYRO_CACHE_DIR=/srv/pyro-cache pyro cache list --json']))
    .action(async (o: { json?: boolean }) => {
      const { cacheListCommand } = await import('./commands/cache.js');
      await run((ctx) => cacheListCommand(o, ctx), o);
    });
  cache
    .command('prune')
    .description('remove cached blobs nothing refers to, and temp files of interrupted runs')
    .option('--dry-run', 'say what would be removed')
    .option('--json', 'print the result as JSON')
    .addHelpText('after', examples(['pyro cache prune --dry-run', 'pyro cache prune']))
    .action(async (o: { dryRun?: boolean; json?: boolean }) => {
      const { cachePruneCommand } = await import('./commands/cache.js');
      await run((ctx) => cachePruneCommand(o, ctx), o);
    });

  return program;
}

export { makeContext };
