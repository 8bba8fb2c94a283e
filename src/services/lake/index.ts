import { defineModule } from '../definition.js';
import { lakeRules } from './rules.js';
import { LAKE_SECTIONS } from './sections.js';
import { lakeStatus } from './status.js';
import { lakeStep } from './steps.js';

/** The data lake: tables of Parquet files on HDFS, topics archived into them, partitions kept to their retention. */
export default defineModule({
  name: 'lake',
  roles: [],
  configFiles: [],
  sections: LAKE_SECTIONS,
  rules: [lakeRules],
  steps: [lakeStep],
  summary: lakeStatus,
});
