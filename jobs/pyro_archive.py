"""pyro's archive job: the raw records of a topic into a lake table on HDFS, as Parquet partitioned by day and hour.

Arguments: TOPIC TABLE_DIR (e.g. events /lake/events_raw). Kafka settings come from the spark.pyro.* confs.

Columns: value (the record's text, as it arrived), page, user, event_time (the event's own time: a JSON event's ts or
an access-log line's logged time; Kafka's timestamp when the record has neither), kafka_time, kafka_partition,
kafka_offset. Partitions: day (yyyy-MM-dd) and hour (0-23) of event_time in UTC, so a late event lands in the hour it
happened, beside the others of that hour.

Exactly once: each micro-batch writes into TABLE_DIR/_staging/<batch>, then moves its files into their partitions
as batch-<batch>-<k>.parquet, first removing any file of that batch an earlier, failed attempt left there. A batch
Spark replays after a crash reads the same offsets (its offset log is written before the batch runs), so it writes
the same rows under the same names: nothing twice, nothing lost. Names starting with _ are invisible to Spark and
Hive, so readers never see the staging dir. pyro verify's tagged records are left out.
"""
import sys

from pyspark.sql import SparkSession, functions as F

import pyro_job

TOPIC = sys.argv[1]
ROOT = sys.argv[2].rstrip("/")


def mover(spark):
    jvm = spark.sparkContext._jvm
    Path = jvm.org.apache.hadoop.fs.Path
    fs = Path(ROOT).getFileSystem(spark.sparkContext._jsc.hadoopConfiguration())

    def dirs(path, prefix):
        return [s.getPath() for s in fs.listStatus(path) if s.isDirectory() and s.getPath().getName().startswith(prefix)]

    def write(batch, batch_id):
        batch.persist()  # read from Kafka once, for the emptiness test and the write
        try:
            if not batch.isEmpty():
                move(batch, batch_id)
        finally:
            batch.unpersist()

    def move(batch, batch_id):
        staging = ROOT + "/_staging/" + str(batch_id)
        batch.coalesce(1).write.mode("overwrite").partitionBy("day", "hour").parquet(staging)
        prefix = "batch-%012d-" % batch_id
        for day in dirs(Path(staging), "day="):
            for hour in dirs(day, "hour="):
                target = Path(ROOT + "/" + day.getName() + "/" + hour.getName())
                fs.mkdirs(target)
                for old in fs.listStatus(target):
                    if old.getPath().getName().startswith(prefix):
                        fs.delete(old.getPath(), False)
                files = sorted(s.getPath().getName() for s in fs.listStatus(hour) if s.getPath().getName().endswith(".parquet"))
                for k, name in enumerate(files):
                    if not fs.rename(Path(hour, name), Path(target, "%s%03d.parquet" % (prefix, k))):
                        raise RuntimeError("could not move %s/%s into %s" % (hour, name, target))
        fs.delete(Path(staging), True)

    return write


def start(spark):
    spark.conf.set("spark.sql.session.timeZone", "UTC")
    records = (spark.readStream.format("kafka")
               .option("kafka.bootstrap.servers", spark.conf.get("spark.pyro.kafka.bootstrap"))
               .option("subscribe", TOPIC)
               .option("startingOffsets", "earliest")
               .load())
    text = F.col("value").cast("string")
    page, user, ts = pyro_job.parse(text)
    rows = (records
            .select(text.alias("value"), page, user, ts, F.col("timestamp").alias("kafka_time"),
                    F.col("partition").alias("kafka_partition"), F.col("offset").alias("kafka_offset"))
            .where(~F.coalesce(F.col("page").startswith(pyro_job.PROBE_PREFIX), F.lit(False)))
            .withColumn("event_time", F.coalesce(F.timestamp_millis("ts"), F.col("kafka_time")))
            .drop("ts")
            .withColumn("day", F.date_format("event_time", "yyyy-MM-dd"))
            .withColumn("hour", F.hour("event_time")))
    query = (rows.writeStream.foreachBatch(mover(spark))
             .option("checkpointLocation", spark.conf.get("spark.pyro.checkpoint"))
             .trigger(processingTime=spark.conf.get("spark.pyro.trigger", "30 seconds"))
             .queryName(spark.conf.get("spark.pyro.job"))
             .start())
    return [query]


if __name__ == "__main__":
    session = SparkSession.builder.getOrCreate()
    pyro_job.run(session, start)
