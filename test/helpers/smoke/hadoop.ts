import { shellQuote as q, type Host } from '../../../src/hosts/host.js';
import { HADOOP_JAVA17_OPENS, HADOOP_MAIN, hadoopClasspath } from '../../../src/artifacts/recipes/hadoop.js';

/** Where and how a smoke runs: scratch dir on the host, its Java, the address daemons bind to and advertise. */
export interface HadoopSmokeOptions {
  workDir: string;
  javaHome?: string;
  address: string;
  /** Seconds to wait for the cluster to report its node (default 180). */
  timeoutSec?: number;
}

type Props = Record<string, string | number | boolean>;

/** A Hadoop *-site.xml with the given properties. */
function siteXml(props: Props): string {
  const esc = (v: string) => v.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
  const body = Object.entries(props).map(([k, v]) => `  <property><name>${esc(k)}</name><value>${esc(String(v))}</value></property>`);
  return `<?xml version="1.0"?>\n<configuration>\n${body.join('\n')}\n</configuration>\n`;
}

/**
 * Host-side: fails (exit 4) naming the first of host:port pairs already taken, so a clash reads as one, not as a
 * daemon that never came up.
 */
const PORTS_FREE = `import socket, sys
for hp in sys.argv[1:]:
    h, p = hp.rsplit(":", 1)
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as the daemons do: TIME_WAIT is no clash
    try:
        s.bind((h, int(p)))
    except OSError as e:
        print("port %s is in use (%s)" % (hp, e)); sys.exit(4)
    finally:
        s.close()
`;

/**
 * Host-side poller: GETs a JSON URL every second until the value at a dotted path equals the wanted one, while every
 * pid file names a live process. Prints one JSON line: {ok, value, docs: [the first URL's answer and each extra
 * URL's], pages: {url: [HTTP status, bytes]}} or {ok: false, why}.
 */
const WAIT_JSON = `import json, os, sys, time, urllib.request
spec = json.loads(sys.argv[1])
def get(url):
    with urllib.request.urlopen(url, timeout=5) as r:
        return json.loads(r.read().decode("utf-8"))
def at(doc, path):
    for k in path.split("."):
        doc = doc[int(k)] if isinstance(doc, list) else doc[k]
    return doc
def alive(pidfile):
    try:
        os.kill(int(open(pidfile).read().strip()), 0)
        return True
    except (OSError, ValueError):
        return False
deadline, last = time.time() + spec["timeout"], "no answer yet"
while time.time() < deadline:
    dead = [p for p in spec["pidfiles"] if not alive(p)]
    if dead:
        print(json.dumps({"ok": False, "why": "process exited: " + ", ".join(dead), "last": last})); sys.exit(3)
    try:
        doc = get(spec["url"])
        value = at(doc, spec["path"])
        last = "%s=%s" % (spec["path"], value)
        if value == spec["want"]:
            docs = [doc] + [get(u) for u in spec.get("extra", [])]
            pages = {}
            for u in spec.get("pages", []):
                with urllib.request.urlopen(u, timeout=5) as r:
                    pages[u] = [r.status, len(r.read())]
            print(json.dumps({"ok": True, "value": value, "docs": docs, "pages": pages})); sys.exit(0)
    except Exception as e:
        last = "%s: %s" % (type(e).__name__, e)
    time.sleep(1)
print(json.dumps({"ok": False, "why": "timed out after %ds" % spec["timeout"], "last": last})); sys.exit(2)
`;

interface Daemon {
  name: string;
  main: string;
  args?: string[];
}

/** Launching, watching and stopping Hadoop daemons from the tree at `root`, with config and logs in workDir. */
class HadoopRun {
  readonly conf: string;
  readonly logs: string;
  readonly pids: string;
  readonly started: Daemon[] = [];
  private readonly java: string;

  constructor(
    readonly host: Host,
    readonly root: string,
    readonly opts: HadoopSmokeOptions,
  ) {
    this.conf = `${opts.workDir}/conf`;
    this.logs = `${opts.workDir}/logs`;
    this.pids = `${opts.workDir}/run`;
    this.java = opts.javaHome ? `${opts.javaHome}/bin/java` : 'java';
  }

