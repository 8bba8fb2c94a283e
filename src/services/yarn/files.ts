import type { ServiceInstance } from '../../inventory/types.js';
import { renderHadoopXml } from '../../render/hadoop-xml.js';
import { coreSite, HOSTS_FILES, hostLists, type Props } from '../hadoop/common.js';
import { endpoint, userConfig, type RuntimeContext } from '../runtime.js';
import { NODEMANAGER, resourceManager, RESOURCEMANAGER } from './endpoints.js';
import { nodeManagerSettings } from './settings.js';

const MEMORY_KEY = 'yarn.nodemanager.resource.memory-mb';
const VCORES_KEY = 'yarn.nodemanager.resource.cpu-vcores';

/**
 * YARN's own ceiling for a resource. The ResourceManager caps its maximum allocation at the largest NodeManager
 * that registered (ClusterNodeTracker), so a bound this high lets the NodeManagers' real sizes decide.
 */
const NO_BOUND = 2 ** 31 - 1;

/** What the inventory fixes of a NodeManager's containers (yarn-site.xml, else the settings); unset: sized from its host. */
function fixedOffer(nm: ServiceInstance): { memoryMb?: number; vcores?: number } {
  const site = userConfig(nm, 'yarn-site.xml');
  const num = (v: unknown) => (v === undefined || v === '' || !Number.isFinite(Number(v)) ? undefined : Number(v));
  const s = nodeManagerSettings(nm);
  return { memoryMb: num(site[MEMORY_KEY]) ?? s.memoryMb, vcores: num(site[VCORES_KEY]) ?? s.vcores };
}

/** NodeManager container memory: the inventory's, else what the host has beyond its roles' heaps and 1 GiB. */
function nodeManagerMemoryMb(ctx: RuntimeContext): number {
  const set = fixedOffer(ctx.inst).memoryMb;
  if (set) return set;
  const total = ctx.resources?.memTotalMb ?? 8192;
  const heaps = ctx.inv.instances.filter((i) => i.host === ctx.inst.host).reduce((n, i) => n + i.heapMb, 0);
  return Math.max(1024, Math.floor((total - heaps - 1024) / 256) * 256);
}

function nodeManagerVcores(ctx: RuntimeContext): number {
  return fixedOffer(ctx.inst).vcores ?? Math.max(1, ctx.resources?.cpus ?? 2);
}

/**
 * The ResourceManager's largest container: the largest NodeManager's. It renders with its own host's facts only, so
 * a NodeManager that sizes itself on another host leaves the bound to YARN: a guess from this host's memory could
 * refuse containers that NodeManager holds.
 */
function maxAllocation(ctx: RuntimeContext, nms: ServiceInstance[]): { mb: number; vcores: number } {
  const offers = nms.map((nm) => {
    if (nm.host !== ctx.inst.host) return fixedOffer(nm);
    const here = { ...ctx, inst: nm };
    return { memoryMb: nodeManagerMemoryMb(here), vcores: nodeManagerVcores(here) };
  });
  const largest = (k: 'memoryMb' | 'vcores') => (offers.every((o) => o[k] !== undefined) ? Math.max(...offers.map((o) => o[k]!)) : NO_BOUND);
  return { mb: largest('memoryMb'), vcores: largest('vcores') };
}

/** Where the ResourceManager keeps its applications across restarts. */
export const rmStateDir = (inst: ServiceInstance) => `${inst.host.dataDir}/yarn/rm-state`;

