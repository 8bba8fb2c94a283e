/** A host as given to `pyro init`. */
export interface InitHost {
  name: string;
  address: string;
  connection?: 'local';
}

export interface Layout {
  hosts: (InitHost & { roles: string[] })[];
}

const MASTERS = ['hdfs-namenode', 'yarn-resourcemanager'];
const WORKERS = ['hdfs-datanode', 'yarn-nodemanager', 'kafka-broker'];
const SERVING = ['postgresql', 'superset'];

/**
 * Proposes roles for n hosts: masters and serving on the first host, workers everywhere (except on the
 * first host once there are five or more), a KRaft quorum of 1 or 3, and a Flume agent on the second host.
 */
export function proposeLayout(hosts: InitHost[]): Layout {
  const n = hosts.length;
  const quorum = n >= 3 ? 3 : 1;
  return {
    hosts: hosts.map((h, i) => {
      const roles: string[] = [];
      if (i === 0) roles.push(...MASTERS);
      if (i < quorum) roles.push('kafka-controller');
      if (n < 5 || i > 0) roles.push(...WORKERS);
      if (i === 0) roles.push(...SERVING);
      if (i === Math.min(1, n - 1)) roles.push('flume');
      return { ...h, roles };
    }),
  };
}

/** Parses `--hosts`: `name=address` or bare addresses (named node1, node2, ...), comma or space separated. */
export function parseHostList(value: string): InitHost[] {
  const items = value.split(/[\s,]+/).filter(Boolean);
  return items.map((item, i) => {
    const eq = item.indexOf('=');
    if (eq > 0) return { name: item.slice(0, eq), address: item.slice(eq + 1) };
    return { name: `node${i + 1}`, address: item };
  });
}