  /** Creates workDir's subdirs afresh (data dirs included), writes the config files, checks the ports are free. */
  async prepare(files: Record<string, string>, ports: number[]): Promise<void> {
    const w = this.opts.workDir;
    const r = await this.host.exec(
      `rm -rf ${['conf', 'logs', 'run', 'tmp', 'hdfs', 'yarn'].map((d) => q(`${w}/${d}`)).join(' ')} && mkdir -p ${q(this.conf)} ${q(this.logs)} ${q(this.pids)} && python3 -c ${q(PORTS_FREE)} ${ports.map((p) => q(`${this.opts.address}:${p}`)).join(' ')}`,
      { timeoutMs: 30_000 },
    );
    if (r.exitCode !== 0) throw new Error(`cannot prepare ${w} on ${this.host.name}: ${(r.stdout + r.stderr).trim()}`);
    for (const [name, content] of Object.entries(files)) await this.host.writeFile(`${this.conf}/${name}`, content);
  }

  /** The java command line for a daemon or tool: 256 MB heap, the Java 17 opens, logs to logs/<name>.log. */
  private command(d: Daemon): string {
    return [
      q(this.java),
      '-Xmx256m',
      ...HADOOP_JAVA17_OPENS,
      '-Djava.net.preferIPv4Stack=true',
      `-Dproc_${d.name}`,
      q(`-Dhadoop.home.dir=${this.root}`),
      q(`-Dhadoop.log.dir=${this.logs}`),
      q(`-Dhadoop.log.file=${d.name}.log`),
      '-Dhadoop.root.logger=INFO,RFA',
      q(`-Dlog4j.configuration=file:${this.root}/etc/hadoop/log4j.properties`),
      '-cp',
      q(hadoopClasspath(this.root, this.conf)),
      d.main,
      ...(d.args ?? []).map(q),
    ].join(' ');
  }

  /** Runs a tool in the foreground; throws with its log when it fails. */
  async tool(d: Daemon, timeoutMs = 180_000): Promise<void> {
    const r = await this.host.exec(`${this.command(d)} > ${q(`${this.logs}/${d.name}.out`)} 2>&1 < /dev/null`, { timeoutMs });
    if (r.exitCode !== 0) throw new Error(`${d.name} failed on ${this.host.name} (exit ${r.exitCode}):\n${await this.tails([d])}`);
  }

  /** Starts a daemon in its own session (so it outlives the SSH channel), its pid in run/<name>.pid. */
  async start(d: Daemon): Promise<void> {
    this.started.push(d);
    const r = await this.host.exec(`nohup setsid ${this.command(d)} > ${q(`${this.logs}/${d.name}.out`)} 2>&1 < /dev/null &\necho $! > ${q(this.pidFile(d))}`, {
      timeoutMs: 30_000,
    });
    if (r.exitCode !== 0) throw new Error(`cannot start ${d.name} on ${this.host.name}: ${r.stderr.trim()}`);
  }

  pidFile(d: Daemon): string {
    return `${this.pids}/${d.name}.pid`;
  }

  /** Polls a JSON URL on the host until `path` equals `want`, failing early when a started daemon dies. */
  async waitJson(url: string, path: string, want: unknown, more: { extra?: string[]; pages?: string[] } = {}): Promise<{ docs: unknown[]; pages: string }> {
    const timeout = this.opts.timeoutSec ?? 180;
    const spec = { url, path, want, ...more, timeout, pidfiles: this.started.map((d) => this.pidFile(d)) };
    const r = await this.host.exec(`python3 -c ${q(WAIT_JSON)} ${q(JSON.stringify(spec))}`, { timeoutMs: (timeout + 60) * 1000 });
    let out: { ok: boolean; why?: string; last?: string; docs?: unknown[]; pages?: Record<string, [number, number]> };
    try {
      out = JSON.parse(r.stdout.trim().split('\n').pop() ?? '') as typeof out;
    } catch {
      out = { ok: false, why: `waiter failed (exit ${r.exitCode}): ${(r.stdout + r.stderr).trim()}` };
    }
    if (!out.ok)
      throw new Error(
        `${url} never showed ${path}=${JSON.stringify(want)} on ${this.host.name}: ${out.why} (last: ${out.last})\n${await this.tails(this.started)}`,
      );
    const pages = Object.entries(out.pages ?? {}).map(([u, [status, bytes]]) => `${new URL(u).port}${new URL(u).pathname} ${status} (${bytes} B)`);
    return { docs: out.docs ?? [], pages: pages.join(', ') };
  }