function yarnSite(ctx: RuntimeContext): Props {
  const { inv, inst } = ctx;
  const rm = resourceManager(inv);
  const p: Props = {
    'yarn.resourcemanager.hostname': rm.host.address,
    'yarn.resourcemanager.address': endpoint(rm, 'rpc'),
    'yarn.resourcemanager.scheduler.address': endpoint(rm, 'scheduler'),
    'yarn.resourcemanager.resource-tracker.address': endpoint(rm, 'tracker'),
    'yarn.resourcemanager.admin.address': endpoint(rm, 'admin'),
    'yarn.resourcemanager.webapp.address': endpoint(rm, 'http'),
    'yarn.scheduler.minimum-allocation-mb': 256,
  };
  const nms = inv.instances.filter((i) => i.def.role === NODEMANAGER);
  if (inst.def.role === RESOURCEMANAGER && nms.length) {
    const max = maxAllocation(ctx, nms);
    p['yarn.scheduler.maximum-allocation-mb'] = max.mb;
    p['yarn.scheduler.maximum-allocation-vcores'] = max.vcores;
  }
  if (inst.def.role === RESOURCEMANAGER) {
    // Only the NodeManagers listed may register; `-refreshNodes -g` drains the excluded ones gracefully.
    p['yarn.resourcemanager.nodes.include-path'] = `${ctx.paths.conf}/${HOSTS_FILES.include}`;
    p['yarn.resourcemanager.nodes.exclude-path'] = `${ctx.paths.conf}/${HOSTS_FILES.exclude}`;
    p['yarn.resourcemanager.decommissioning-nodes-watcher.poll-interval-secs'] = 5;
    // Work-preserving recovery: applications (a streaming job's ApplicationMaster and executors) outlive a restart.
    p['yarn.resourcemanager.recovery.enabled'] = true;
    p['yarn.resourcemanager.store.class'] = 'org.apache.hadoop.yarn.server.resourcemanager.recovery.LeveldbRMStateStore';
    p['yarn.resourcemanager.leveldb-state-store.path'] = rmStateDir(inst);
    p['yarn.resourcemanager.work-preserving-recovery.enabled'] = true;
  }
  if (inst.def.role === NODEMANAGER) {
    const mem = nodeManagerMemoryMb(ctx);
    Object.assign(p, {
      'yarn.nodemanager.hostname': inst.host.address,
      'yarn.nodemanager.address': endpoint(inst, 'rpc'),
      'yarn.nodemanager.localizer.address': endpoint(inst, 'localizer'),
      'yarn.nodemanager.webapp.address': endpoint(inst, 'http'),
      'yarn.nodemanager.local-dirs': inst.dirs.local!,
      'yarn.nodemanager.log-dirs': inst.dirs.logs!,
      [MEMORY_KEY]: mem,
      [VCORES_KEY]: nodeManagerVcores(ctx),
      'yarn.scheduler.maximum-allocation-mb': mem,
      // JVMs reserve far more virtual memory than they use; the physical check is the one that matters.
      'yarn.nodemanager.vmem-check-enabled': false,
      'yarn.nodemanager.disk-health-checker.max-disk-utilization-per-disk-percentage': 98,
      // Containers outlive a NodeManager restart: supervised recovery leaves them running when it stops, and the
      // restarted NodeManager takes them back from its state store.
      'yarn.nodemanager.recovery.enabled': true,
      'yarn.nodemanager.recovery.dir': `${inst.host.dataDir}/yarn/nm-recovery`,
      'yarn.nodemanager.recovery.supervised': true,
    });
  }
  return { ...p, ...userConfig(inst, 'yarn-site.xml') };
}

function capacityScheduler(ctx: RuntimeContext): Props {
  return {
    'yarn.scheduler.capacity.root.queues': 'default',
    'yarn.scheduler.capacity.root.default.capacity': 100,
    'yarn.scheduler.capacity.root.default.maximum-capacity': 100,
    // Streaming jobs are long-lived ApplicationMasters: let them take half the cluster.
    'yarn.scheduler.capacity.maximum-am-resource-percent': 0.5,
    ...userConfig(ctx.inst, 'capacity-scheduler.xml'),
  };
}

/**
 * MapReduce on YARN. Containers get the NodeManager's conf dir as HADOOP_CONF_DIR, so these keys (and the
 * inventory's, e.g. output committer settings) also reach the Hadoop code inside Spark jobs.
 */
function mapredSite(ctx: RuntimeContext): Props {
  // MR's ApplicationMaster and tasks find their jars there; set here rather than left to the NodeManager's env whitelist.
  const home = `HADOOP_MAPRED_HOME=${ctx.artifactRoot('hadoop')}`;
  return {
    'mapreduce.framework.name': 'yarn',
    'yarn.app.mapreduce.am.env': home,
    'mapreduce.map.env': home,
    'mapreduce.reduce.env': home,
    ...userConfig(ctx.inst, 'mapred-site.xml'),
  };
}

/** The site files a YARN daemon reads from its conf dir. */
export function yarnFiles(ctx: RuntimeContext): Record<string, string> {
  const files: Record<string, string> = {
    'core-site.xml': renderHadoopXml(coreSite(ctx)),
    'yarn-site.xml': renderHadoopXml(yarnSite(ctx)),
    'mapred-site.xml': renderHadoopXml(mapredSite(ctx)),
  };
  if (ctx.inst.def.role === RESOURCEMANAGER)
    Object.assign(files, { 'capacity-scheduler.xml': renderHadoopXml(capacityScheduler(ctx)) }, hostLists(ctx.inv.instances, ctx.retiring ?? [], NODEMANAGER));
  return files;
}
