import { Type, type TSchema, type Static } from '@sinclair/typebox';
import { COMPONENTS, CONFIG_FILES, ROLE_NAMES, SERVICES } from '../services/catalog.js';
import type { ComponentName, ServiceDefinition } from '../services/definition.js';

// The inventory schema is built from the service catalogue so role, port and dir names have one source.
// `npm run schema` writes it to inventory.schema.json for editors; a unit test keeps the two in sync.

const closed = { additionalProperties: false } as const;
/** Artifact component ids (kept in sync with src/artifacts/catalog.ts by a unit test). */
export const ARTIFACT_COMPONENTS = ['hadoop', 'kafka', 'spark', 'superset', 'postgresql-jdbc', 'flume', 'nifi', 'logstash'] as const;
const ARTIFACT_PATTERN = `^(${ARTIFACT_COMPONENTS.join('|')})$`;
// `x-hint` is ours (ajv ignores it): the hint shown when a value fails its pattern.
const name = (description: string) =>
  Type.String({ pattern: '^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$', description, 'x-hint': 'use lowercase letters, digits and dashes (a DNS label), e.g. node-1' });
const port = Type.Integer({ minimum: 1, maximum: 65535 });
const absPath = (description: string) => Type.String({ pattern: '^(/|~/|\\$\\{)', minLength: 1, description, 'x-hint': 'use an absolute path, e.g. /var/lib/pyro' });
const scalar = Type.Union([Type.String(), Type.Number(), Type.Boolean()]);
const kv = (description: string) => Type.Record(Type.String({ minLength: 1 }), scalar, { description });
const memory = (description: string) => Type.String({ pattern: '^[0-9]+[kmgKMG]?$', description, 'x-hint': 'a size such as 512m or 2g' });

const Ssh = Type.Object(
  {
    user: Type.Optional(Type.String({ minLength: 1, description: 'SSH login user' })),
    port: Type.Optional(port),
    identity: Type.Optional(Type.String({ minLength: 1, description: 'private key file; ssh-agent is used when absent' })),
    jump: Type.Optional(
      Type.String({ pattern: '^([^@\\s:/]+@)?[^@:\\s/]+(:[0-9]+)?$', description: 'bastion as [user@]host[:port]', 'x-hint': 'write it as [user@]host[:port], e.g. admin@bastion:22' }),
    ),
  },
  { ...closed, description: 'SSH settings; ~/.ssh/config fills in what is left out' },
);

const hostPaths = {
  installDir: Type.Optional(absPath('where distributions are unpacked (default /opt/pyro)')),
  dataDir: Type.Optional(absPath('root of the services\' data dirs (default /var/lib/pyro)')),
  logDir: Type.Optional(absPath('service logs (default <dataDir>/logs)')),
  javaHome: Type.Optional(absPath('JDK 17+ for Hadoop, Kafka, Spark, Flume')),
  java21Home: Type.Optional(absPath('JDK 21+ for NiFi')),
  python: Type.Optional(Type.String({ minLength: 1, description: 'python3 interpreter for Superset and PySpark' })),
  supervisor: Type.Optional(
    Type.Unsafe<'pyro' | 'systemd'>({
      type: 'string',
      enum: ['pyro', 'systemd'],
      description: 'pyro: pid files and pyro-managed start scripts (default, no root); systemd: units linked from the conf dir (system units as root, user units otherwise)',
    }),
  ),
};

const Defaults = Type.Object({ ssh: Type.Optional(Ssh), ...hostPaths }, closed);

// enum rather than a union of literals: ajv then reports one error per bad role, which we turn into a did-you-mean.
const Role = Type.Unsafe<string>({ type: 'string', enum: [...ROLE_NAMES], description: 'a service this host runs' });

const Host = Type.Object(
  {
    name: name('unique host name, also its hostname in the cluster'),
    address: Type.String({ minLength: 1, description: 'IP address or DNS name pyro connects to' }),
    connection: Type.Optional(Type.Unsafe<'ssh' | 'local'>({ type: 'string', enum: ['ssh', 'local'], description: 'local: the machine pyro runs on (default ssh)' })),
    roles: Type.Array(Role, { minItems: 1, uniqueItems: true }),
    ssh: Type.Optional(Ssh),
    ...hostPaths,
  },
  closed,
);

/** `config:` with one free-form map per config file the component renders. */
function configBlock(component: ComponentName, description: string): TSchema {
  return Type.Object(
    Object.fromEntries(CONFIG_FILES[component].map((f) => [f, Type.Optional(kv(`keys merged into ${f}`))])),
    { ...closed, description },
  );
}

