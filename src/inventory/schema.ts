import { Type, type Static, type TObject, type TSchema } from '@sinclair/typebox';
import { absPath, Artifacts, closed, kv, memory, name, port, stringEnum } from './schema-parts.js';
import type { ComponentSpec, RoleSpec } from './types.js';

export { ARTIFACT_COMPONENTS } from './schema-parts.js';

// The inventory schema: a fixed frame (cluster, defaults, hosts, artifacts) composed with what each component
// declares (its `services.<name>` block and its top-level sections). `npm run schema` writes it for editors; a
// unit test keeps the file in sync.

const Ssh = Type.Object(
  {
    user: Type.Optional(Type.String({ minLength: 1, description: 'SSH login user' })),
    port: Type.Optional(port),
    identity: Type.Optional(Type.String({ minLength: 1, description: 'private key file; ssh-agent is used when absent' })),
    jump: Type.Optional(
      Type.String({
        pattern: '^([^@\\s:/]+@)?[^@:\\s/]+(:[0-9]+)?$',
        description: 'bastion as [user@]host[:port]',
        'x-hint': 'write it as [user@]host[:port], e.g. admin@bastion:22',
      }),
    ),
  },
  { ...closed, description: 'SSH settings; ~/.ssh/config fills in what is left out' },
);

const hostPaths = {
  installDir: Type.Optional(absPath('where distributions are unpacked (default /opt/pyro)')),
  dataDir: Type.Optional(absPath("root of the services' data dirs (default /var/lib/pyro)")),
  logDir: Type.Optional(absPath('service logs (default <dataDir>/logs)')),
  javaHome: Type.Optional(absPath('JDK 17+ for Hadoop, Kafka, Spark, Flume')),
  java21Home: Type.Optional(absPath('JDK 21+ for NiFi')),
  python: Type.Optional(Type.String({ minLength: 1, description: 'python3 interpreter for Superset and PySpark' })),
  supervisor: Type.Optional(
    stringEnum(
      ['pyro', 'systemd'],
      'pyro: pid files and pyro-managed start scripts (default, no root); systemd: units linked from the conf dir (system units as root, user units otherwise)',
    ),
  ),
  prepare: Type.Optional(
    Type.Boolean({
      description:
        'pyro up installs what the host lacks (Java, Python venv, OS packages) with its package manager (default false; `pyro up --prepare` for one run)',
    }),
  ),
};

const Defaults = Type.Object({ ssh: Type.Optional(Ssh), ...hostPaths }, closed);

/** `config:` with one free-form map per config file the component renders. */
function configBlock(files: string[], description: string): TSchema {
  return Type.Object(Object.fromEntries(files.map((f) => [f, Type.Optional(kv(`keys merged into ${f}`))])), { ...closed, description });
}

function roleBlock(c: ComponentSpec, def: RoleSpec): TObject {
  const portProps = Object.fromEntries(def.ports.map((p) => [p.name, Type.Optional({ ...port, description: `${p.description} (default ${p.default})` })]));
  const dirProps = Object.fromEntries(def.dirs.map((d) => [d.name, Type.Optional(absPath(`${d.description} (default <dataDir>/${d.default})`))]));
  const what = def.memory === 'process' ? (def.memoryDescription ?? 'memory of the process (not a JVM)') : 'JVM heap';
  return Type.Object(
    {
      heap: Type.Optional(memory(`${what}, e.g. 1g (default ${def.heapMb}m)`)),
      ports: Type.Optional(Type.Object(portProps, closed)),
      ...(def.dirs.length ? { dirs: Type.Optional(Type.Object(dirProps, closed)) } : {}),
      ...(def.settingsKey ? { config: Type.Optional(configBlock(c.configFiles, 'overrides for this role only, applied after the component-wide ones')) } : {}),
      ...Object.fromEntries(Object.entries(def.settings ?? {}).map(([k, s]) => [k, Type.Optional(s)])),
    },
    closed,
  );
}

