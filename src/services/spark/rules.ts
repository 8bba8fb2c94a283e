import { existsSync } from 'node:fs';
import path from 'node:path';
import type { Diagnostic } from '../../inventory/diagnostics.js';
import type { Rule } from '../../inventory/types.js';
import { topicsOf } from '../kafka/sections.js';
import { jobsOf } from './sections.js';

/** Jobs: unique names, declared topics, files that exist, jars with a main class. */
export const jobRules: Rule = (inv, src) => {
  const out: Diagnostic[] = [];
  const topics = new Set(topicsOf(inv).map((t) => t.name));
  const baseDir = path.dirname(path.resolve(inv.file));
  const seen = new Set<string>();
  jobsOf(inv).forEach((job, i) => {
    if (seen.has(job.name)) out.push(src.diagnostic(['jobs', i, 'name'], `job ${job.name} is declared twice`, { hint: 'remove or rename one of them' }));
    seen.add(job.name);
    job.topics?.forEach((t, j) => {
      if (!topics.has(t)) {
        out.push(
          src.diagnostic(['jobs', i, 'topics', j], `job ${job.name} reads topic ${t}, which is not declared under topics:`, {
            hint: topics.size ? `declared topics: ${[...topics].join(', ')}` : `declare it: topics: [{ name: ${t} }]`,
          }),
        );
      }
    });
    if (job.main.endsWith('.jar') && !job.class) {
      out.push(src.diagnostic(['jobs', i], `job ${job.name} runs a jar but names no main class`, { hint: 'add `class: com.example.Main`' }));
    }
    if (!existsSync(path.resolve(baseDir, job.main))) {
      out.push(
        src.diagnostic(['jobs', i, 'main'], `job ${job.name}: ${job.main} does not exist (relative to ${baseDir})`, {
          hint: 'paths in jobs are relative to the inventory file',
        }),
      );
    }
  });
  return out;
};
