"""pyro's side of a streaming job, shipped with every job pyro submits (--py-files).

pyro and the job talk through files in the job's HDFS dir (spark.pyro.jobDir):
  progress.json  written by the job after each micro-batch (the query's own progress report)
  stop           written by `pyro jobs stop`: the job stops its queries between batches and exits cleanly

`pyro verify` sends tagged records through each ingestion path: their page starts with PROBE_PREFIX. A job keeps
them out of its figures and lets pyro follow them into the serving store with split_probes (see there).
"""
import json
import threading
import time

from pyspark.sql import functions as F, types as T
from pyspark.sql.streaming import StreamingQueryListener

PROBE_PREFIX = "/__pyro/verify/"
PROBES_TABLE = "pyro_probes"
# Queries of pyro's own (the probe recorder) are named <job>PROBES_SUFFIX; their progress is not the job's.
PROBES_SUFFIX = "-pyro-probes"


# The records pyro's sample stack carries: JSON events as `pyro produce` writes them, and web access-log lines in
# the combined format as an ingestion agent tails them. The sample job counts them; the archive job keeps the fields
# beside the raw text.
EVENT = T.StructType([
    T.StructField("id", T.LongType()),
    T.StructField("page", T.StringType()),
    T.StructField("user", T.StringType()),
    T.StructField("ts", T.LongType()),
])

# client ident user [time] "method target protocol" status bytes ...: the groups used are 1 client, 2 user, 3 time,
# 4 target.
COMBINED = r'^(\S+) \S+ (\S+) \[([^\]]+)\] "[A-Z]+ (\S+)[^"]*" \d{3} '


def parse(raw):
    """(page, user, ts) of a record's text: a JSON event or an access-log line; nulls where neither parses."""
    event = F.from_json(raw, EVENT)
    part = lambda i: F.regexp_extract(raw, COMBINED, i)  # noqa: E731 ('' when the line does not match)
    path = F.regexp_extract(part(4), r"^([^?#]*)", 1)
    logged = F.unix_millis(F.try_to_timestamp(part(3), F.lit("dd/MMM/yyyy:HH:mm:ss Z")))
    is_json = F.ltrim(raw).startswith("{")
    logline = ~is_json & (path != "")
    return (
        F.when(is_json, event.page).when(logline, path).alias("page"),
        F.when(is_json, event.user).when(logline & (part(2) != "-"), part(2)).when(logline, part(1)).alias("user"),
        F.when(is_json, event.ts).when(logline, logged).alias("ts"),
    )


class _Files:
    def __init__(self, spark, job_dir):
        self.jvm = spark.sparkContext._jvm
        self.fs = self.jvm.org.apache.hadoop.fs.FileSystem.get(spark.sparkContext._jsc.hadoopConfiguration())
        self.dir = job_dir

    def path(self, name):
        return self.jvm.org.apache.hadoop.fs.Path(self.dir + "/" + name)

    def write(self, name, text):
        # Written beside, then renamed: a reader never sees half a report.
        tmp = self.path(name + ".tmp")
        out = self.fs.create(tmp, True)
        out.write(bytearray(text.encode("utf-8")))
        out.close()
        self.fs.delete(self.path(name), False)
        self.fs.rename(tmp, self.path(name))

    def exists(self, name):
        return self.fs.exists(self.path(name))


class _Progress(StreamingQueryListener):
    def __init__(self, files):
        self.files = files

    def onQueryStarted(self, event):
        if (event.name or "").endswith(PROBES_SUFFIX):
            return
        self.files.write("progress.json", json.dumps({"state": "started", "id": str(event.id), "name": event.name, "time": time.time()}))

    def onQueryProgress(self, event):
        p = json.loads(event.progress.json)
        if (p.get("name") or "").endswith(PROBES_SUFFIX):
            return
        p["state"] = "running"
        self.files.write("progress.json", json.dumps(p))

    def onQueryIdle(self, event):
        pass

    def onQueryTerminated(self, event):
        self.files.write("progress.json", json.dumps({"state": "terminated", "exception": event.exception, "time": time.time()}))


