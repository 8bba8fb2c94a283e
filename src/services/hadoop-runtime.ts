import { HADOOP_JAVA17_OPENS, hadoopClasspath } from '../artifacts/recipes/hadoop.js';
import { roleBlock } from '../inventory/resolve.js';
import type { Inventory } from '../inventory/types.js';
import { renderHadoopXml, type ConfigValue } from '../render/hadoop-xml.js';
import { countOf, endpoint, roleMarker, theOne, userConfig, type RuntimeContext } from './runtime.js';

type Props = Record<string, ConfigValue>;

/** fs.defaultFS and friends: every Hadoop daemon reads it. */
function coreSite(ctx: RuntimeContext): Props {
  const nn = theOne(ctx.inv, 'hdfs-namenode');
  return {
    'fs.defaultFS': `hdfs://${endpoint(nn, 'rpc')}`,
    'hadoop.tmp.dir': `${ctx.inst.host.dataDir}/hadoop-tmp`,
    ...userConfig(ctx.inv, ctx.inst, 'core-site.xml'),
  };
}

export function hdfsReplication(inv: Inventory): number {
  const hdfs = (inv.raw.services?.hdfs ?? {}) as { replication?: number };
  return hdfs.replication ?? Math.min(3, countOf(inv, 'hdfs-datanode'));
}

/** The NameNode's addresses (every HDFS daemon needs them) plus this instance's own dirs and listeners. */
function hdfsSite(ctx: RuntimeContext): Props {
  const { inv, inst } = ctx;
  const nn = theOne(inv, 'hdfs-namenode');
  const p: Props = {
    'dfs.replication': hdfsReplication(inv),
    'dfs.namenode.rpc-address': endpoint(nn, 'rpc'),
    'dfs.namenode.http-address': endpoint(nn, 'http'),
    // Hosts are named by address in the inventory; reverse DNS may not know them.
    'dfs.namenode.datanode.registration.ip-hostname-check': false,
    // With data on disk, leave safe mode 5 s after the block threshold is met (Hadoop's 30 s only delays a gate).
    'dfs.namenode.safemode.extension': 5000,
    'dfs.permissions.superusergroup': 'pyro',
  };
  if (inst.def.role === 'hdfs-namenode') p['dfs.namenode.name.dir'] = inst.dirs.name!;
  if (inst.def.role === 'hdfs-datanode') {
    Object.assign(p, {
      'dfs.datanode.data.dir': inst.dirs.data!,
      'dfs.datanode.address': endpoint(inst, 'data'),
      'dfs.datanode.http.address': endpoint(inst, 'http'),
      'dfs.datanode.ipc.address': endpoint(inst, 'ipc'),
      // WebHDFS redirects clients to this name: the inventory's address is the one known to reach the host.
      'dfs.datanode.hostname': inst.host.address,
    });
  }
  return { ...p, ...userConfig(inv, inst, 'hdfs-site.xml') };
}

/** NodeManager container memory: the inventory's, else what the host has beyond its roles' heaps and 1 GiB. */
export function nodeManagerMemoryMb(ctx: RuntimeContext): number {
  const block = roleBlock(ctx.inv.raw, ctx.inst.def) as { memoryMb?: number };
  if (block.memoryMb) return block.memoryMb;
  const total = ctx.resources?.memTotalMb ?? 8192;
  const heaps = ctx.inv.instances.filter((i) => i.host === ctx.inst.host).reduce((n, i) => n + i.heapMb, 0);
  return Math.max(1024, Math.floor((total - heaps - 1024) / 256) * 256);
}

function nodeManagerVcores(ctx: RuntimeContext): number {
  const block = roleBlock(ctx.inv.raw, ctx.inst.def) as { vcores?: number };
  return block.vcores ?? Math.max(1, ctx.resources?.cpus ?? 2);
}

