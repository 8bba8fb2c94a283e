import { shellQuote, type Host } from '../../../src/hosts/host.js';

/** Options every smoke takes; `python` is the interpreter for PySpark (default python3). */
export interface SparkSmokeOptions {
  workDir: string;
  javaHome?: string;
  address: string;
  python?: string;
}

/** A PySpark job: a JVM-side count, a Python-side map (starts Python workers) and, with `kafka`, a Kafka stream definition. */
const JOB = `import sys
from pyspark.sql import SparkSession

spark = SparkSession.builder.appName("pyro-smoke").getOrCreate()
print("PYRO_COUNT=%d" % spark.range(1000).count())
print("PYRO_PYSUM=%d" % spark.sparkContext.parallelize(range(100), 2).map(lambda x: x * 2).sum())
if "kafka" in sys.argv[1:]:
    df = (spark.readStream.format("kafka")
          .option("kafka.bootstrap.servers", "127.0.0.1:9")
          .option("subscribe", "pyro-smoke").load())
    print("PYRO_KAFKA=%s streaming=%s" % (",".join(df.columns), df.isStreaming))
spark.stop()
`;

const tail = (text: string, n = 30) => text.trimEnd().split('\n').slice(-n).join('\n');

/**
 * Runs `bin/spark-submit --version` and a local[1] PySpark job from the tree at `root` (with the Kafka connector
 * from connectors/ on --jars when present); returns the version and what the job printed.
 */
export async function smokeSpark(host: Host, root: string, opts: SparkSmokeOptions): Promise<string> {
  const w = opts.workDir;
  const q = shellQuote;
  const py = opts.python ?? 'python3';
  const env = [
    opts.javaHome ? `JAVA_HOME=${q(opts.javaHome)}` : '',
    `SPARK_HOME=${q(root)}`,
    `SPARK_CONF_DIR=${q(`${w}/conf`)}`,
    `SPARK_LOCAL_IP=${q(opts.address)}`,
    `SPARK_LOCAL_DIRS=${q(`${w}/tmp`)}`,
    `PYSPARK_PYTHON=${q(py)}`,
    `PYSPARK_DRIVER_PYTHON=${q(py)}`,
  ]
    .filter(Boolean)
    .map((e) => `export ${e}`)
    .join('\n');
  const prep = await host.exec(`mkdir -p ${q(`${w}/conf`)} ${q(`${w}/tmp`)}`);
  if (prep.exitCode !== 0) throw new Error(`cannot create ${w} on ${host.name}: ${prep.stderr}`);
  await host.writeFile(`${w}/job.py`, JOB);

  // spark-submit prints its banner on stderr.
  const v = await host.exec(`${env}\ncd ${q(w)} && timeout -k 5 120 ${q(`${root}/bin/spark-submit`)} --version 2>&1`, { timeoutMs: 150_000 });
  const version = /version (\d+\.\d+\.\d+)/.exec(v.stdout)?.[1];
  if (v.exitCode !== 0 || !version) throw new Error(`spark-submit --version failed on ${host.name} (exit ${v.exitCode}):\n${tail(v.stdout + v.stderr)}`);
  const runtime = /Using Scala version ([^,]+), (.+)/.exec(v.stdout);

  const jars = `$(ls ${q(root)}/connectors/*.jar 2>/dev/null | paste -sd, -)`;
  const submit = [
    'timeout -k 5 240',
    q(`${root}/bin/spark-submit`),
    '--master',
    q('local[1]'),
    '--driver-memory',
    '512m',
    '--conf',
    'spark.ui.enabled=false',
    '--conf',
    q(`spark.driver.host=${opts.address}`),
    '--conf',
    q(`spark.driver.bindAddress=${opts.address}`),
    '--conf',
    'spark.sql.shuffle.partitions=1',
  ].join(' ');
  // The job's stderr (Spark's log) goes to a file; stdout carries the PYRO_ lines.
  const script = `${env}
cd ${q(w)}
JARS=${jars}
if [ -n "$JARS" ]; then set -- --jars "$JARS" job.py kafka; else set -- job.py; fi
${submit} "$@" 2>job.log`;
  const r = await host.exec(script, { timeoutMs: 300_000 });
  const count = /PYRO_COUNT=(\d+)/.exec(r.stdout)?.[1];
  const pysum = /PYRO_PYSUM=(\d+)/.exec(r.stdout)?.[1];
  const kafka = /PYRO_KAFKA=(\S+) streaming=(\w+)/.exec(r.stdout);
  if (r.exitCode !== 0 || count !== '1000' || pysum !== '9900') {
    const log = await host.exec(`tail -n 30 ${q(`${w}/job.log`)}`);
    throw new Error(`PySpark job failed on ${host.name} (exit ${r.exitCode}), stdout:\n${tail(r.stdout, 10)}\n${w}/job.log:\n${log.stdout}${r.stderr}`);
  }
  return [
    `spark-submit --version: ${version}${runtime ? ` (Scala ${runtime[1]}, ${runtime[2]!.trim()})` : ''}`,
    `local[1] PySpark job: range count=${count}, Python map-sum=${pysum}`,
    kafka ? `Kafka source resolved from connectors/ (columns ${kafka[1]}, streaming=${kafka[2]})` : 'no connectors/',
  ].join('; ');
}
