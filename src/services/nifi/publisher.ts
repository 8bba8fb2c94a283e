import { v5 as uuidv5 } from 'uuid';
import { allProcessors, type FlowDefinition, type VersionedBundle, type VersionedGroup, type VersionedProcessor } from './template.js';

// "The flow picks its path from what the distribution holds": templates publish with pyro's own Kafka processor,
// which pyro's NiFi always has. When a node also has Apache's Kafka NARs (a user put them in its extensions dir),
// each pyro publisher is replaced by Apache's PublishKafka with a Kafka3ConnectionService beside it.

/** pyro's Kafka publisher, as templates reference it (fixed coordinates). */
export const PYRO_PUBLISHER = {
  type: 'dev.pyro.nifi.PublishKafkaPyro',
  bundle: { group: 'dev.pyro', artifact: 'pyro-nifi-kafka-nar', version: '1.0.0' },
} as const;

/** Its properties (names as the flow definition keys them). */
export const PYRO_PROPS = {
  brokers: 'Kafka Brokers',
  topic: 'Topic Name',
  delivery: 'Delivery Guarantee',
  demarcator: 'Message Demarcator',
  batchSize: 'Batch Size',
} as const;

export const APACHE_PUBLISHER = 'org.apache.nifi.kafka.processors.PublishKafka';
export const APACHE_CONNECTION_SERVICE = 'org.apache.nifi.kafka.service.Kafka3ConnectionService';

/** What a node offers, from /flow/processor-types and /flow/controller-service-types. */
export interface AvailableTypes {
  processors: { type: string; bundle: VersionedBundle }[];
  services: { type: string; bundle: VersionedBundle; controllerServiceApis?: { type: string; bundle: VersionedBundle }[] }[];
}

export type PublisherChoice = 'pyro' | 'apache';

/** Apache's publisher and connection service when the node has both (the highest version of each), else undefined. */
export function apachePublisher(
  available: AvailableTypes,
): { processor: AvailableTypes['processors'][number]; service: AvailableTypes['services'][number] } | undefined {
  const newest = <T extends { type: string; bundle: VersionedBundle }>(xs: T[], type: string) =>
    xs.filter((x) => x.type === type).sort((a, b) => b.bundle.version.localeCompare(a.bundle.version, undefined, { numeric: true }))[0];
  const processor = newest(available.processors, APACHE_PUBLISHER);
  const service = newest(available.services, APACHE_CONNECTION_SERVICE);
  return processor && service ? { processor, service } : undefined;
}

// A fixed namespace: the same publisher always gets the same connection-service id, so the definition (and its
// hash) only changes when the template or the node's types do.
const NAMESPACE = '6c1d43c2-59a4-4a53-9d1e-2f3f0c3e8a10';

function groupOf(root: VersionedGroup, p: VersionedProcessor): VersionedGroup {
  const find = (g: VersionedGroup): VersionedGroup | undefined => (g.processors.includes(p) ? g : (g.processGroups ?? []).map(find).find(Boolean));
  return find(root) ?? root;
}

/** Apache's PublishKafka in place of one pyro publisher, its broker list moved to a new Kafka3ConnectionService. */
function replace(root: VersionedGroup, p: VersionedProcessor, apache: NonNullable<ReturnType<typeof apachePublisher>>): void {
  const group = groupOf(root, p);
  const serviceId = uuidv5(`${p.identifier}/kafka-connection`, NAMESPACE);
  const props = p.properties;
  group.controllerServices = [
    ...(group.controllerServices ?? []),
    {
      identifier: serviceId,
      name: `${p.name} connection`,
      type: apache.service.type,
      bundle: apache.service.bundle,
      controllerServiceApis: apache.service.controllerServiceApis ?? [],
      properties: { 'bootstrap.servers': props[PYRO_PROPS.brokers] ?? null },
      propertyDescriptors: {},
      scheduledState: 'ENABLED',
      bulletinLevel: 'WARN',
      componentType: 'CONTROLLER_SERVICE',
      groupIdentifier: group.identifier,
    },
  ];
  p.type = apache.processor.type;
  p.bundle = apache.processor.bundle;
  p.properties = {
    'Kafka Connection Service': serviceId,
    'Topic Name': props[PYRO_PROPS.topic] ?? null,
    // Apache's property is keyed `acks`, with the same values (all, 1, 0).
    acks: props[PYRO_PROPS.delivery] ?? 'all',
    'Message Demarcator': props[PYRO_PROPS.demarcator] ?? null,
    // pyro's publisher sends without transactions; Apache's would need acks=all for them.
    'Transactions Enabled': 'false',
  };
  // On import NiFi maps a service reference to the new service's id only for a property declared to hold one.
  p.propertyDescriptors = {
    'Kafka Connection Service': {
      name: 'Kafka Connection Service',
      displayName: 'Kafka Connection Service',
      identifiesControllerService: true,
      sensitive: false,
      dynamic: false,
    },
  };
}

/**
 * The definition to deploy on a node: pyro's publishers kept, or all replaced by Apache's when the node has it.
 * Pure: returns a copy and which publisher the flow ends up with (undefined when it publishes nothing).
 */
export function choosePublisher(def: FlowDefinition, available: AvailableTypes): { def: FlowDefinition; publisher?: PublisherChoice } {
  const out = structuredClone(def);
  const pyro = allProcessors(out.flowContents).filter((p) => p.type === PYRO_PUBLISHER.type);
  if (!pyro.length) return { def: out };
  const apache = apachePublisher(available);
  if (!apache) return { def: out, publisher: 'pyro' };
  for (const p of pyro) replace(out.flowContents, p, apache);
  return { def: out, publisher: 'apache' };
}