function yarnSite(ctx: RuntimeContext): Props {
  const { inv, inst } = ctx;
  const rm = theOne(inv, 'yarn-resourcemanager');
  const p: Props = {
    'yarn.resourcemanager.hostname': rm.host.address,
    'yarn.resourcemanager.address': endpoint(rm, 'rpc'),
    'yarn.resourcemanager.scheduler.address': endpoint(rm, 'scheduler'),
    'yarn.resourcemanager.resource-tracker.address': endpoint(rm, 'tracker'),
    'yarn.resourcemanager.admin.address': endpoint(rm, 'admin'),
    'yarn.resourcemanager.webapp.address': endpoint(rm, 'http'),
    'yarn.scheduler.minimum-allocation-mb': 256,
  };
  const nms = inv.instances.filter((i) => i.def.role === 'yarn-nodemanager');
  if (inst.def.role === 'yarn-resourcemanager' && nms.length) {
    // The largest container any node can hold.
    p['yarn.scheduler.maximum-allocation-mb'] = Math.max(...nms.map((nm) => nodeManagerMemoryMb({ ...ctx, inst: nm })));
  }
  if (inst.def.role === 'yarn-nodemanager') {
    const mem = nodeManagerMemoryMb(ctx);
    Object.assign(p, {
      'yarn.nodemanager.hostname': inst.host.address,
      'yarn.nodemanager.address': endpoint(inst, 'rpc'),
      'yarn.nodemanager.localizer.address': endpoint(inst, 'localizer'),
      'yarn.nodemanager.webapp.address': endpoint(inst, 'http'),
      'yarn.nodemanager.local-dirs': inst.dirs.local!,
      'yarn.nodemanager.log-dirs': inst.dirs.logs!,
      'yarn.nodemanager.resource.memory-mb': mem,
      'yarn.nodemanager.resource.cpu-vcores': nodeManagerVcores(ctx),
      'yarn.scheduler.maximum-allocation-mb': mem,
      // JVMs reserve far more virtual memory than they use; the physical check is the one that matters.
      'yarn.nodemanager.vmem-check-enabled': false,
      'yarn.nodemanager.disk-health-checker.max-disk-utilization-per-disk-percentage': 98,
    });
  }
  return { ...p, ...userConfig(inv, inst, 'yarn-site.xml') };
}

function capacityScheduler(ctx: RuntimeContext): Props {
  return {
    'yarn.scheduler.capacity.root.queues': 'default',
    'yarn.scheduler.capacity.root.default.capacity': 100,
    'yarn.scheduler.capacity.root.default.maximum-capacity': 100,
    // Streaming jobs are long-lived ApplicationMasters: let them take half the cluster.
    'yarn.scheduler.capacity.maximum-am-resource-percent': 0.5,
    ...userConfig(ctx.inv, ctx.inst, 'capacity-scheduler.xml'),
  };
}

/** The site files a Hadoop role reads from its conf dir. */
export function hadoopFiles(ctx: RuntimeContext): Record<string, string> {
  const files: Record<string, string> = { 'core-site.xml': renderHadoopXml(coreSite(ctx)) };
  if (ctx.inst.def.component === 'hdfs') files['hdfs-site.xml'] = renderHadoopXml(hdfsSite(ctx));
  if (ctx.inst.def.component === 'yarn') {
    files['yarn-site.xml'] = renderHadoopXml(yarnSite(ctx));
    if (ctx.inst.def.role === 'yarn-resourcemanager') files['capacity-scheduler.xml'] = renderHadoopXml(capacityScheduler(ctx));
  }
  return files;
}

export const HADOOP_LOG_FILE = 'daemon.log';

/** java argv for a Hadoop daemon or tool, config dir first on the classpath, logging to the instance's log dir. */
export function hadoopLaunch(ctx: RuntimeContext, main: string, args: string[] = [], heapMb = ctx.heapMb): string[] {
  const root = ctx.artifactRoot('hadoop');
  return [
    ctx.java, `-Xms${heapMb}m`, `-Xmx${heapMb}m`, ...HADOOP_JAVA17_OPENS, '-Djava.net.preferIPv4Stack=true',
    roleMarker(ctx.inst.def.role), `-Dhadoop.home.dir=${root}`, `-Dhadoop.log.dir=${ctx.paths.logs}`, `-Dyarn.log.dir=${ctx.paths.logs}`,
    `-Dhadoop.log.file=${HADOOP_LOG_FILE}`, '-Dhadoop.root.logger=INFO,RFA', '-Dhadoop.log.maxfilesize=64MB', '-Dhadoop.log.maxbackupindex=10',
    `-Dlog4j.configuration=file:${root}/etc/hadoop/log4j.properties`,
    '-cp', hadoopClasspath(root, ctx.paths.conf), main, ...args,
  ];
}

/** Environment Hadoop daemons pass on (NodeManagers hand it to containers through the env whitelist). */
export function hadoopEnv(ctx: RuntimeContext): Record<string, string> {
  const root = ctx.artifactRoot('hadoop');
  return {
    HADOOP_HOME: root, HADOOP_COMMON_HOME: root, HADOOP_HDFS_HOME: root, HADOOP_YARN_HOME: root, HADOOP_MAPRED_HOME: root,
    HADOOP_CONF_DIR: ctx.paths.conf,
  };
}
