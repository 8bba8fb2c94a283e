import { shellQuote as q } from '../../hosts/host.js';
import type { ServiceInstance } from '../../inventory/types.js';
import { renderHadoopXml } from '../../render/hadoop-xml.js';
import { defaultFs } from '../hdfs/endpoints.js';
import { PG_SECRET, PG_USER, postgresInstance } from '../postgresql/endpoints.js';
import { endpoint, roleMarker, userConfig, type RuntimeContext } from '../runtime.js';
import { sparkArchivePath } from '../spark/jobs/spark-archive.js';
import { clientConfFiles } from '../spark/jobs/submit.js';
import { SQL_APP_NAME } from './endpoints.js';
import { SPARK_SQL, sparkSqlSettingsOf } from './settings.js';

const SERVER_CLASS = 'org.apache.spark.sql.hive.thriftserver.HiveThriftServer2';

/** Seconds a query may see a lake table's files as they were: new partitions show up within this. */
export const LAKE_LISTING_TTL_SEC = 10;

/** Files holding the metastore's password. */
export const SPARK_SQL_PRIVATE_FILES = ['hive-site.xml'];

function renderProperties(props: Record<string, string | number | boolean>): string {
  return `# Written by pyro; edits are overwritten. Override keys under services.spark-sql.config."spark-defaults.conf".\n${Object.keys(props)
    .sort()
    .map((k) => `${k} ${String(props[k])}`)
    .join('\n')}\n`;
}

/** The metastore's JDBC URL on the serving PostgreSQL. */
export function metastoreUrl(ctx: Pick<RuntimeContext, 'inv' | 'inst'>): string {
  const pg = postgresInstance(ctx.inv);
  if (!pg) throw new Error('the Spark SQL server keeps its metastore in PostgreSQL, which the inventory does not run');
  return `jdbc:postgresql://${endpoint(pg, 'pg')}/${sparkSqlSettingsOf(ctx.inst).metastoreDatabase}`;
}

