import { createHash } from 'node:crypto';
import type { ConfigValue, Inventory, ServiceInstance } from '../../inventory/types.js';
import { bootstrapServers } from '../kafka/endpoints.js';
import { choosePublisher, type AvailableTypes, type PublisherChoice } from './publisher.js';
import { BROKERS_PARAMETER, nifiSettingsOf, type NifiFlow } from './settings.js';
import { topContext, type FlowDefinition, type VersionedParameter } from './template.js';

// A declared flow as it is deployed on one node: its template with the inventory's parameter values in a
// parameter context of its own, the publisher the node supports, and a hash of the result that says whether the
// flow deployed there is still this one.

/** The mark pyro leaves in a deployed flow's process-group comments: whose it is, and the hash it was deployed with. */
const MARK = /^pyro flow ([0-9a-f]{16})$/m;

export function markComment(hash: string, templateComments = ''): string {
  return [templateComments.trim(), `pyro flow ${hash}`].filter(Boolean).join('\n\n');
}

/** The hash a process group was deployed with, or undefined when pyro did not deploy it. */
export function deployedHash(comments: string | undefined): string | undefined {
  return MARK.exec(comments ?? '')?.[1];
}

/** The flows a node runs (its host's own `services.nifi.flows` or the component's), in declaration order. */
export function flowsOf(inst: ServiceInstance): NifiFlow[] {
  return nifiSettingsOf(inst).flows;
}

const text = (v: ConfigValue) => String(v);

/**
 * The values of the parameters a template declares: its own values, then the brokers for `kafkaBrokers`, then the
 * inventory's. A parameter the template does not declare is not added (the inventory rules refuse it first).
 */
export function parameterValues(inv: Inventory, flow: NifiFlow, def: FlowDefinition): Record<string, string | null> {
  const declared = topContext(def)?.parameters ?? [];
  const out: Record<string, string | null> = {};
  for (const p of declared) out[p.name] = p.value ?? null;
  if (BROKERS_PARAMETER in out) out[BROKERS_PARAMETER] = bootstrapServers(inv).join(',');
  for (const [k, v] of Object.entries(flow.parameters ?? {})) if (k in out) out[k] = text(v);
  return out;
}

/** A deployable flow: the JSON to upload, its hash, and which Kafka publisher it ends up with. */
export interface DeployableFlow {
  name: string;
  json: string;
  hash: string;
  publisher?: PublisherChoice;
  parameters: Record<string, string | null>;
}

/**
 * The definition uploaded for a flow: the template's top group named after the flow, its parameter context renamed
 * to the flow's name (so two flows from one template never share one) and filled in, the publisher chosen for the
 * node, and pyro's mark with the hash of all that in the group's comments.
 */
export function deployable(inv: Inventory, flow: NifiFlow, template: FlowDefinition, available: AvailableTypes): DeployableFlow {
  const { def, publisher } = choosePublisher(template, available);
  const parameters = parameterValues(inv, flow, template);
  const ctx = topContext(template);
  const contexts = { ...(def.parameterContexts ?? {}) };
  if (ctx) {
    delete contexts[ctx.name];
    contexts[flow.name] = {
      ...ctx,
      name: flow.name,
      parameters: ctx.parameters.map((p): VersionedParameter => ({ ...p, value: parameters[p.name] ?? null })),
    };
  }
  const comments = def.flowContents.comments ?? '';
  const body: FlowDefinition = {
    ...def,
    parameterContexts: contexts,
    flowContents: { ...def.flowContents, name: flow.name, ...(ctx ? { parameterContextName: flow.name } : {}), comments },
  };
  const hash = createHash('sha256').update(JSON.stringify(body)).digest('hex').slice(0, 16);
  body.flowContents.comments = markComment(hash, comments);
  return { name: flow.name, json: JSON.stringify(body), hash, publisher, parameters };
}