def run(spark, start_queries):
    """Starts the job's queries (start_queries(spark) returns them) with progress reports, then waits until they end
    or pyro asks for a stop."""
    job_dir = spark.conf.get("spark.pyro.jobDir")
    files = _Files(spark, job_dir)
    spark.streams.addListener(_Progress(files))
    queries = start_queries(spark)
    stopping = threading.Event()
    while not stopping.is_set():
        if files.exists("stop"):
            for q in queries:
                q.stop()
            stopping.set()
            break
        if any(not q.isActive for q in queries):
            for q in queries:
                if q.exception():
                    raise q.exception()
            break
        time.sleep(1)
    files.write("progress.json", json.dumps({"state": "stopped", "time": time.time()}))
    spark.stop()


def jdbc(spark):
    """A JDBC connection to the serving database (spark.pyro.pg.*), through the driver class itself: pyro puts the
    driver jar on the driver's class path."""
    jvm = spark.sparkContext._jvm
    conf = spark.conf
    props = jvm.java.util.Properties()
    props.setProperty("user", conf.get("spark.pyro.pg.user"))
    props.setProperty("password", conf.get("spark.pyro.pg.password"))
    return jvm.org.postgresql.Driver().connect(conf.get("spark.pyro.pg.url"), props)


def is_probe(page):
    """Whether a page (a plain string, as a foreachBatch sees rows) is one of pyro verify's tagged records."""
    return page is not None and page.startswith(PROBE_PREFIX)


def ensure_probes_table(spark):
    conn = jdbc(spark)
    try:
        conn.createStatement().execute(
            "CREATE TABLE IF NOT EXISTS " + PROBES_TABLE + " (probe text PRIMARY KEY, job text NOT NULL,"
            " seen_at timestamptz NOT NULL DEFAULT clock_timestamp())")
    finally:
        conn.close()


def record_probes(spark, pages):
    """Records the tagged records a batch saw (their pages) in pyro_probes, once each, under the job's name."""
    if not pages:
        return
    job = spark.conf.get("spark.pyro.job", "job")
    c = jdbc(spark)
    try:
        st = c.prepareStatement("INSERT INTO " + PROBES_TABLE + " (probe, job) VALUES (?, ?) ON CONFLICT (probe) DO NOTHING")
        for page in pages:
            st.setString(1, page[len(PROBE_PREFIX):][:200])
            st.setString(2, job)
            st.addBatch()
        st.executeBatch()
    finally:
        c.close()


def split_probes(spark, events, page="page"):
    """Splits pyro verify's tagged records (column `page` starts with PROBE_PREFIX) from a stream of events.

    Returns (events without them, a started query or None). The query writes each probe's id, with the job's
    name and the time, into the serving table pyro_probes, which Superset shows as a dataset of its own: so
    `pyro verify` can follow a record from the source out through the job, the serving store and Superset, and
    no figure of the job's counts it. Without a serving database (no spark.pyro.pg.url) the probes are only
    left out, and the query is None.

    The second query reads the topic again; a job whose own foreachBatch sees each page can do without it: keep
    the tagged rows in, then hand their pages to record_probes and write the rest (as page_views.py does)."""
    tagged = F.coalesce(F.col(page).startswith(PROBE_PREFIX), F.lit(False))
    rest = events.where(~tagged)
    if spark.conf.get("spark.pyro.pg.url", None) is None:
        return rest, None
    job = spark.conf.get("spark.pyro.job", "job")
    ensure_probes_table(spark)

    def record(batch, batch_id):
        record_probes(spark, [PROBE_PREFIX + r.probe for r in batch.collect()])  # a handful: one per verify run and path

    probes = events.where(tagged).select(F.substring(F.col(page), len(PROBE_PREFIX) + 1, 200).alias("probe"))
    checkpoint = spark.conf.get("spark.pyro.checkpoint").rstrip("/") + PROBES_SUFFIX
    query = (probes.writeStream.foreachBatch(record)
             .option("checkpointLocation", checkpoint)
             .trigger(processingTime=spark.conf.get("spark.pyro.trigger", "2 seconds"))
             .queryName(job + PROBES_SUFFIX)
             .start())
    return rest, query
