import { renderHadoopXml } from '../../render/hadoop-xml.js';
import { coreSite, type Props } from '../hadoop/common.js';
import { endpoint, userConfig, type RuntimeContext } from '../runtime.js';
import { NODEMANAGER, resourceManager, RESOURCEMANAGER } from './endpoints.js';
import { nodeManagerSettings } from './settings.js';

/** NodeManager container memory: the inventory's, else what the host has beyond its roles' heaps and 1 GiB. */
export function nodeManagerMemoryMb(ctx: RuntimeContext): number {
  const set = nodeManagerSettings(ctx.inst).memoryMb;
  if (set) return set;
  const total = ctx.resources?.memTotalMb ?? 8192;
  const heaps = ctx.inv.instances.filter((i) => i.host === ctx.inst.host).reduce((n, i) => n + i.heapMb, 0);
  return Math.max(1024, Math.floor((total - heaps - 1024) / 256) * 256);
}

function nodeManagerVcores(ctx: RuntimeContext): number {
  return nodeManagerSettings(ctx.inst).vcores ?? Math.max(1, ctx.resources?.cpus ?? 2);
}

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
    // The largest container any node can hold.
    p['yarn.scheduler.maximum-allocation-mb'] = Math.max(...nms.map((nm) => nodeManagerMemoryMb({ ...ctx, inst: nm })));
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
      'yarn.nodemanager.resource.memory-mb': mem,
      'yarn.nodemanager.resource.cpu-vcores': nodeManagerVcores(ctx),
      'yarn.scheduler.maximum-allocation-mb': mem,
      // JVMs reserve far more virtual memory than they use; the physical check is the one that matters.
      'yarn.nodemanager.vmem-check-enabled': false,
      'yarn.nodemanager.disk-health-checker.max-disk-utilization-per-disk-percentage': 98,
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

/** The site files a YARN daemon reads from its conf dir. */
export function yarnFiles(ctx: RuntimeContext): Record<string, string> {
  const files: Record<string, string> = { 'core-site.xml': renderHadoopXml(coreSite(ctx)), 'yarn-site.xml': renderHadoopXml(yarnSite(ctx)) };
  if (ctx.inst.def.role === RESOURCEMANAGER) files['capacity-scheduler.xml'] = renderHadoopXml(capacityScheduler(ctx));
  return files;
}
