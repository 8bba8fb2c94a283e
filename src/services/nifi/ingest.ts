import { readFileSync } from 'node:fs';
import type { Inventory } from '../../inventory/types.js';
import { PyroError } from '../../util/errors.js';
import { NotSendable, probeJson, type IngestPath } from '../ingest-path.js';
import { nifiInstances } from './endpoints.js';
import { flowsOf, parameterValues } from './flows.js';
import { TOPIC_PARAMETER } from './settings.js';
import { allProcessors, parseTemplate, templatePath } from './template.js';

/** A processor property with `#{name}` parameter references replaced by their values. */
function resolved(value: string | null | undefined, params: Record<string, string | null>): string | undefined {
  if (value === null || value === undefined) return undefined;
  return value.replace(/#\{([^}]+)\}/g, (_m, k: string) => params[k] ?? '');
}

/**
 * The whole-flow check's way into each declared flow: a POST to its ListenHTTP, as an application would send. A flow
 * with another source is listed, and reported as not checked.
 */
export function nifiIngestPaths(inv: Inventory): IngestPath[] {
  return nifiInstances(inv).flatMap((inst) =>
    flowsOf(inst).map((flow): IngestPath => {
      const def = parseTemplate(templatePath(inv.file, flow.template), readFileSync(templatePath(inv.file, flow.template), 'utf8'));
      const params = parameterValues(inv, flow, def);
      const listen = allProcessors(def.flowContents).find((p) => p.type.endsWith('.ListenHTTP'));
      const port = resolved(listen?.properties?.['Listening Port'], params);
      const base = (resolved(listen?.properties?.['Base Path'], params) ?? 'contentListener').replace(/^\/+/, '');
      const url = `http://${inst.host.address}:${port}/${base}`;
      const topic = params[TOPIC_PARAMETER] ?? '?';
      return {
        label: `nifi ${inst.host.name}/${flow.name} (${listen ? `ListenHTTP :${port}/${base}` : 'no ListenHTTP'})`,
        host: inst.host.name,
        topic,
        parsed: true,
        async send(probe, _host, signal) {
          if (!listen || !port) throw new NotSendable(`flow ${flow.name} has no ListenHTTP to post to`);
          const res = await fetch(url, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: probeJson(probe),
            signal: AbortSignal.any([signal, AbortSignal.timeout(20_000)]),
          });
          if (!res.ok) throw new PyroError('POST_FAILED', `POST ${url}: HTTP ${res.status}`);
        },
      };
    }),
  );
}
