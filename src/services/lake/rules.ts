import type { Diagnostic } from '../../inventory/diagnostics.js';
import { hostsWithRole } from '../../inventory/resolve.js';
import type { Rule } from '../../inventory/types.js';
import { NAMENODE } from '../hdfs/endpoints.js';
import { topicsOf } from '../kafka/sections.js';
import { jobsOf } from '../spark/sections.js';
import { lakeTablesOf } from './sections.js';
import { tableSpec } from './tables.js';

/** lake: unique tables, declared topics, HDFS to hold them and YARN to run the archive jobs. */
export const lakeRules: Rule = (inv, src) => {
  const out: Diagnostic[] = [];
  const tables = lakeTablesOf(inv);
  if (!tables.length) return out;
  const topics = new Set(topicsOf(inv).map((t) => t.name));
  const jobs = new Set(jobsOf(inv).map((j) => j.name));
  if (!hostsWithRole(inv, NAMENODE).length) {
    out.push(
      src.diagnostic(['lake'], 'lake tables live on HDFS, but no host has the role hdfs-namenode', {
        hint: 'add hdfs-namenode and hdfs-datanode to the roles of your hosts, or remove lake:',
      }),
    );
  }
  if (tables.some((t) => t.topic) && !hostsWithRole(inv, 'yarn-nodemanager').length) {
    out.push(
      src.diagnostic(['lake'], 'archiving a topic runs a Spark job on YARN, but no host has the role yarn-nodemanager', {
        hint: 'add yarn-resourcemanager and yarn-nodemanager to the roles of your hosts',
      }),
    );
  }
  const seen = new Set<string>();
  tables.forEach((t, i) => {
    if (seen.has(t.name)) out.push(src.diagnostic(['lake', i, 'name'], `lake table ${t.name} is declared twice`, { hint: 'remove or rename one of them' }));
    seen.add(t.name);
    if (t.topic && !topics.has(t.topic)) {
      out.push(
        src.diagnostic(['lake', i, 'topic'], `lake table ${t.name} archives topic ${t.topic}, which is not declared under topics:`, {
          hint: topics.size ? `declared topics: ${[...topics].join(', ')}` : `declare it: topics: [{ name: ${t.topic} }]`,
        }),
      );
    }
    const job = tableSpec(t).job;
    if (job && jobs.has(job)) {
      out.push(
        src.diagnostic(['lake', i, 'name'], `lake table ${t.name} is archived by a job named ${job}, and jobs: declares a job of that name too`, {
          hint: `rename the job or the table`,
        }),
      );
    }
  });
  return out;
};
