import { HADOOP_JAVA17_OPENS, hadoopClasspath } from '../../artifacts/recipes/hadoop.js';
import type { ConfigValue } from '../../inventory/types.js';
import { defaultFs } from '../hdfs/endpoints.js';
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