function roleBlock(def: ServiceDefinition): TSchema {
  const portProps = Object.fromEntries(def.ports.map((p) => [p.name, Type.Optional({ ...port, description: `${p.description} (default ${p.default})` })]));
  const dirProps = Object.fromEntries(def.dirs.map((d) => [d.name, Type.Optional(absPath(`${d.description} (default <dataDir>/${d.default})`))]));
  const extra: Record<string, TSchema> = {};
  if (def.role === 'yarn-nodemanager') {
    extra.memoryMb = Type.Optional(Type.Integer({ minimum: 512, description: 'memory for containers (default: from the host)' }));
    extra.vcores = Type.Optional(Type.Integer({ minimum: 1, description: 'vcores for containers (default: host cores)' }));
  }
  return Type.Object(
    {
      heap: Type.Optional(memory(`JVM heap, e.g. 1g (default ${def.heapMb}m)`)),
      ports: Type.Optional(Type.Object(portProps, closed)),
      ...(def.dirs.length ? { dirs: Type.Optional(Type.Object(dirProps, closed)) } : {}),
      ...(def.settingsKey ? { config: Type.Optional(configBlock(def.component, 'overrides for this role only, applied after the component-wide ones')) } : {}),
      ...extra,
    },
    closed,
  );
}

function componentBlock(component: ComponentName): TSchema {
  const defs = SERVICES.filter((s) => s.component === component);
  const props: Record<string, TSchema> = {
    config: Type.Optional(
      configBlock(
        component,
        component === 'kafka'
          ? 'free-form overrides for the brokers (controllers take services.kafka.controller.config), applied last'
          : 'free-form overrides for every role of the component, applied last',
      ),
    ),
  };
  const single = defs.length === 1 && defs[0]!.settingsKey === undefined;
  if (single) {
    const block = roleBlock(defs[0]!) as TSchema & { properties: Record<string, TSchema> };
    Object.assign(props, block.properties);
  } else {
    for (const def of defs) props[def.settingsKey!] = Type.Optional(roleBlock(def));
  }
  if (component === 'hdfs') props.replication = Type.Optional(Type.Integer({ minimum: 1, description: 'dfs.replication (default: min(3, DataNodes))' }));
  if (component === 'superset') {
    props.adminUser = Type.Optional(Type.String({ pattern: '^[A-Za-z0-9_.@-]{1,64}$', description: 'admin login (default admin; the password is generated into the cluster state)', 'x-hint': 'letters, digits and . _ @ - only' }));
    props.metadata = Type.Optional(
      Type.Unsafe<'postgresql' | 'sqlite'>({ type: 'string', enum: ['postgresql', 'sqlite'], description: 'where Superset keeps its own metadata (default postgresql when a host runs it, else sqlite in the home dir)' }),
    );
    props.workers = Type.Optional(Type.Integer({ minimum: 1, maximum: 64, description: 'gunicorn worker processes (default 2; each takes about 300 MB)' }));
  }
  if (component === 'postgresql') props.database = Type.Optional(name('serving database name (default serving)'));
  return Type.Object(props, closed);
}

const Services = Type.Object(
  Object.fromEntries(COMPONENTS.map((c) => [c, Type.Optional(componentBlock(c))])),
  { ...closed, description: 'per-service settings and free-form config overrides' },
);

const Topic = Type.Object(
  {
    name: Type.String({ pattern: '^[a-zA-Z0-9._-]{1,249}$', description: 'Kafka topic name', 'x-hint': 'letters, digits, dots, underscores and dashes only' }),
    partitions: Type.Optional(Type.Integer({ minimum: 1, description: 'default 1' })),
    replicationFactor: Type.Optional(Type.Integer({ minimum: 1, description: 'default min(3, brokers)' })),
    config: Type.Optional(kv('topic configs, e.g. retention.ms')),
  },
  closed,
);

const Job = Type.Object(
  {
    name: name('job name, also its YARN application name'),
    main: Type.String({ pattern: '\\.(py|jar)$', description: 'a .py file or a .jar, relative to the inventory', 'x-hint': 'point at a .py file or a .jar' }),
    class: Type.Optional(Type.String({ minLength: 1, description: 'main class, for a jar' })),
    args: Type.Optional(Type.Array(Type.String())),
    topics: Type.Optional(Type.Array(Type.String({ minLength: 1 }), { description: 'topics the job reads' })),
    sparkConf: Type.Optional(kv('extra --conf key=value pairs')),
    resources: Type.Optional(
      Type.Object(
        {
          driverMemory: Type.Optional(memory('e.g. 512m')),
          executorMemory: Type.Optional(memory('e.g. 1g')),
          executors: Type.Optional(Type.Integer({ minimum: 1 })),
          executorCores: Type.Optional(Type.Integer({ minimum: 1 })),
        },
        closed,
      ),
    ),
    checkpoint: Type.Optional(Type.String({ pattern: '^/', description: 'HDFS dir (default /pyro/checkpoints/<name>)', 'x-hint': 'an absolute HDFS path' })),
    enabled: Type.Optional(Type.Boolean({ description: 'pyro up submits it unless false' })),
  },
  closed,
);

