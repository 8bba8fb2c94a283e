"""Sample batch job: a daily rollup from the lake into the serving store.

It reads a lake table that pyro's archive job writes (Parquet under /lake/<table>, partitioned by day and hour, see
jobs/pyro_archive.py) and writes the events per day and page to a PostgreSQL table, replacing the days it covers
in one transaction: a re-run gives the same rows, and a day's figure grows until the day is over.

Arguments: [dir] [table] [days], default /lake/events_raw, daily_page_events, 2 (today and yesterday, UTC);
days 0: every day the lake holds. Run it with `pyro submit-job NAME` (kind: batch in the inventory), which waits
for its end and exits with its exit code: from cron or a systemd timer, see the README.
"""
import sys

from pyspark.sql import SparkSession, functions as F, types as T

import pyro_job

DIR = sys.argv[1] if len(sys.argv) > 1 else "/lake/events_raw"
TABLE = sys.argv[2] if len(sys.argv) > 2 else "daily_page_events"
DAYS = int(sys.argv[3]) if len(sys.argv) > 3 else 2

# The archive job's columns, partition columns last: read with the schema, an empty table is an empty frame.
SCHEMA = T.StructType([
    T.StructField("value", T.StringType()), T.StructField("page", T.StringType()), T.StructField("user", T.StringType()),
    T.StructField("event_time", T.TimestampType()), T.StructField("kafka_time", T.TimestampType()),
    T.StructField("kafka_partition", T.IntegerType()), T.StructField("kafka_offset", T.LongType()),
    T.StructField("day", T.DateType()), T.StructField("hour", T.IntegerType()),
])


def main():
    spark = SparkSession.builder.appName("lake-daily-rollup").getOrCreate()
    spark.conf.set("spark.sql.session.timeZone", "UTC")
    events = spark.read.schema(SCHEMA).parquet(DIR)
    since = None
    if DAYS > 0:
        since = spark.sql("SELECT date_sub(current_date(), %d) AS d" % (DAYS - 1)).first()["d"]
        events = events.where(F.col("day") >= F.lit(since))
    rows = (events.where(F.col("page").isNotNull())
            .groupBy("day", "page").agg(F.count(F.lit(1)).alias("events"))
            .collect())  # one row per day and page: small
    jvm = spark.sparkContext._jvm
    conn = pyro_job.jdbc(spark)
    try:
        conn.setAutoCommit(False)
        conn.createStatement().execute(
            "CREATE TABLE IF NOT EXISTS " + TABLE + " (day date NOT NULL, page text NOT NULL, events bigint NOT NULL,"
            " updated_at timestamptz NOT NULL DEFAULT now(), PRIMARY KEY (day, page))")
        delete = conn.prepareStatement("DELETE FROM " + TABLE + (" WHERE day >= ?" if since else ""))
        if since:
            delete.setDate(1, jvm.java.sql.Date.valueOf(str(since)))
        delete.executeUpdate()
        insert = conn.prepareStatement("INSERT INTO " + TABLE + " (day, page, events) VALUES (?, ?, ?)")
        for r in rows:
            insert.setDate(1, jvm.java.sql.Date.valueOf(str(r["day"])))
            insert.setString(2, r["page"])
            insert.setLong(3, r["events"])
            insert.addBatch()
        insert.executeBatch()
        conn.commit()
    finally:
        conn.close()
    total = sum(r["events"] for r in rows)
    print("rollup: %d events in %d day/page rows from %s into %s (%s)" % (
        total, len(rows), DIR, TABLE, "since %s" % since if since else "every day"))
    spark.stop()


if __name__ == "__main__":
    main()
