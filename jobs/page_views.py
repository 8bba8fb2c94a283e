"""Sample streaming job: page views per time window, from Kafka into PostgreSQL.

It reads two kinds of records, told apart by their first character:
- JSON events, as `pyro produce` writes them: {"id": 1, "page": "/home", "user": "u1", "ts": 1732500000000}
  (ts: creation time, epoch ms);
- web access-log lines in the combined format, as a Flume agent tails them from a server's log, raw:
  `10.0.0.7 - alice [04/Dec/2026:20:30:51 +0000] "GET /cart?x=1 HTTP/1.1" 200 5123 "-" "Mozilla/5.0 ..."`
  page: the path without its query; user: the logged-in user, else the client address; ts: the logged time.
Lines that parse as neither are left out. pyro verify's tagged records are counted apart, as pages of their own, and
written to pyro_probes instead of page_views (pyro_job.record_probes): one query, one read of the topic.
Output: table page_views (window_start, window_end, page, views, last_event_ts, updated_at), one row per window
and page. Each micro-batch upserts the windows it changed with their full counts (update mode), so a batch
Spark retries after a failure writes the same values again: nothing is counted twice.

Arguments: [topics] [table] [window], default: the job's declared topics (spark.pyro.topics, comma-separated, else
events), page_views, "1 minute". The Kafka and PostgreSQL settings come from the spark.pyro.* confs pyro passes.
"""
import sys

from pyspark.sql import SparkSession, functions as F

import pyro_job

TOPICS = sys.argv[1] if len(sys.argv) > 1 else None
TABLE = sys.argv[2] if len(sys.argv) > 2 else "page_views"
WINDOW = sys.argv[3] if len(sys.argv) > 3 else "1 minute"

def create_table(spark):
    conn = pyro_job.jdbc(spark)
    try:
        conn.createStatement().execute(
            "CREATE TABLE IF NOT EXISTS " + TABLE + " ("
            " window_start timestamptz NOT NULL, window_end timestamptz NOT NULL, page text NOT NULL,"
            " views bigint NOT NULL, last_event_ts bigint NOT NULL, updated_at timestamptz NOT NULL DEFAULT now(),"
            " PRIMARY KEY (window_start, page))")
    finally:
        conn.close()


def upsert(spark):
    sql = ("INSERT INTO " + TABLE + " (window_start, window_end, page, views, last_event_ts, updated_at)"
           " VALUES (?, ?, ?, ?, ?, clock_timestamp())"
           " ON CONFLICT (window_start, page) DO UPDATE SET views = EXCLUDED.views,"
           " last_event_ts = EXCLUDED.last_event_ts, updated_at = EXCLUDED.updated_at")
    jvm = spark.sparkContext._jvm

    def write(batch, batch_id):
        rows = batch.collect()  # the windows this batch changed: a handful per page
        pyro_job.record_probes(spark, [r.page for r in rows if pyro_job.is_probe(r.page)])
        rows = [r for r in rows if not pyro_job.is_probe(r.page)]
        if not rows:
            return
        conn = pyro_job.jdbc(spark)
        try:
            conn.setAutoCommit(False)
            st = conn.prepareStatement(sql)
            for r in rows:
                st.setTimestamp(1, jvm.java.sql.Timestamp(int(r.window_start.timestamp() * 1000)))
                st.setTimestamp(2, jvm.java.sql.Timestamp(int(r.window_end.timestamp() * 1000)))
                st.setString(3, r.page)
                st.setLong(4, r.views)
                st.setLong(5, r.last_event_ts)
                st.addBatch()
            st.executeBatch()
            conn.commit()
        finally:
            conn.close()

    return write


def start(spark):
    create_table(spark)
    pyro_job.ensure_probes_table(spark)
    events = (spark.readStream.format("kafka")
              .option("kafka.bootstrap.servers", spark.conf.get("spark.pyro.kafka.bootstrap"))
              .option("subscribe", TOPICS or spark.conf.get("spark.pyro.topics", "events"))
              .option("startingOffsets", "earliest")
              .load()
              .select(*pyro_job.parse(F.col("value").cast("string")))
              .where(F.col("page").isNotNull() & F.col("ts").isNotNull()))
    events = events.withColumn("event_time", F.timestamp_millis("ts"))
    counts = (events.withWatermark("event_time", "30 seconds")
              .groupBy(F.window("event_time", WINDOW).alias("w"), "page")
              .agg(F.count(F.lit(1)).alias("views"), F.max("ts").alias("last_event_ts"))
              .select(F.col("w.start").alias("window_start"), F.col("w.end").alias("window_end"), "page", "views", "last_event_ts"))
    query = (counts.writeStream.outputMode("update")
             .foreachBatch(upsert(spark))
             .option("checkpointLocation", spark.conf.get("spark.pyro.checkpoint"))
             .trigger(processingTime=spark.conf.get("spark.pyro.trigger", "2 seconds"))
             .queryName(spark.conf.get("spark.pyro.job"))
             .start())
    return [query]


if __name__ == "__main__":
    session = SparkSession.builder.getOrCreate()
    pyro_job.run(session, start)
