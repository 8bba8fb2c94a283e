import { cp, mkdir, readdir, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import type { ArtifactRecipe, AssembleContext } from '../types.js';

/** Hadoop 3.4.3: the newest 3.4.x; every module, its tests jar (web UI files) and hadoop-project resolve from Maven Central. */
export const HADOOP_DEFAULT_VERSION = '3.4.3';

/**
 * SHA-512 of the official hadoop-X.tar.gz (x86_64), as published in hadoop-X.tar.gz.sha512 on the Apache dist
 * server. apache.org is not reachable from where this was written: each value is confirmed in at least two
 * independent public copies of the published file.
 */
const RELEASE_SHA512: Record<string, string> = {
  '3.4.2': '79a383e156022d6690da359120b25db8146452265d92a4e890d9ea78c2078a01b661daf78163ee9b4acef7106b01fd5c8d1a55f7ad284f88b31ab3f402ae3acf',
  '3.4.3': 'e25be7e57b4d3c5bfe83895844321a21d6cf7331266d524d8983c27cf484e576c3d79b3b60d590f8cddecf16229d0e232de2491b1b61b362ee7d67072c7290e1',
};

/** Main classes pyro launches (no shell scripts needed). */
export const HADOOP_MAIN = {
  namenode: 'org.apache.hadoop.hdfs.server.namenode.NameNode',
  datanode: 'org.apache.hadoop.hdfs.server.datanode.DataNode',
  resourcemanager: 'org.apache.hadoop.yarn.server.resourcemanager.ResourceManager',
  nodemanager: 'org.apache.hadoop.yarn.server.nodemanager.NodeManager',
  fsShell: 'org.apache.hadoop.fs.FsShell',
  dfsAdmin: 'org.apache.hadoop.hdfs.tools.DFSAdmin',
  rmAdmin: 'org.apache.hadoop.yarn.client.cli.RMAdminCLI',
} as const;

/** Modules under share/hadoop, in the order `hadoop classpath` lists them. */
export const HADOOP_MODULES = ['common', 'hdfs', 'mapreduce', 'yarn'] as const;

/**
 * The daemons' classpath for a tree at `root` (official tarball or assembly), `confDir` first: what
 * `hadoop classpath` prints, plus yarn/timelineservice (bin/yarn adds it for the daemons; the ResourceManager's web
 * app needs it). The module dirs themselves are on it because the web UIs are looked up as classpath resources
 * (share/hadoop/hdfs/webapps/hdfs); a `dir/*` wildcard only adds jars.
 */
export function hadoopClasspath(root: string, confDir: string): string {
  const m = (name: string) => `${root}/share/hadoop/${name}`;
  return [confDir, ...HADOOP_MODULES.flatMap((d) => [m(d), `${m(d)}/lib/*`, `${m(d)}/*`]), `${m('yarn/timelineservice')}/*`].join(':');
}

/**
 * JVM options Hadoop 3.4 needs on Java 17+ (HADOOP-19310): without them the ResourceManager fails in Guice and
 * parts of HDFS in reflection. Harmless for the other daemons.
 */
export const HADOOP_JAVA17_OPENS = ['java.lang', 'java.lang.reflect', 'java.io', 'java.net', 'java.nio', 'java.util', 'java.util.concurrent', 'sun.nio.ch'].map(
  (p) => `--add-opens=java.base/${p}=ALL-UNNAMED`,
);

/**
 * What goes where, as in the official tarball: each group's jars are resolved together, Hadoop's own jars land
 * in share/hadoop/<module>/, third-party jars in the lib/ of the first group that needs them.
 */
const GROUPS: { module: string; artifacts: string[] }[] = [
  { module: 'common', artifacts: ['hadoop-common', 'hadoop-registry'] },
  { module: 'hdfs', artifacts: ['hadoop-hdfs', 'hadoop-hdfs-client'] },
  {
    module: 'yarn',
    artifacts: [
      'hadoop-yarn-client',
      'hadoop-yarn-server-resourcemanager',
      'hadoop-yarn-server-nodemanager',
      'hadoop-yarn-server-web-proxy',
      'hadoop-yarn-server-timelineservice',
    ],
  },
  {
    module: 'mapreduce',
    artifacts: [
      'hadoop-mapreduce-client-core',
      'hadoop-mapreduce-client-common',
      'hadoop-mapreduce-client-shuffle',
      'hadoop-mapreduce-client-app',
      'hadoop-mapreduce-client-jobclient',
    ],
  },
];

/** Directory (under share/hadoop) of one resolved jar, or undefined for a third-party jar. */
function hadoopJarHome(file: string): string | undefined {
  if (!file.startsWith('hadoop-')) return undefined;
  if (/^hadoop-(auth|annotations|shaded-)/.test(file)) return 'common/lib';
  if (file.startsWith('hadoop-hdfs')) return 'hdfs';
  if (file.startsWith('hadoop-yarn-server-timelineservice')) return 'yarn/timelineservice';
  if (file.startsWith('hadoop-yarn')) return 'yarn';
  if (file.startsWith('hadoop-mapreduce')) return 'mapreduce';
  return 'common';
}

/** `name-1.2.3[-classifier].jar` -> name and version (for spotting two versions of one library). */
function jarId(file: string): { name: string; version: string } {
  const m = /^(.+?)-(\d[^-]*)(?:-.+)?\.jar$/.exec(file);
  return m ? { name: m[1]!, version: m[2]! } : { name: file, version: '' };
}

/**
 * log4j 1.2 (reload4j) configuration. The launcher sets hadoop.root.logger (e.g. INFO,RFA), hadoop.log.dir and
 * hadoop.log.file as system properties, the same names the official etc/hadoop/log4j.properties reads.
 */
const LOG4J_PROPERTIES = `# Hadoop daemon logging (reload4j). Override with -Dhadoop.root.logger=INFO,RFA -Dhadoop.log.dir=... -Dhadoop.log.file=...
hadoop.root.logger=INFO,console
hadoop.log.dir=.
hadoop.log.file=hadoop.log
hadoop.log.maxfilesize=256MB
hadoop.log.maxbackupindex=10

log4j.rootLogger=\${hadoop.root.logger}
log4j.threshold=ALL

log4j.appender.console=org.apache.log4j.ConsoleAppender
log4j.appender.console.target=System.err
log4j.appender.console.layout=org.apache.log4j.PatternLayout
log4j.appender.console.layout.ConversionPattern=%d{ISO8601} %p %c{2}: %m%n

log4j.appender.RFA=org.apache.log4j.RollingFileAppender
log4j.appender.RFA.File=\${hadoop.log.dir}/\${hadoop.log.file}
log4j.appender.RFA.MaxFileSize=\${hadoop.log.maxfilesize}
log4j.appender.RFA.MaxBackupIndex=\${hadoop.log.maxbackupindex}
log4j.appender.RFA.layout=org.apache.log4j.PatternLayout
log4j.appender.RFA.layout.ConversionPattern=%d{ISO8601} %p %c: %m%n

log4j.appender.NullAppender=org.apache.log4j.varia.NullAppender

# Audit logs are off unless asked for (-Dhdfs.audit.logger=INFO,RFA).
hdfs.audit.logger=INFO,NullAppender
log4j.logger.org.apache.hadoop.hdfs.server.namenode.FSNamesystem.audit=\${hdfs.audit.logger}
log4j.additivity.org.apache.hadoop.hdfs.server.namenode.FSNamesystem.audit=false
rm.audit.logger=INFO,NullAppender
log4j.logger.org.apache.hadoop.yarn.server.resourcemanager.RMAuditLogger=\${rm.audit.logger}
log4j.additivity.org.apache.hadoop.yarn.server.resourcemanager.RMAuditLogger=false
nm.audit.logger=INFO,NullAppender
log4j.logger.org.apache.hadoop.yarn.server.nodemanager.NMAuditLogger=\${nm.audit.logger}
log4j.additivity.org.apache.hadoop.yarn.server.nodemanager.NMAuditLogger=false

# No native libhadoop in a Maven assembly; its warning at every start says nothing new.
log4j.logger.org.apache.hadoop.util.NativeCodeLoader=ERROR
log4j.logger.org.apache.commons.beanutils=WARN
`;

const EMPTY_SITE = `<?xml version="1.0"?>\n<!-- Site-specific overrides; pyro writes the daemons' own config dir and puts it first on the classpath. -->\n<configuration>\n</configuration>\n`;

/** One queue taking the whole cluster, as in the official etc/hadoop/capacity-scheduler.xml. */
const CAPACITY_SCHEDULER = `<?xml version="1.0"?>
<configuration>
  <property><name>yarn.scheduler.capacity.maximum-applications</name><value>10000</value></property>
  <property><name>yarn.scheduler.capacity.maximum-am-resource-percent</name><value>0.1</value></property>
  <property><name>yarn.scheduler.capacity.resource-calculator</name><value>org.apache.hadoop.yarn.util.resource.DefaultResourceCalculator</value></property>
  <property><name>yarn.scheduler.capacity.root.queues</name><value>default</value></property>
  <property><name>yarn.scheduler.capacity.root.default.capacity</name><value>100</value></property>
  <property><name>yarn.scheduler.capacity.root.default.maximum-capacity</name><value>100</value></property>
  <property><name>yarn.scheduler.capacity.root.default.user-limit-factor</name><value>1</value></property>
  <property><name>yarn.scheduler.capacity.root.default.state</name><value>RUNNING</value></property>
</configuration>
`;

/** Extracts the web UI files (webapps/) from the hadoop-hdfs tests jar: the main jar on Maven Central has none. */
const EXTRACT_WEBAPPS = `import sys, zipfile
with zipfile.ZipFile(sys.argv[1]) as z:
    names = [n for n in z.namelist() if n.startswith("webapps/")]
    if not names: sys.exit("no webapps/ in " + sys.argv[1])
    for n in names: z.extract(n, sys.argv[2])
`;

/** Moves a file, copying when scratch and the tree are on different filesystems. */
async function move(from: string, to: string): Promise<void> {
  try {
    await rename(from, to);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EXDEV') throw err;
    await cp(from, to, { preserveTimestamps: true });
    await rm(from, { force: true });
  }
}

async function assembleHadoop(ctx: AssembleContext, version: string): Promise<void> {
  // hadoop-project is the parent of every module: importing it makes each group resolve to the versions the
  // release was built and tested with (as in the tarball); without it the groups disagree (guava 27 vs 32,
  // jackson-core 2.12 vs 2.14).
  const bom = `org.apache.hadoop:hadoop-project:${version}:bom`;
  const share = path.join(ctx.dir, 'share/hadoop');
  const placed = new Map<string, string>(); // jar file -> dir under share/hadoop
  const versions = new Map<string, string>(); // library name -> version placed
  const stage = (name: string) => path.relative(ctx.dir, path.join(ctx.scratch, name));
  for (const m of [...HADOOP_MODULES.map((d) => `${d}/lib`), 'yarn/timelineservice']) await mkdir(path.join(share, m), { recursive: true });

  for (const group of GROUPS) {
    const rel = stage(`hadoop-${group.module}`);
    const files = await ctx.maven([bom, ...group.artifacts.map((a) => `org.apache.hadoop:${a}:${version}`)], rel);
    for (const file of files.filter((f) => f.endsWith('.jar'))) {
      if (placed.has(file)) continue; // already placed by an earlier group
      const id = jarId(file);
      const kept = versions.get(id.name);
      if (kept !== undefined && kept !== id.version) {
        ctx.log(`hadoop: ${group.module} resolved ${file}, keeping ${id.name} ${kept} placed earlier`);
        continue;
      }
      versions.set(id.name, id.version);
      // The SLF4J binding sits in common/lib, where the tarball has it (hadoop-project strips it from the
      // hadoop-common dependency, so it arrives with a later group).
      const where = file.startsWith('slf4j-reload4j-') ? 'common/lib' : (hadoopJarHome(file) ?? `${group.module}/lib`);
      await move(path.join(ctx.dir, rel, file), path.join(share, where, file));
      placed.set(file, where);
    }
  }
  // Empty lib dirs are left out of the tree (the tarball has no share/hadoop/mapreduce/lib either).
  for (const m of HADOOP_MODULES) {
    const lib = path.join(share, m, 'lib');
    if ((await readdir(lib)).length === 0) await rm(lib, { recursive: true });
  }

  const bindings = [...placed.keys()].filter((f) => /^(slf4j-(reload4j|log4j12|simple|jdk14)|logback-classic|log4j-slf4j2?-impl)-/.test(f));
  if (bindings.length !== 1) throw new Error(`hadoop ${version}: expected one SLF4J binding, found ${bindings.join(', ') || 'none'}`);

  const tests = stage('hadoop-hdfs-tests');
  const [testsJar] = await ctx.maven([`org.apache.hadoop:hadoop-hdfs:${version}:jar:tests`], tests, { transitive: false });
  await ctx.run(['python3', '-c', EXTRACT_WEBAPPS, path.join(ctx.dir, tests, testsJar!), path.join(share, 'hdfs')]);

  await ctx.write('etc/hadoop/log4j.properties', LOG4J_PROPERTIES);
  for (const f of ['core-site.xml', 'hdfs-site.xml', 'yarn-site.xml', 'mapred-site.xml']) await ctx.write(`etc/hadoop/${f}`, EMPTY_SITE);
  await ctx.write('etc/hadoop/capacity-scheduler.xml', CAPACITY_SCHEDULER);
  ctx.log(`hadoop ${version}: ${placed.size} jars under share/hadoop, hdfs webapps, etc/hadoop written`);
}

/** Hadoop (HDFS + YARN) at `version`: the official tarball when its checksum is known, else assembled from Maven Central. */
export function hadoopRecipe(version: string = HADOOP_DEFAULT_VERSION): ArtifactRecipe {
  const sha512 = RELEASE_SHA512[version];
  const name = `hadoop-${version}`;
  return {
    component: 'hadoop',
    version,
    title: 'Apache Hadoop (HDFS, YARN)',
    url: sha512 ? { url: `https://archive.apache.org/dist/hadoop/common/${name}/${name}.tar.gz`, sha512, stripComponents: 1 } : undefined,
    fileNames: [`${name}.tar.gz`],
    assemble: (ctx) => assembleHadoop(ctx, version),
    requiredPaths: [
      `share/hadoop/common/hadoop-common-${version}.jar`,
      `share/hadoop/hdfs/hadoop-hdfs-${version}.jar`,
      'share/hadoop/hdfs/webapps/hdfs',
      `share/hadoop/yarn/hadoop-yarn-server-resourcemanager-${version}.jar`,
      `share/hadoop/yarn/hadoop-yarn-server-nodemanager-${version}.jar`,
      `share/hadoop/yarn/timelineservice/hadoop-yarn-server-timelineservice-${version}.jar`,
      'etc/hadoop/log4j.properties',
    ],
    // Java 8 runs Hadoop 3.4 too, but pyro's launch flags (--add-opens) need 9+; pyro runs it on 17.
    javaMin: 11,
  };
}

export default hadoopRecipe();