  /** The last 30 lines of each daemon's log, and of its stdout/stderr when that has anything (JVM errors). */
  async tails(daemons: Daemon[]): Promise<string> {
    const script = daemons
      .map((d) => {
        const log = q(`${this.logs}/${d.name}.log`);
        const out = q(`${this.logs}/${d.name}.out`);
        return `echo "--- ${d.name}.log (last 30 lines)"; tail -n 30 ${log} 2>/dev/null; if [ -s ${out} ]; then echo "--- ${d.name}.out"; tail -n 30 ${out}; fi`;
      })
      .join('\n');
    return (await this.host.exec(script, { timeoutMs: 30_000 }).catch((e: Error) => ({ stdout: `(cannot read logs: ${e.message})` }))).stdout;
  }

  /** Stops every started daemon: TERM, up to 20 s, then KILL; by pid file only. */
  async stopAll(): Promise<void> {
    if (!this.started.length) return;
    const files = this.started.map((d) => q(this.pidFile(d))).join(' ');
    await this.host.exec(
      `for f in ${files}; do [ -s "$f" ] && kill -TERM "$(cat "$f")" 2>/dev/null; done
i=0
while [ $i -lt 40 ]; do
  up=0
  for f in ${files}; do [ -s "$f" ] && kill -0 "$(cat "$f")" 2>/dev/null && up=1; done
  [ $up = 0 ] && break
  sleep 0.5; i=$((i+1))
done
for f in ${files}; do [ -s "$f" ] && kill -KILL "$(cat "$f")" 2>/dev/null; rm -f "$f"; done
true`,
      { timeoutMs: 60_000 },
    );
    this.started.length = 0;
  }
}

const seconds = (since: number) => ((Date.now() - since) / 1000).toFixed(1);

/**
 * Formats a NameNode, starts it and one DataNode from the tree at `root` (official tarball or assembly), waits
 * until the NameNode's JMX reports the DataNode live, then stops both. Returns what the NameNode reported.
 */
export async function smokeHdfs(host: Host, root: string, opts: HadoopSmokeOptions): Promise<string> {
  const a = opts.address;
  const w = opts.workDir;
  const run = new HadoopRun(host, root, opts);
  const t0 = Date.now();
  await run.prepare(
    {
      'core-site.xml': siteXml({ 'fs.defaultFS': `hdfs://${a}:8020`, 'hadoop.tmp.dir': `${w}/tmp` }),
      'hdfs-site.xml': siteXml({
        'dfs.namenode.name.dir': `${w}/hdfs/name`,
        'dfs.datanode.data.dir': `${w}/hdfs/data`,
        'dfs.replication': 1,
        'dfs.namenode.rpc-address': `${a}:8020`,
        'dfs.namenode.http-address': `${a}:9870`,
        'dfs.datanode.address': `${a}:9866`,
        'dfs.datanode.http.address': `${a}:9864`,
        'dfs.datanode.ipc.address': `${a}:9867`,
        // Simulated hosts and 127.0.0.1 may lack reverse DNS.
        'dfs.namenode.datanode.registration.ip-hostname-check': false,
      }),
    },
    [8020, 9870, 9866, 9864, 9867],
  );
  try {
    await run.tool({ name: 'namenode-format', main: HADOOP_MAIN.namenode, args: ['-format', '-nonInteractive', '-clusterid', 'pyro-smoke'] });
    const formatted = seconds(t0);
    const t1 = Date.now();
    await run.start({ name: 'namenode', main: HADOOP_MAIN.namenode });
    await run.start({ name: 'datanode', main: HADOOP_MAIN.datanode });
    const jmx = `http://${a}:9870/jmx?qry=`;
    const { docs, pages } = await run.waitJson(`${jmx}Hadoop:service=NameNode,name=FSNamesystemState`, 'beans.0.NumLiveDataNodes', 1, {
      extra: [`${jmx}Hadoop:service=NameNode,name=NameNodeInfo`],
      // The web UIs' pages: served from share/hadoop/hdfs/webapps.
      pages: [`http://${a}:9870/dfshealth.html`, `http://${a}:9864/datanode.html`],
    });
    const [state, info] = docs as { beans: Record<string, unknown>[] }[];
    const s = state!.beans[0]!;
    const i = info!.beans[0]!;
    if (i.ClusterId !== 'pyro-smoke') throw new Error(`NameNode reports ClusterId ${String(i.ClusterId)}, expected pyro-smoke`);
    const up = seconds(t1);
    return [
      `NameNode formatted (clusterid pyro-smoke) in ${formatted} s`,
      `NameNode + DataNode up in ${up} s: /jmx FSNamesystemState NumLiveDataNodes=${String(s.NumLiveDataNodes)}, FSState=${String(s.FSState)}, CapacityTotal=${(Number(s.CapacityTotal) / 2 ** 30).toFixed(0)} GiB`,
      `NameNodeInfo ClusterId=${String(i.ClusterId)}, Version=${String(i.Version).split(',')[0]}`,
      `web UI ${pages}`,
    ].join('; ');
  } finally {
    await run.stopAll();
  }
}

