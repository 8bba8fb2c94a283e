import { formatPath, type Diagnostic } from '../../inventory/diagnostics.js';
import type { PathSeg } from '../../inventory/source.js';
import type { Rule } from '../../inventory/types.js';
import { topicsOf } from '../kafka/sections.js';
import { FLUME } from './endpoints.js';
import { flumeSettingsOf, type FlumeSource } from './settings.js';
import { globProblem } from './taildir-glob.js';

const COMPONENT_LIST: PathSeg[] = ['services', 'flume', 'sources'];

/** Each `sources:` list as written (component-wide, and each host's own), with the agents that run it. */
function sourceLists(inv: Parameters<Rule>[0], hasComponentList: boolean): { at: PathSeg[]; sources: FlumeSource[]; hosts: string[] }[] {
  const lists = new Map<string, { at: PathSeg[]; sources: FlumeSource[]; hosts: string[] }>();
  // The component-wide list is checked even when every agent has its own.
  if (hasComponentList) lists.set(formatPath(COMPONENT_LIST), { at: COMPONENT_LIST, sources: (inv.settings.flume?.sources as FlumeSource[]) ?? [], hosts: [] });
  for (const inst of inv.instances.filter((i) => i.def.role === FLUME)) {
    const at = inst.origin['setting:sources'];
    if (!at) continue;
    const key = formatPath(at);
    const list = lists.get(key) ?? { at, sources: flumeSettingsOf(inst).sources, hosts: [] };
    list.hosts.push(inst.host.name);
    lists.set(key, list);
  }
  return [...lists.values()];
}

/**
 * Sources: unique names in a list, topics declared under topics:, the fields their type needs (taildir: absolute
 * paths with wildcards in the file name only; the others: a port). Port clashes are the inventory's generic rule.
 */
export const sourceRules: Rule = (inv, src) => {
  const out: Diagnostic[] = [];
  const topics = new Set(topicsOf(inv).map((t) => t.name));
  for (const list of sourceLists(inv, src.doc.hasIn(COMPONENT_LIST))) {
    const onHosts = list.hosts.length ? ` (on ${list.hosts.join(', ')})` : '';
    const seen = new Set<string>();
    list.sources.forEach((s, i) => {
      const at = (...tail: PathSeg[]) => [...list.at, i, ...tail];
      if (seen.has(s.name)) {
        out.push(
          src.diagnostic(at('name'), `flume source ${s.name} is declared twice${onHosts}`, {
            hint: 'give each source of an agent its own name (it names its channel and sink too)',
          }),
        );
      }
      seen.add(s.name);
      if (!topics.has(s.topic)) {
        out.push(
          src.diagnostic(at('topic'), `flume source ${s.name} writes to topic ${s.topic}, which is not declared under topics:`, {
            hint: topics.size ? `declared topics: ${[...topics].join(', ')}` : `declare it: topics: [{ name: ${s.topic} }]`,
          }),
        );
      }
      if (s.type === 'taildir') {
        if (!s.paths) out.push(src.diagnostic(at(), `taildir source ${s.name} has no paths`, { hint: 'add `paths: [/var/log/app/*.log]`' }));
        if (s.port !== undefined)
          out.push(src.diagnostic(at('port'), `taildir source ${s.name} listens on no port`, { hint: 'remove `port:` (it reads files: see `paths:`)' }));
        (s.paths ?? []).forEach((p, j) => {
          const problem = globProblem(p);
          if (problem) out.push(src.diagnostic(at('paths', j), `taildir source ${s.name}: ${problem.message}`, { hint: problem.hint }));
        });
      } else {
        const example = s.type === 'http' ? 8081 : 5140;
        if (s.port === undefined) out.push(src.diagnostic(at(), `${s.type} source ${s.name} has no port`, { hint: `add \`port:\`, e.g. port: ${example}` }));
        if (s.paths)
          out.push(src.diagnostic(at('paths'), `${s.type} source ${s.name} reads no files`, { hint: 'remove `paths:` (only taildir sources read files)' }));
        if (s.createDir !== undefined)
          out.push(
            src.diagnostic(at('createDir'), `${s.type} source ${s.name} reads no files`, { hint: 'remove `createDir:` (only taildir sources read files)' }),
          );
      }
    });
  }
  return out;
};
