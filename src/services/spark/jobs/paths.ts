import path from 'node:path';
import { INSTALL_ROOT } from '../../../util/install-root.js';

export const JOB_HELPER = path.join(INSTALL_ROOT, 'jobs', 'pyro_job.py');

/** HDFS dirs of a job: pyro's files (progress, stop marker) and the streaming checkpoint. */
export function jobDirs(name: string): { dir: string; checkpoint: string } {
  return { dir: `/pyro/jobs/${name}`, checkpoint: `/pyro/checkpoints/${name}` };
}
