import { renderHadoopXml } from '../../render/hadoop-xml.js';
import { coreSite, HOSTS_FILES, hostLists, type Props } from '../hadoop/common.js';
import { endpoint, userConfig, type RuntimeContext } from '../runtime.js';
import { DATANODE, nameNode } from './endpoints.js';
import { hdfsSettingsOf } from './settings.js';

/** The NameNode's addresses (every HDFS daemon needs them) plus this instance's own dirs and listeners. */
function hdfsSite(ctx: RuntimeContext): Props {
  const { inv, inst } = ctx;
  const nn = nameNode(inv);
  const p: Props = {
    'dfs.replication': hdfsSettingsOf(inst).replication,
    'dfs.namenode.rpc-address': endpoint(nn, 'rpc'),
    'dfs.namenode.http-address': endpoint(nn, 'http'),
    // Hosts are named by address in the inventory; reverse DNS may not know them.
    'dfs.namenode.datanode.registration.ip-hostname-check': false,
    // With data on disk, leave safe mode 5 s after the block threshold is met (Hadoop's 30 s only delays a gate).
    'dfs.namenode.safemode.extension': 5000,
    'dfs.permissions.superusergroup': 'pyro',
  };
  if (inst.dirs.name) {
    p['dfs.namenode.name.dir'] = inst.dirs.name;
    // Only the DataNodes listed may register; one listed in both is drained (decommissioned). `-refreshNodes`
    // reads both again, so a host joining or leaving never restarts the NameNode.
    p['dfs.hosts'] = `${ctx.paths.conf}/${HOSTS_FILES.include}`;
    p['dfs.hosts.exclude'] = `${ctx.paths.conf}/${HOSTS_FILES.exclude}`;
    // How often a decommission's progress is checked (Hadoop's 30 s only delays the end of a drain).
    p['dfs.namenode.decommission.interval'] = '5s';
  }
  if (inst.dirs.data) {
    Object.assign(p, {
      'dfs.datanode.data.dir': inst.dirs.data,
      'dfs.datanode.address': endpoint(inst, 'data'),
      'dfs.datanode.http.address': endpoint(inst, 'http'),
      'dfs.datanode.ipc.address': endpoint(inst, 'ipc'),
      // WebHDFS redirects clients to this name: the inventory's address is the one known to reach the host.
      'dfs.datanode.hostname': inst.host.address,
    });
  }
  return { ...p, ...userConfig(inst, 'hdfs-site.xml') };
}

/** The site files an HDFS daemon reads from its conf dir; the NameNode's DataNode lists too. */
export function hdfsFiles(ctx: RuntimeContext): Record<string, string> {
  const files = { 'core-site.xml': renderHadoopXml(coreSite(ctx)), 'hdfs-site.xml': renderHadoopXml(hdfsSite(ctx)) };
  return ctx.inst.dirs.name ? { ...files, ...hostLists(ctx.inv.instances, ctx.retiring ?? [], DATANODE) } : files;
}
