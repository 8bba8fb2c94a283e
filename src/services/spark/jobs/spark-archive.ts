import { existsSync } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { create as tarCreate } from 'tar';
import type { WebHdfs } from '../../../clients/webhdfs.js';
import type { Inventory } from '../../../inventory/types.js';
import { writeFileAtomic } from '../../../util/atomic-write.js';
import { defaultFs } from '../../hdfs/endpoints.js';
import { hdfsSettings } from '../../hdfs/settings.js';

/** Where Spark's jars of a build sit in HDFS (the build's sha256, or the control tree's dir named after it). */
export function sparkArchivePath(build: string): string {
  return `/pyro/spark/${build.slice(0, 16)}/spark-jars.tar`;
}

/**
 * Spark's jars as one archive in HDFS, for `spark.yarn.archive`. Without it spark-submit zips and uploads every jar
 * (about 450 MB) on each submit; with it, the archive is made once per Spark build on the control machine,
 * uploaded once per cluster, and YARN caches it on the NodeManagers. An uncompressed tar: the jars are compressed
 * already, and YARN unpacks .tar like .zip.
 */
export async function sparkYarnArchive(inv: Inventory, fs: WebHdfs, sparkHome: string, log: (l: string) => void): Promise<string> {
  // The control tree's dir is named by the build's sha256, so the name changes with the build.
  const build = path.basename(sparkHome);
  const local = path.join(sparkHome, '..', `${build}.spark-jars.tar`);
  if (!existsSync(local)) {
    const jars = (await readdir(path.join(sparkHome, 'jars'))).filter((f) => f.endsWith('.jar')).sort();
    await writeFileAtomic(local, tarCreate({ cwd: path.join(sparkHome, 'jars'), portable: true }, jars));
  }
  const remote = sparkArchivePath(build);
  const size = (await stat(local)).size;
  if ((await fs.size(remote).catch(() => undefined)) !== size) {
    log(`uploading Spark's jars to HDFS once (${(size / 1048576).toFixed(0)} MiB): ${remote}`);
    await fs.mkdirs(path.posix.dirname(remote));
    const tmp = `${remote}.tmp`;
    await fs.putFile(tmp, local, hdfsSettings(inv).replication);
    await fs.delete(remote).catch(() => undefined);
    await fs.rename(tmp, remote);
  }
  return `${defaultFs(inv)}${remote}`;
}
