"""Sample batch job that writes a lake table of its own: events per hour and page, from an archived table.

It reads a table pyro's archive job writes (Parquet under /lake/<table>, partitioned by day and hour, see
jobs/pyro_archive.py) and writes /lake/<out> as Parquet partitioned by day, replacing only the days it covers (a
re-run gives the same rows). Declare the output in the inventory's `lake:` without a topic
(`- { name: hourly_pages, retention: 90 days }`): `pyro up` registers it in the Spark SQL server once it holds
files, `pyro lake` lists it, and retention drops its old days like any other table's.

Arguments: [src] [out] [days], default /lake/events_raw, /lake/hourly_pages, 2 (today and yesterday, UTC);
days 0: every day the source holds.
"""
import sys

from pyspark.sql import SparkSession, functions as F, types as T

SRC = sys.argv[1] if len(sys.argv) > 1 else "/lake/events_raw"
OUT = sys.argv[2] if len(sys.argv) > 2 else "/lake/hourly_pages"
DAYS = int(sys.argv[3]) if len(sys.argv) > 3 else 2

# The archive job's columns that this job needs, partition columns last: an empty source is an empty frame.
SCHEMA = T.StructType([
    T.StructField("page", T.StringType()),
    T.StructField("day", T.DateType()), T.StructField("hour", T.IntegerType()),
])


def main():
    spark = SparkSession.builder.appName("lake-hourly-pages").getOrCreate()
    spark.conf.set("spark.sql.session.timeZone", "UTC")
    # Only the day partitions this run writes are replaced; older days stay as they are.
    spark.conf.set("spark.sql.sources.partitionOverwriteMode", "dynamic")
    events = spark.read.schema(SCHEMA).parquet(SRC)
    if DAYS > 0:
        events = events.where(F.col("day") >= F.date_sub(F.current_date(), DAYS - 1))
    hourly = (events.where(F.col("page").isNotNull())
              .groupBy("day", "hour", "page").agg(F.count(F.lit(1)).alias("events"))
              .select("hour", "page", "events", "day"))
    rows = hourly.cache().count()
    hourly.coalesce(1).write.mode("overwrite").partitionBy("day").parquet(OUT)
    print("hourly pages: %d hour/page rows from %s into %s" % (rows, SRC, OUT))
    spark.stop()


if __name__ == "__main__":
    main()