/** The block of `services.<component>`: settings, config, and a block per role (or the one role's fields inline). */
export function componentBlock(c: ComponentSpec): TObject {
  const props: Record<string, TSchema> = {
    config: Type.Optional(configBlock(c.configFiles, c.configDescription ?? 'free-form overrides for every role of the component, applied last')),
  };
  const single = c.roles.length === 1 && c.roles[0]!.settingsKey === undefined;
  if (single) Object.assign(props, roleBlock(c, c.roles[0]!).properties);
  else for (const def of c.roles) props[def.settingsKey!] = Type.Optional(roleBlock(c, def));
  for (const [k, s] of Object.entries(c.settings ?? {})) props[k] = Type.Optional(s);
  return Type.Object(props, closed);
}

// Each component's block is defined once under $defs and referenced from `services:` and from every host's
// `services:`: ajv then compiles it once (compiling it twice doubled the start-up cost of every verb).
const defName = (c: ComponentSpec) => `service-${c.name}`;

// A component with nothing to set (no roles, settings or config files: the lake) owns sections only.
const configurable = (components: readonly ComponentSpec[]) => components.filter((c) => c.roles.length || c.settings || c.configFiles.length);

function servicesBlock(components: readonly ComponentSpec[], description: string): TSchema {
  return Type.Object(Object.fromEntries(configurable(components).map((c) => [c.name, Type.Optional(Type.Unsafe({ $ref: `#/$defs/${defName(c)}` }))])), {
    ...closed,
    description,
  });
}

/** The frame every inventory shares, whatever its services (typed statically). */
const frame = {
  $schema: Type.Optional(Type.String()),
  cluster: Type.Object({ name: name('cluster name; names its state dir and known-hosts file') }, closed),
  defaults: Type.Optional(Defaults),
  artifacts: Type.Optional(Artifacts),
};

/** The whole inventory for a set of components: roles, `services:` blocks and sections come from them. */
export function inventorySchema(components: readonly ComponentSpec[]): TObject {
  const roles = components.flatMap((c) => c.roles.map((r) => r.role));
  // enum rather than a union of literals: ajv then reports one error per bad role, which we turn into a did-you-mean.
  const Role = Type.Unsafe<string>({ type: 'string', enum: roles, description: 'a service this host runs' });
  const Host = Type.Object(
    {
      name: name('unique host name, also its hostname in the cluster'),
      address: Type.String({ minLength: 1, description: 'IP address or DNS name pyro connects to' }),
      connection: Type.Optional(stringEnum(['ssh', 'local'], 'local: the machine pyro runs on (default ssh)')),
      roles: Type.Array(Role, { minItems: 1, uniqueItems: true }),
      ssh: Type.Optional(Ssh),
      ...hostPaths,
      services: Type.Optional(servicesBlock(components, 'per-service settings for this host only, applied over services:')),
    },
    closed,
  );
  const sections = Object.fromEntries(components.flatMap((c) => Object.entries(c.sections ?? {})).map(([k, s]) => [k, Type.Optional(s)]));
  return Type.Object(
    {
      ...frame,
      hosts: Type.Array(Host, { minItems: 1 }),
      services: Type.Optional(servicesBlock(components, 'per-service settings and free-form config overrides')),
      ...sections,
    },
    {
      ...closed,
      $id: 'https://pyro.dev/schema/inventory.json',
      title: 'pyro inventory',
      $defs: Object.fromEntries(configurable(components).map((c) => [defName(c), componentBlock(c)])),
    },
  );
}

// Only its static type is used (RawInventory's hosts); the schema validates hosts through the frame.
const _frameHost = Type.Object({
  name: Type.String(),
  address: Type.String(),
  connection: Type.Optional(Type.Union([Type.Literal('ssh'), Type.Literal('local')])),
  roles: Type.Array(Type.String()),
  ssh: Type.Optional(Ssh),
  ...hostPaths,
});

/** A schema-valid document: the frame typed, the component-owned parts as plain data. */
export type RawInventory = Static<TObject<typeof frame>> & {
  hosts: (Static<typeof _frameHost> & { services?: Record<string, Record<string, unknown>> })[];
  services?: Record<string, Record<string, unknown>>;
  [section: string]: unknown;
};
export type RawSsh = Static<typeof Ssh>;
