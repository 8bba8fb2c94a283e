"""pyro's side of a streaming job, shipped with every job pyro submits (--py-files).

pyro and the job talk through files in the job's HDFS dir (spark.pyro.jobDir):
  progress.json  written by the job after each micro-batch (the query's own progress report)
  stop           written by `pyro jobs stop`: the job stops its queries between batches and exits cleanly
"""
import json
import threading
import time

from pyspark.sql.streaming import StreamingQueryListener


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
        self.files.write("progress.json", json.dumps({"state": "started", "id": str(event.id), "name": event.name, "time": time.time()}))

    def onQueryProgress(self, event):
        p = json.loads(event.progress.json)
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
