import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** pyro's install dir (where jobs/pyro_job.py ships): two levels above dist/src/jobs or src/jobs. */
export const ROOT_DIR = (() => {
  const here = path.dirname(fileURLToPath(import.meta.url));
  const up = here.includes(`${path.sep}dist${path.sep}`) ? '../../..' : '../..';
  return path.resolve(here, up);
})();

export const JOB_HELPER = path.join(ROOT_DIR, 'jobs', 'pyro_job.py');

/** HDFS dirs of a job: pyro's files (progress, stop marker) and the streaming checkpoint. */
export function jobDirs(name: string): { dir: string; checkpoint: string } {
  return { dir: `/pyro/jobs/${name}`, checkpoint: `/pyro/checkpoints/${name}` };
}
