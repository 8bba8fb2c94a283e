import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { formatPath, type Diagnostic } from '../../inventory/diagnostics.js';
import type { PathSeg } from '../../inventory/source.js';
import type { Rule } from '../../inventory/types.js';
import { didYouMean } from '../../util/did-you-mean.js';
import { topicsOf } from '../kafka/sections.js';
import { NIFI } from './endpoints.js';
import { BROKERS_PARAMETER, nifiSettingsOf, TOPIC_PARAMETER, type NifiFlow } from './settings.js';
import { parseTemplate, templatePath, TemplateSyntaxError, topContext, type FlowDefinition } from './template.js';

const COMPONENT_LIST: PathSeg[] = ['services', 'nifi', 'flows'];

type Inv = Parameters<Rule>[0];

/** Each `flows:` list as written (component-wide, and each host's own), with the nodes that run it. */
function flowLists(inv: Inv, hasComponentList: boolean): { at: PathSeg[]; flows: NifiFlow[]; hosts: string[] }[] {
  const lists = new Map<string, { at: PathSeg[]; flows: NifiFlow[]; hosts: string[] }>();
  if (hasComponentList) lists.set(formatPath(COMPONENT_LIST), { at: COMPONENT_LIST, flows: (inv.settings.nifi?.flows as NifiFlow[]) ?? [], hosts: [] });
  for (const inst of inv.instances.filter((i) => i.def.role === NIFI)) {
    const at = inst.origin['setting:flows'];
    if (!at) continue;
    const key = formatPath(at);
    const list = lists.get(key) ?? { at, flows: nifiSettingsOf(inst).flows, hosts: [] };
    list.hosts.push(inst.host.name);
    lists.set(key, list);
  }
  return [...lists.values()];
}

/** A template read for the rules: the definition, or the problem with it (message and hint). */
function loadTemplate(inv: Inv, template: string): { def: FlowDefinition } | { message: string; hint: string } {
  const file = templatePath(inv.file, template);
  const shown = path.relative(process.cwd(), file) || file;
  if (!existsSync(file) || !statSync(file).isFile()) {
    return {
      message: `flow template ${template} does not exist (looked for ${file})`,
      hint: 'name a flow definition JSON file relative to the inventory file, e.g. ../templates/nifi/http-to-kafka.json (NiFi\'s "Download flow definition" saves one)',
    };
  }
  try {
    return { def: parseTemplate(shown, readFileSync(file, 'utf8')) };
  } catch (e) {
    if (!(e instanceof TemplateSyntaxError)) throw e;
    return {
      message: `flow template ${e.file}:${e.line}:${e.col}: ${e.reason}`,
      hint: `fix the template at line ${e.line}, or download the flow definition from NiFi again`,
    };
  }
}

/**
 * Flows: unique names in a list; a template that exists and is a flow definition (a JSON error is reported with
 * the template's own line and column, at the line of the inventory that names it); parameters the template
 * declares, each with a value; a `topic` declared under topics:.
 */
export const flowRules: Rule = (inv, src) => {
  const out: Diagnostic[] = [];
  const topics = new Set(topicsOf(inv).map((t) => t.name));
  const templates = new Map<string, ReturnType<typeof loadTemplate>>();
  for (const list of flowLists(inv, src.doc.hasIn(COMPONENT_LIST))) {
    const onHosts = list.hosts.length ? ` (on ${list.hosts.join(', ')})` : '';
    const seen = new Set<string>();
    list.flows.forEach((f, i) => {
      const at = (...tail: PathSeg[]) => [...list.at, i, ...tail];
      if (seen.has(f.name))
        out.push(
          src.diagnostic(at('name'), `nifi flow ${f.name} is declared twice${onHosts}`, {
            hint: 'give each flow of a node its own name (it names its process group)',
          }),
        );
      seen.add(f.name);
      const params = f.parameters ?? {};
      const topic = params[TOPIC_PARAMETER];
      if (topic !== undefined && !topics.has(String(topic))) {
        out.push(
          src.diagnostic(at('parameters', TOPIC_PARAMETER), `nifi flow ${f.name} writes to topic ${String(topic)}, which is not declared under topics:`, {
            hint: topics.size ? `declared topics: ${[...topics].join(', ')}` : `declare it: topics: [{ name: ${String(topic)} }]`,
          }),
        );
      }
      if (!templates.has(f.template)) templates.set(f.template, loadTemplate(inv, f.template));
      const t = templates.get(f.template)!;
      if (!('def' in t)) {
        out.push(src.diagnostic(at('template'), `nifi flow ${f.name}: ${t.message}`, { hint: t.hint }));
        return;
      }
      const declared = topContext(t.def)?.parameters ?? [];
      const names = declared.map((p) => p.name);
      for (const k of Object.keys(params)) {
        if (names.includes(k)) continue;
        const near = didYouMean(k, names);
        out.push(
          src.diagnostic(at('parameters', k), `nifi flow ${f.name}: its template ${f.template} declares no parameter ${k}`, {
            atKey: true,
            hint: near ? `did you mean ${near}?` : names.length ? `its parameters: ${names.join(', ')}` : 'the template declares no parameters',
          }),
        );
      }
      for (const p of declared) {
        if (p.name === BROKERS_PARAMETER || (p.value !== undefined && p.value !== null) || params[p.name] !== undefined) continue;
        out.push(
          src.diagnostic(at(), `nifi flow ${f.name}: parameter ${p.name} has no value (its template ${f.template} gives none)`, {
            hint: `add it: parameters: { ${p.name}: ... }${p.description ? ` (${p.description})` : ''}`,
          }),
        );
      }
    });
  }
  return out;
};