export function sparkSqlFiles(ctx: RuntimeContext): Record<string, string> {
  const s = sparkSqlSettingsOf(ctx.inst);
  const scratch = ctx.inst.dirs.scratch!;
  const jdbcJars = `${ctx.artifactRoot('postgresql-jdbc')}/jars/*`;
  const build = ctx.builds?.spark;
  const hive = renderHadoopXml({
    // The metastore lives in the serving PostgreSQL (Derby allows one process and leaves lock files); DataNucleus
    // creates its tables on first use. Without foreign keys: DataNucleus creates a table from a second connection
    // while its transaction holds rows of the table the key would reference, and PostgreSQL makes the two wait on
    // each other for good (seen with the first CREATE TABLE: TBL_PRIVS -> TBLS).
    'javax.jdo.option.ConnectionURL': metastoreUrl(ctx),
    'javax.jdo.option.ConnectionDriverName': 'org.postgresql.Driver',
    'javax.jdo.option.ConnectionUserName': PG_USER,
    'javax.jdo.option.ConnectionPassword': ctx.secrets[PG_SECRET] ?? '',
    'datanucleus.schema.autoCreateAll': false,
    'datanucleus.schema.autoCreateTables': true,
    'datanucleus.schema.autoCreateColumns': true,
    'datanucleus.schema.autoCreateConstraints': false,
    'hive.metastore.schema.verification': false,
    'hive.server2.thrift.bind.host': ctx.inst.host.address,
    'hive.server2.thrift.port': ctx.inst.ports.thrift!,
    'hive.server2.transport.mode': 'binary',
    // The server reads HDFS as its own user: no proxy-user rights needed on the NameNode (sessions are not
    // authenticated before issue 15's Kerberos anyway).
    'hive.server2.enable.doAs': false,
    // A dir that exists (pyro makes the scratch dir): Hive lists it for each session's pipeout files. The
    // resources dir is per session, since Hive deletes it when the session closes.
    'hive.exec.local.scratchdir': scratch,
    'hive.downloaded.resources.dir': `${scratch}/\${hive.session.id}_resources`,
    // A dir per open session holding a file per open statement, both removed when closed: what status counts.
    'hive.server2.logging.operation.enabled': true,
    'hive.server2.logging.operation.log.location': operationLogDir(ctx.inst),
    ...userConfig(ctx.inst, 'hive-site.xml'),
  });
  const defaults = renderProperties({
    'spark.master': 'yarn',
    'spark.submit.deployMode': 'client',
    'spark.app.name': SQL_APP_NAME,
    'spark.driver.memory': `${ctx.heapMb}m`,
    'spark.driver.host': ctx.inst.host.address,
    'spark.driver.bindAddress': ctx.inst.host.address,
    'spark.driver.extraClassPath': jdbcJars,
    'spark.local.dir': scratch,
    // Spark 4.2's UI in YARN client mode races the ApplicationMaster's web filter at start (a
    // ConcurrentModificationException in Jetty that leaves the JVM up with no server, seen 1 start in 2 here):
    // the server runs without it; status reads YARN instead.
    'spark.ui.enabled': false,
    'spark.executor.instances': s.executors,
    'spark.executor.memory': s.executorMemory,
    'spark.executor.cores': s.executorCores,
    ...(build ? { 'spark.yarn.archive': `${defaultFs(ctx.inv)}${sparkArchivePath(build)}` } : {}),
    'spark.sql.warehouse.dir': `${defaultFs(ctx.inv)}/pyro/warehouse`,
    'spark.sql.session.timeZone': 'UTC',
    // Lake tables are read by listing their dirs (not partitions kept in the metastore), and listings live
    // LAKE_LISTING_TTL_SEC: the archive job's new hours and retention's dropped ones show up without pyro.
    'spark.sql.hive.manageFilesourcePartitions': false,
    'spark.sql.metadataCacheTTLSeconds': LAKE_LISTING_TTL_SEC,
    // A replayed archive batch replaces its files: a query that listed the old ones reads on without them.
    'spark.sql.files.ignoreMissingFiles': true,
    ...userConfig(ctx.inst, 'spark-defaults.conf'),
  });
  return {
    'hive-site.xml': hive,
    'spark-defaults.conf': defaults,
    ...clientConfFiles(ctx.inv),
  };
}

/** Where the server keeps a dir per open session, each holding a file per open statement. */
export function operationLogDir(inst: ServiceInstance): string {
  return `${inst.dirs.scratch!}/operation_logs`;
}

/** Sessions of a process that died without closing them would be counted as open: a start begins with none. */
export function sparkSqlPrelude(ctx: RuntimeContext): string {
  return `rm -rf ${q(operationLogDir(ctx.inst))}`;
}

/** Open sessions and statements, counted in the operation-log dir (`@fact spark-sql sessions N statements M`). */
export function sparkSqlFacts(inst: ServiceInstance): string {
  const d = q(operationLogDir(inst));
  return (
    `if [ -d ${d} ]; then echo "@fact ${SPARK_SQL} sessions $(find ${d} -mindepth 1 -maxdepth 1 -type d | wc -l)` +
    ` statements $(find ${d} -mindepth 2 -maxdepth 2 -type f | wc -l)"; fi`
  );
}

export function sparkSqlEnv(ctx: RuntimeContext): Record<string, string> {
  return {
    SPARK_HOME: ctx.artifactRoot('spark'),
    // spark-defaults.conf and hive-site.xml come from SPARK_CONF_DIR; the Hadoop client files beside them.
    SPARK_CONF_DIR: ctx.paths.conf,
    HADOOP_CONF_DIR: ctx.paths.conf,
    // No HADOOP_USER_NAME: Hive takes it as a user to impersonate (a proxy user the NameNode refuses). The
    // server reads HDFS as the user it runs as, the host's SSH user.
  };
}

/** spark-submit in client mode: the server (the driver) runs here, its executors on YARN. */
export function sparkSqlLaunch(ctx: RuntimeContext): string[] {
  return [`${ctx.artifactRoot('spark')}/bin/spark-submit`, '--class', SERVER_CLASS, '--driver-java-options', roleMarker(SPARK_SQL), 'spark-internal'];
}