const Dataset = Type.Object(
  {
    table: Type.String({ pattern: '^[A-Za-z_][A-Za-z0-9_]*$', description: 'table in the serving database', 'x-hint': 'a plain SQL identifier, e.g. clicks_per_minute' }),
    schema: Type.Optional(Type.String({ pattern: '^[A-Za-z_][A-Za-z0-9_]*$', description: 'default public' })),
    description: Type.Optional(Type.String()),
    database: Type.Optional(Type.String({ minLength: 1, description: 'a name under databases: (default the serving store)' })),
  },
  closed,
);

const Database = Type.Object(
  {
    name: Type.String({ pattern: '^[A-Za-z0-9_][A-Za-z0-9_ .-]{0,63}$', description: 'the database\'s name in Superset; without uri, the serving store (services.postgresql.database)', 'x-hint': 'letters, digits, spaces and . _ - only, e.g. warehouse' }),
    uri: Type.Optional(Type.String({ pattern: '^[a-z][a-z0-9+]*://', description: 'SQLAlchemy URI without the password, e.g. postgresql+psycopg2://reader@db.example.com:5432/sales', 'x-hint': 'a SQLAlchemy URI such as postgresql+psycopg2://user@host:5432/db (the password goes in passwordEnv)' })),
    passwordEnv: Type.Optional(Type.String({ pattern: '^[A-Z_][A-Z0-9_]*$', description: 'environment variable holding the password (never written to the inventory or the state)', 'x-hint': 'an environment variable name, e.g. WAREHOUSE_PASSWORD' })),
  },
  closed,
);

const Dashboard = Type.Object(
  {
    template: Type.String({ minLength: 1, description: 'a Superset export bundle unpacked into a dir (metadata.yaml, charts/, dashboards/, datasets/), relative to the inventory' }),
  },
  closed,
);

const SourceKind = Type.Unsafe<'local' | 'url' | 'assemble'>({ type: 'string', enum: ['local', 'url', 'assemble'] });

const Artifacts = Type.Object(
  {
    sources: Type.Optional(Type.Array(SourceKind, { minItems: 1, uniqueItems: true, description: 'where distributions come from, in the order tried (default local, url, assemble)' })),
    localDirs: Type.Optional(Type.Array(Type.String({ minLength: 1 }), { description: 'dirs holding release archives (e.g. kafka_2.13-4.1.1.tgz), relative to the inventory' })),
    files: Type.Optional(Type.Record(Type.String({ pattern: ARTIFACT_PATTERN }), Type.String({ minLength: 1 }), { additionalProperties: false, description: 'an archive or unpacked dir per component, e.g. logstash: /srv/logstash-8.15.0-linux-x86_64.tar.gz' })),
    mavenRepo: Type.Optional(Type.String({ pattern: '^https?://', description: 'Maven repository for assembly (default Maven Central)', 'x-hint': 'an http(s) URL, e.g. https://nexus.example.com/repository/maven-public/' })),
    pypiIndex: Type.Optional(Type.String({ pattern: '^https?://', description: 'PyPI simple index for assembly (default PyPI)', 'x-hint': 'an http(s) URL ending in /simple' })),
    versions: Type.Optional(Type.Record(Type.String({ pattern: ARTIFACT_PATTERN }), Type.String({ pattern: '^[0-9][0-9A-Za-z.+-]*$' }), { additionalProperties: false, description: 'pinned version overrides per component' })),
  },
  { ...closed, description: 'where pyro gets distributions (see pyro fetch)' },
);

/** The whole inventory. */
export const InventorySchema = Type.Object(
  {
    $schema: Type.Optional(Type.String()),
    cluster: Type.Object({ name: name('cluster name; names its state dir and known-hosts file') }, closed),
    defaults: Type.Optional(Defaults),
    hosts: Type.Array(Host, { minItems: 1 }),
    services: Type.Optional(Services),
    artifacts: Type.Optional(Artifacts),
    topics: Type.Optional(Type.Array(Topic)),
    jobs: Type.Optional(Type.Array(Job)),
    databases: Type.Optional(Type.Array(Database, { description: 'databases Superset queries (default: the serving store alone)' })),
    datasets: Type.Optional(Type.Array(Dataset)),
    dashboards: Type.Optional(Type.Array(Dashboard, { description: 'Superset dashboards provisioned over the datasets' })),
  },
  { ...closed, $id: 'https://pyro.dev/schema/inventory.json', title: 'pyro inventory' },
);

export type RawInventory = Static<typeof InventorySchema>;
export type RawHost = Static<typeof Host>;
export type RawSsh = Static<typeof Ssh>;
export type RawTopic = Static<typeof Topic>;
export type RawJob = Static<typeof Job>;
export type RawDataset = Static<typeof Dataset>;
export type RawDashboard = Static<typeof Dashboard>;
export type RawDatabase = Static<typeof Database>;
export type RawArtifacts = Static<typeof Artifacts>;
