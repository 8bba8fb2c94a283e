import YAML from 'yaml';
import { shellQuote } from '../../util/shell.js';
import { roleMarker, userConfig, type RuntimeContext } from '../runtime.js';
import { pipelineConf, pipelineFile, sincedbDir } from './pipeline-conf.js';
import { logstashSettingsOf } from './settings.js';

// What Logstash reads from --path.settings (pyro's conf dir for the instance): logstash.yml, pipelines.yml,
// jvm.options, log4j2.properties; and each pipeline's .conf beside them.

export const LOGSTASH_YML = 'logstash.yml';
export const PIPELINES_YML = 'pipelines.yml';
export const JVM_OPTIONS = 'jvm.options';
export const LOG4J2_PROPERTIES = 'log4j2.properties';
/** Logstash's own log, in the instance's log dir (log4j2.properties names it). */
export const LOG_FILE = 'logstash-plain.log';

const HEADER = '# Written by pyro; edits are overwritten. Override keys in the inventory';

// Logstash reads its YAML with Ruby's YAML 1.1 loader: a string such as `on` or `no` must stay quoted.
const yaml11 = (doc: unknown) => YAML.stringify(doc, { version: '1.1' });

/**
 * logstash.yml: data and logs in the instance's dirs, the monitoring API on the host address (pyro probes it from
 * the control machine) and its port, no reload of its own (pyro restarts it when a file changes); overrides last.
 */
export function logstashYml(ctx: RuntimeContext): string {
  const settings = {
    'node.name': ctx.inst.host.name,
    'path.data': ctx.inst.dirs.data!,
    'path.logs': ctx.paths.logs,
    'api.enabled': true,
    'api.http.host': ctx.inst.host.address,
    'api.http.port': ctx.inst.ports.api!,
    'config.reload.automatic': false,
    ...userConfig(ctx.inst, LOGSTASH_YML),
  };
  return `${HEADER} (services.logstash.config."logstash.yml").\n${yaml11(settings)}`;
}

/**
 * pipelines.yml: one entry per declared pipeline. config.support_escapes is what lets a .conf hold any string pyro
 * writes (quotes, backslashes, newlines), so it is set here, beside the files it governs, not in logstash.yml.
 */
export function pipelinesYml(ctx: RuntimeContext): string {
  const entries = logstashSettingsOf(ctx.inst).pipelines.map((p) => ({
    'pipeline.id': p.name,
    'path.config': `${ctx.paths.conf}/${pipelineFile(p)}`,
    'config.support_escapes': true,
    ...(p.workers === undefined ? {} : { 'pipeline.workers': p.workers }),
    ...(p.batchSize === undefined ? {} : { 'pipeline.batch.size': p.batchSize }),
    'queue.type': p.queue ?? 'memory',
  }));
  return `# Written by pyro from services.logstash.pipelines; edits are overwritten.\n${yaml11(entries)}`;
}

/**
 * jvm.options (Logstash's launcher reads it from --path.settings): the heap, and the role marker, which is how the
 * marker reaches the java process that bin/logstash execs. The rest are Logstash's own defaults that matter here.
 */
export function jvmOptions(ctx: RuntimeContext): string {
  return [
    '# Written by pyro; edits are overwritten. The heap is services.logstash.heap.',
    `-Xms${ctx.heapMb}m`,
    `-Xmx${ctx.heapMb}m`,
    roleMarker(ctx.inst.def.role),
    '-Djava.awt.headless=true',
    '-Dfile.encoding=UTF-8',
    // JRuby compiles the pipelines' Ruby plugins with invokedynamic: Logstash is much slower without it.
    '-Djruby.compile.invokedynamic=true',
    // A heap dump lands beside the logs that tell what led to it.
    '-XX:+HeapDumpOnOutOfMemoryError',
    `-XX:HeapDumpPath=${ctx.paths.logs}`,
    // Logstash's log lines carry the pipeline id of the worker thread that wrote them.
    '-Dlog4j2.isThreadContextMapInheritable=true',
    '',
  ].join('\n');
}

/** log4j2.properties: Logstash's log in the instance's log dir (path.logs, which Logstash hands in as ls.logs). */
export const LOG4J2 = `# Written by pyro; edits are overwritten. One file, rolled at 100 MB, the last 10 kept (gzipped).
status=error
name=pyro
appender.file.type=RollingFile
appender.file.name=file
appender.file.fileName=\${sys:ls.logs}/${LOG_FILE}
appender.file.filePattern=\${sys:ls.logs}/logstash-plain-%i.log.gz
appender.file.layout.type=PatternLayout
appender.file.layout.pattern=[%d{ISO8601}][%-5p][%c]%notEmpty{[%X{pipeline.id}]} %m%n
appender.file.policies.type=Policies
appender.file.policies.size.type=SizeBasedTriggeringPolicy
appender.file.policies.size.size=100MB
appender.file.strategy.type=DefaultRolloverStrategy
appender.file.strategy.max=10
rootLogger.level=\${sys:ls.log.level}
rootLogger.appenderRef.file.ref=file
`;

export function logstashFiles(ctx: RuntimeContext): Record<string, string> {
  const pipelines = logstashSettingsOf(ctx.inst).pipelines;
  return {
    [LOGSTASH_YML]: logstashYml(ctx),
    [PIPELINES_YML]: pipelinesYml(ctx),
    [JVM_OPTIONS]: jvmOptions(ctx),
    [LOG4J2_PROPERTIES]: LOG4J2,
    ...Object.fromEntries(pipelines.map((p) => [pipelineFile(p), pipelineConf(ctx.inv, ctx.inst, p)])),
  };
}

/** Logstash picks its java: LS_JAVA_HOME when the host names a JDK, else the archive's bundled JDK, else PATH's. */
export function logstashEnv(ctx: RuntimeContext): Record<string, string> {
  return ctx.inst.host.javaHome ? { LS_JAVA_HOME: ctx.inst.host.javaHome } : {};
}

/** The file inputs write their positions into a dir they do not create. */
export function logstashPrelude(ctx: RuntimeContext): string {
  return `mkdir -p ${shellQuote(sincedbDir(ctx.inst))}`;
}

/** bin/logstash with pyro's conf dir as its settings dir (the marker is in jvm.options). */
export function logstashLaunch(ctx: RuntimeContext): string[] {
  return [`${ctx.artifactRoot('logstash')}/bin/logstash`, '--path.settings', ctx.paths.conf];
}