/**
 * Starts a ResourceManager and a NodeManager (2 GB, 2 vcores, no vmem check) from the tree at `root`, waits until
 * the ResourceManager's REST API counts the node active, then stops both. Returns what the ResourceManager reported.
 */
export async function smokeYarn(host: Host, root: string, opts: HadoopSmokeOptions): Promise<string> {
  const a = opts.address;
  const w = opts.workDir;
  const run = new HadoopRun(host, root, opts);
  await run.prepare(
    {
      'core-site.xml': siteXml({ 'hadoop.tmp.dir': `${w}/tmp` }),
      'yarn-site.xml': siteXml({
        'yarn.resourcemanager.hostname': a,
        'yarn.resourcemanager.webapp.address': `${a}:8088`,
        'yarn.nodemanager.hostname': a,
        'yarn.nodemanager.local-dirs': `${w}/yarn/local`,
        'yarn.nodemanager.log-dirs': `${w}/yarn/logs`,
        'yarn.nodemanager.resource.memory-mb': 2048,
        'yarn.nodemanager.resource.cpu-vcores': 2,
        'yarn.nodemanager.vmem-check-enabled': false,
        // A nearly full build disk must not mark the only node unhealthy.
        'yarn.nodemanager.disk-health-checker.max-disk-utilization-per-disk-percentage': 99,
        'yarn.scheduler.minimum-allocation-mb': 256,
        'yarn.scheduler.maximum-allocation-mb': 2048,
      }),
      'capacity-scheduler.xml': siteXml({
        'yarn.scheduler.capacity.root.queues': 'default',
        'yarn.scheduler.capacity.root.default.capacity': 100,
        'yarn.scheduler.capacity.root.default.maximum-capacity': 100,
        'yarn.scheduler.capacity.maximum-am-resource-percent': 0.5,
      }),
    },
    [8030, 8031, 8032, 8033, 8088, 8040, 8042],
  );
  try {
    const t1 = Date.now();
    await run.start({ name: 'resourcemanager', main: HADOOP_MAIN.resourcemanager });
    await run.start({ name: 'nodemanager', main: HADOOP_MAIN.nodemanager });
    const api = `http://${a}:8088/ws/v1/cluster`;
    const { docs, pages } = await run.waitJson(`${api}/metrics`, 'clusterMetrics.activeNodes', 1, {
      extra: [`${api}/info`, `${api}/nodes`],
      pages: [`http://${a}:8088/cluster`, `http://${a}:8042/node`],
    });
    const [metrics, info, nodes] = docs as [
      { clusterMetrics: Record<string, unknown> },
      { clusterInfo: Record<string, unknown> },
      { nodes: { node: Record<string, unknown>[] } },
    ];
    const m = metrics.clusterMetrics;
    const node = nodes.nodes.node[0]!;
    return [
      `ResourceManager + NodeManager up in ${seconds(t1)} s`,
      `/ws/v1/cluster/metrics activeNodes=${String(m.activeNodes)}, totalMB=${String(m.totalMB)}, totalVirtualCores=${String(m.totalVirtualCores)}`,
      `node ${String(node.id)} ${String(node.state)}`,
      `ResourceManager ${String(info.clusterInfo.resourceManagerVersion)} (${String(info.clusterInfo.state)})`,
      `web UI ${pages}`,
    ].join('; ');
  } finally {
    await run.stopAll();
  }
}
