import { Type, type Static } from '@sinclair/typebox';
import { closed, kv, name } from '../../inventory/schema-parts.js';
import type { ConfigValue, ServiceInstance, SettingPortSpec } from '../../inventory/types.js';

/** The flow parameter pyro fills in from the inventory's brokers (`host:port,...`) unless the flow sets it. */
export const BROKERS_PARAMETER = 'kafkaBrokers';
/** The flow parameter naming a Kafka topic: checked against `topics:`. */
export const TOPIC_PARAMETER = 'topic';
/** The flow parameter naming a port the flow listens on: checked for clashes and probed free like a named port. */
export const LISTEN_PORT_PARAMETER = 'listenPort';

const Flow = Type.Object(
  {
    name: name('flow name: the process group it is deployed into and its parameter context, unique on a node'),
    template: Type.String({
      minLength: 1,
      description: 'a flow definition (the JSON NiFi downloads for a process group), relative to the inventory file',
    }),
    parameters: Type.Optional(
      kv(`values of the parameters the flow declares (${TOPIC_PARAMETER}, ${LISTEN_PORT_PARAMETER}, ...); ${BROKERS_PARAMETER} defaults to the brokers`),
    ),
  },
  closed,
);

/** `services.nifi` settings beside heap, ports, dirs and config (a host's own block replaces the list). */
export const NIFI_SETTINGS = {
  flows: Type.Array(Flow, { description: 'flows deployed on every NiFi node, each into its own process group', default: [] }),
};

export type NifiFlow = Static<typeof Flow>;

export interface NifiSettings {
  flows: NifiFlow[];
}

/** A node's settings: its host's own `services.nifi` block over the component's. */
export function nifiSettingsOf(inst: ServiceInstance): NifiSettings {
  return inst.settings as unknown as NifiSettings;
}

/** A parameter value as a port number, when it is one. */
export function asPort(v: ConfigValue | undefined): number | undefined {
  const n = typeof v === 'number' ? v : typeof v === 'string' && /^\d+$/.test(v) ? Number(v) : NaN;
  return Number.isInteger(n) && n >= 1 && n <= 65535 ? n : undefined;
}

/** The ports flows listen on (their `listenPort` parameter), for the clash rule and the port checks. */
export function flowPorts(settings: Readonly<Record<string, unknown>>): SettingPortSpec[] {
  const flows = (settings as unknown as NifiSettings).flows ?? [];
  return flows.flatMap((f, i) => {
    const port = asPort(f.parameters?.[LISTEN_PORT_PARAMETER]);
    return port === undefined
      ? []
      : [{ name: `flow ${f.name}`, port, protocol: 'tcp', at: ['flows', i, 'parameters', LISTEN_PORT_PARAMETER] } satisfies SettingPortSpec];
  });
}
