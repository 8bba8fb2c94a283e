import { HADOOP_JAVA17_OPENS, hadoopClasspath } from '../../artifacts/recipes/hadoop.js';
import type { ConfigValue } from '../../inventory/types.js';
import { defaultFs } from '../hdfs/endpoints.js';
import type { ServiceInstance } from '../../inventory/types.js';
import { roleMarker, userConfig, type RuntimeContext } from '../runtime.js';

// What every Hadoop daemon shares (HDFS and YARN): core-site, the java command line, the environment.

export type Props = Record<string, ConfigValue>;

/** fs.defaultFS and friends: every Hadoop daemon reads it. */
export function coreSite(ctx: RuntimeContext): Props {
  return {
    'fs.defaultFS': defaultFs(ctx.inv),
    'hadoop.tmp.dir': `${ctx.inst.host.dataDir}/hadoop-tmp`,
    ...userConfig(ctx.inst, 'core-site.xml'),
  };
}

export const HADOOP_LOG_FILE = 'daemon.log';

/** java argv for a Hadoop daemon or tool, config dir first on the classpath, logging to the instance's log dir. */
export function hadoopLaunch(ctx: RuntimeContext, main: string, args: string[] = [], heapMb = ctx.heapMb): string[] {
  const root = ctx.artifactRoot('hadoop');
  return [
    ctx.java,
    `-Xms${heapMb}m`,
    `-Xmx${heapMb}m`,
    ...HADOOP_JAVA17_OPENS,
    '-Djava.net.preferIPv4Stack=true',
    roleMarker(ctx.inst.def.role),
    `-Dhadoop.home.dir=${root}`,
    `-Dhadoop.log.dir=${ctx.paths.logs}`,
    `-Dyarn.log.dir=${ctx.paths.logs}`,
    `-Dhadoop.log.file=${HADOOP_LOG_FILE}`,
    '-Dhadoop.root.logger=INFO,RFA',
    '-Dhadoop.log.maxfilesize=64MB',
    '-Dhadoop.log.maxbackupindex=10',
    `-Dlog4j.configuration=file:${root}/etc/hadoop/log4j.properties`,
    '-cp',
    hadoopClasspath(root, ctx.paths.conf),
    main,
    ...args,
  ];
}

/** Environment Hadoop daemons pass on (NodeManagers hand it to containers through the env whitelist). */
export function hadoopEnv(ctx: RuntimeContext): Record<string, string> {
  const root = ctx.artifactRoot('hadoop');
  return {
    HADOOP_HOME: root,
    HADOOP_COMMON_HOME: root,
    HADOOP_HDFS_HOME: root,
    HADOOP_YARN_HOME: root,
    HADOOP_MAPRED_HOME: root,
    HADOOP_CONF_DIR: ctx.paths.conf,
  };
}

/** The master's include and exclude files (HDFS dfs.hosts, YARN nodes.include-path), by what they hold. */
export const HOSTS_FILES = { include: 'hosts.include', exclude: 'hosts.exclude' } as const;

/**
 * A master's worker lists: every worker of the inventory and every one leaving is included; the leaving ones are
 * excluded too, which drains them. Once drained and stopped, a worker is in neither list, and the master forgets it
 * (a dead node that stays listed would be reported as lost).
 */
export function hostLists(instances: readonly ServiceInstance[], retiring: readonly ServiceInstance[], role: string): Record<string, string> {
  const addresses = (xs: readonly ServiceInstance[]) => [...new Set(xs.filter((i) => i.def.role === role).map((i) => i.host.address))].sort();
  const leaving = addresses(retiring);
  const all = [...new Set([...addresses(instances), ...leaving])].sort();
  const file = (xs: string[]) => `# written by pyro: \`pyro up\` rewrites it\n${xs.map((a) => `${a}\n`).join('')}`;
  return { [HOSTS_FILES.include]: file(all), [HOSTS_FILES.exclude]: file(leaving) };
}

/** java argv for a Hadoop admin tool run beside a daemon (its conf dir, a small heap, logging to stderr). */
export function hadoopTool(ctx: RuntimeContext, main: string, args: string[]): string[] {
  const root = ctx.artifactRoot('hadoop');
  return [
    ctx.java,
    '-Xmx256m',
    ...HADOOP_JAVA17_OPENS,
    '-Djava.net.preferIPv4Stack=true',
    `-Dhadoop.home.dir=${root}`,
    '-Dhadoop.root.logger=WARN,console',
    `-Dlog4j.configuration=file:${root}/etc/hadoop/log4j.properties`,
    '-cp',
    hadoopClasspath(root, ctx.paths.conf),
    main,
    ...args,
  ];
}
