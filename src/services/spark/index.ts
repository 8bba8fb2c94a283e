import { defineModule } from '../definition.js';
import history from './history.js';
import { jobRules } from './rules.js';
import { SPARK_SECTIONS } from './sections.js';
import { jobsStatus } from './status.js';
import { jobsStep } from './steps.js';

/** Spark: streaming and batch jobs on YARN, submitted from the control machine; the history server (not run yet). */
export default defineModule({
  name: 'spark',
  roles: [history],
  configFiles: ['spark-defaults.conf'],
  // Jobs use services.spark settings from the control machine; no host needs to run a Spark role.
  settingsWithoutRoles: true,
  sections: SPARK_SECTIONS,
  rules: [jobRules],
  steps: [jobsStep],
  summary: jobsStatus,
});
