import path from 'node:path';
import { PyroError } from '../../util/errors.js';
import type { ArtifactRecipe, AssembleContext } from '../types.js';
import { buildNar } from './nar.js';
import { buildNifiKafkaNar, nifiKafkaJdk } from './nifi-kafka.js';

/**
 * NiFi 2.3.0: the only 2.x release whose framework NARs (nifi-framework-nar, nifi-server-nar, nifi-jetty-nar,
 * nifi-provenance-repository-nar) the Maven repository reachable here serves; 2.4+ have nifi-runtime but no
 * framework NAR. No 2.x version has nifi-bootstrap, nifi-resources, nifi-standard-nar, the single-user login NAR
 * or any Kafka NAR here, so the tree is assembled without them (see assembleNifi), with a standard NAR and a
 * Kafka publisher of pyro's own.
 */
export const NIFI_DEFAULT_VERSION = '2.3.0';

/** Versions of the jars in lib/ that NiFi's own parent pom pins for each release (nifi-api is versioned apart). */
const LIB_VERSIONS: Record<string, { nifiApi: string; slf4j: string; logback: string }> = {
  '2.3.0': { nifiApi: '2.0.0', slf4j: '2.0.17', logback: '1.5.17' },
};

/** The main class pyro launches: `java -cp 'lib/*:conf' ... org.apache.nifi.NiFi` (what bin/nifi.sh run ends in). */
export const NIFI_MAIN = 'org.apache.nifi.NiFi';

/**
 * System properties NiFi reads at launch: nifi.properties location, the log dir logback.xml writes to, and the
 * management server (plain HTTP /health on loopback, default 127.0.0.1:52020).
 */
export const NIFI_SYSPROPS = {
  properties: 'nifi.properties.file.path',
  logDir: 'org.apache.nifi.bootstrap.config.log.dir',
  managementServer: 'org.apache.nifi.management.server.address',
} as const;

/**
 * JVM flags the official bootstrap.conf passes besides the heap, plus one it lacks: the flow-action audit store
 * (Xodus) wants sun.nio.ch open and otherwise logs a stack trace at every start before falling back.
 */
export const NIFI_JVM_FLAGS = [
  '--add-opens=java.base/sun.nio.ch=ALL-UNNAMED',
  '-Djava.awt.headless=true',
  '-Dsun.net.http.allowRestrictedHeaders=true',
  '-Djava.protocol.handler.pkgs=sun.net.www.protocol',
  '-Djavax.security.auth.useSubjectCredsOnly=true',
  '-Dcurator-log-only-first-connection-issue-as-error-level=true',
];

/** The framework: the system class path jars, then the NARs NiFi needs to boot its web UI and REST API. */
const LIB_JARS = (v: string, l: { nifiApi: string; slf4j: string; logback: string }) => [
  `org.slf4j:slf4j-api:${l.slf4j}`,
  `org.slf4j:jcl-over-slf4j:${l.slf4j}`,
  `org.slf4j:jul-to-slf4j:${l.slf4j}`,
  `org.slf4j:log4j-over-slf4j:${l.slf4j}`,
  `ch.qos.logback:logback-classic:${l.logback}`,
  `ch.qos.logback:logback-core:${l.logback}`,
  `org.apache.nifi:nifi-api:${l.nifiApi}`,
  ...[
    'nifi-framework-api',
    'nifi-nar-utils',
    'nifi-properties',
    'nifi-property-utils',
    'nifi-python-framework-api',
    'nifi-runtime',
    'nifi-server-api',
    'nifi-stateless-api',
  ].map((a) => `org.apache.nifi:${a}:${v}`),
];

/**
 * NARs used as published. framework -> jetty, server -> framework: the web UI, REST API and flow engine;
 * provenance-repository: the default WriteAheadProvenanceRepository; standard-services-api -> standard-shared: the
 * parents of the standard processors; record-serialization-services and ssl-context-service: JSON/CSV/Avro record
 * readers and writers and the SSL context service that record and TLS processors use.
 */
const NARS = [
  'nifi-framework-nar',
  'nifi-server-nar',
  'nifi-jetty-nar',
  'nifi-provenance-repository-nar',
  'nifi-standard-services-api-nar',
  'nifi-standard-shared-nar',
  'nifi-record-serialization-services-nar',
  'nifi-ssl-context-service-nar',
];

/**
 * The distribution's conf/nifi.properties as key/value pairs: a standalone node with its repositories beside the
 * working directory, HTTP on loopback. The NiFi service renders each node's own from these.
 */
export function nifiDefaultProperties(): [string, string][] {
  return [
    // Core
    ['nifi.flow.configuration.file', './conf/flow.json.gz'],
    ['nifi.flow.configuration.archive.enabled', 'true'],
    ['nifi.flow.configuration.archive.dir', './conf/archive/'],
    ['nifi.flow.configuration.archive.max.time', '30 days'],
    ['nifi.flow.configuration.archive.max.storage', '500 MB'],
    ['nifi.flow.configuration.archive.max.count', ''],
    ['nifi.flowcontroller.autoResumeState', 'true'],
    ['nifi.flowcontroller.graceful.shutdown.period', '10 sec'],
    ['nifi.flowservice.writedelay.interval', '500 ms'],
    ['nifi.administrative.yield.duration', '30 sec'],
    ['nifi.bored.yield.duration', '10 millis'],
    ['nifi.queue.backpressure.count', '10000'],
    ['nifi.queue.backpressure.size', '1 GB'],
    ['nifi.authorizer.configuration.file', './conf/authorizers.xml'],
    ['nifi.login.identity.provider.configuration.file', './conf/login-identity-providers.xml'],
    ['nifi.ui.banner.text', ''],
    ['nifi.nar.library.directory', './lib'],
    ['nifi.nar.library.autoload.directory', './extensions'],
    ['nifi.nar.working.directory', './work/nar/'],
    ['nifi.nar.unpack.uber.jar', 'false'],
    ['nifi.upload.working.directory', './work/uploads'],
    // State management (local only: pyro runs standalone nodes)
    ['nifi.state.management.configuration.file', './conf/state-management.xml'],
    ['nifi.state.management.provider.local', 'local-provider'],
    ['nifi.database.directory', './database_repository'],
    // Repositories
    ['nifi.flowfile.repository.implementation', 'org.apache.nifi.controller.repository.WriteAheadFlowFileRepository'],
    ['nifi.flowfile.repository.wal.implementation', 'org.apache.nifi.wali.SequentialAccessWriteAheadLog'],
    ['nifi.flowfile.repository.directory', './flowfile_repository'],
    ['nifi.flowfile.repository.checkpoint.interval', '20 secs'],
    ['nifi.flowfile.repository.always.sync', 'false'],
    ['nifi.flowfile.repository.retain.orphaned.flowfiles', 'true'],
    ['nifi.swap.manager.implementation', 'org.apache.nifi.controller.FileSystemSwapManager'],
    ['nifi.queue.swap.threshold', '20000'],
    ['nifi.content.repository.implementation', 'org.apache.nifi.controller.repository.FileSystemRepository'],
    ['nifi.content.claim.max.appendable.size', '50 KB'],
    ['nifi.content.repository.directory.default', './content_repository'],
    ['nifi.content.repository.archive.max.retention.period', '3 hours'],
    ['nifi.content.repository.archive.max.usage.percentage', '90%'],
    ['nifi.content.repository.archive.enabled', 'true'],
    ['nifi.content.repository.always.sync', 'false'],
    ['nifi.provenance.repository.implementation', 'org.apache.nifi.provenance.WriteAheadProvenanceRepository'],
    ['nifi.provenance.repository.directory.default', './provenance_repository'],
    ['nifi.provenance.repository.max.storage.time', '30 days'],
    ['nifi.provenance.repository.max.storage.size', '10 GB'],
    ['nifi.provenance.repository.rollover.time', '10 mins'],
    ['nifi.provenance.repository.rollover.size', '100 MB'],
    ['nifi.provenance.repository.query.threads', '2'],
    ['nifi.provenance.repository.index.threads', '2'],
    ['nifi.provenance.repository.compress.on.rollover', 'true'],
    ['nifi.provenance.repository.always.sync', 'false'],
    ['nifi.provenance.repository.indexed.fields', 'EventType, FlowFileUUID, Filename, ProcessorID, Relationship'],
    ['nifi.provenance.repository.indexed.attributes', ''],
    ['nifi.provenance.repository.index.shard.size', '500 MB'],
    ['nifi.provenance.repository.max.attribute.length', '65536'],
    ['nifi.provenance.repository.concurrent.merge.threads', '2'],
    ['nifi.provenance.repository.buffer.size', '100000'],
    ['nifi.components.status.repository.implementation', 'org.apache.nifi.controller.status.history.VolatileComponentStatusRepository'],
    ['nifi.components.status.repository.buffer.size', '1440'],
    ['nifi.components.status.snapshot.frequency', '1 min'],
    ['nifi.nar.persistence.provider.implementation', 'org.apache.nifi.nar.StandardNarPersistenceProvider'],
    ['nifi.nar.persistence.provider.properties.directory', './nar_repository'],
    ['nifi.asset.manager.implementation', 'org.apache.nifi.asset.StandardAssetManager'],
    ['nifi.asset.manager.properties.directory', './assets'],
    // Web
    ['nifi.web.http.host', '127.0.0.1'],
    ['nifi.web.http.port', '8080'],
    ['nifi.web.http.network.interface.default', ''],
    ['nifi.web.https.host', ''],
    ['nifi.web.https.port', ''],
    ['nifi.web.https.network.interface.default', ''],
    ['nifi.web.https.application.protocols', 'h2 http/1.1'],
    ['nifi.web.jetty.working.directory', './work/jetty'],
    ['nifi.web.jetty.threads', '200'],
    ['nifi.web.max.header.size', '16 KB'],
    ['nifi.web.proxy.context.path', ''],
    ['nifi.web.proxy.host', ''],
    ['nifi.web.max.content.size', ''],
    ['nifi.web.max.requests.per.second', '30000'],
    ['nifi.web.max.access.token.requests.per.second', '25'],
    ['nifi.web.request.timeout', '60 secs'],
    ['nifi.web.request.ip.whitelist', ''],
    ['nifi.web.should.send.server.version', 'true'],
    // Security: PEM or PKCS12 key and trust stores, the managed authorizer for client certificates
    ['nifi.sensitive.props.key', ''],
    ['nifi.sensitive.props.algorithm', 'NIFI_PBKDF2_AES_GCM_256'],
    ['nifi.security.autoreload.enabled', 'false'],
    ['nifi.security.autoreload.interval', '10 secs'],
    ['nifi.security.keystore', ''],
    ['nifi.security.keystoreType', ''],
    ['nifi.security.keystorePasswd', ''],
    ['nifi.security.keyPasswd', ''],
    ['nifi.security.keystore.certificate', ''],
    ['nifi.security.keystore.privateKey', ''],
    ['nifi.security.truststore', ''],
    ['nifi.security.truststoreType', ''],
    ['nifi.security.truststorePasswd', ''],
    ['nifi.security.truststore.certificate', ''],
    ['nifi.security.user.authorizer', ''],
    ['nifi.security.allow.anonymous.authentication', 'false'],
    ['nifi.security.user.login.identity.provider', ''],
    ['nifi.security.user.jws.key.rotation.period', 'PT1H'],
    // Monitoring
    ['nifi.monitor.long.running.task.schedule', '1 min'],
    ['nifi.monitor.long.running.task.threshold', '5 mins'],
    ['nifi.diagnostics.on.shutdown.enabled', 'false'],
    ['nifi.performance.tracking.percentage', '0'],
  ];
}

/** conf/nifi.properties of the distribution (see nifiDefaultProperties). */
function defaultProperties(version: string): string {
  const p = nifiDefaultProperties();
  return (
    `# Apache NiFi ${version}, assembled by pyro. A standalone node serving plain HTTP on loopback until a\n` +
    `# keystore, truststore and authorizer are configured (pyro writes its own copy per host). Relative paths are\n` +
    `# resolved against the working directory; set nifi.sensitive.props.key before the first start.\n` +
    `# Python processors are off: nifi.python.command is unset.\n` +
    p.map(([k, v]) => `${k}=${v}`).join('\n') +
    '\n'
  );
}

/** Logging to ${org.apache.nifi.bootstrap.config.log.dir}: nifi-app.log (rolled daily, 10 files) and nifi-user.log. */
const LOGBACK_XML = `<?xml version="1.0" encoding="UTF-8"?>
<configuration scan="true" scanPeriod="30 seconds">
  <contextListener class="ch.qos.logback.classic.jul.LevelChangePropagator"><resetJUL>true</resetJUL></contextListener>
  <property name="LOG_DIR" value="\${org.apache.nifi.bootstrap.config.log.dir:-./logs}"/>
  <appender name="APP_FILE" class="ch.qos.logback.core.rolling.RollingFileAppender">
    <file>\${LOG_DIR}/nifi-app.log</file>
    <rollingPolicy class="ch.qos.logback.core.rolling.TimeBasedRollingPolicy">
      <fileNamePattern>\${LOG_DIR}/nifi-app_%d.log</fileNamePattern>
      <maxHistory>10</maxHistory>
    </rollingPolicy>
    <encoder><pattern>%date %level [%thread] %logger{40} %msg%n</pattern></encoder>
  </appender>
  <appender name="USER_FILE" class="ch.qos.logback.core.rolling.RollingFileAppender">
    <file>\${LOG_DIR}/nifi-user.log</file>
    <rollingPolicy class="ch.qos.logback.core.rolling.TimeBasedRollingPolicy">
      <fileNamePattern>\${LOG_DIR}/nifi-user_%d.log</fileNamePattern>
      <maxHistory>10</maxHistory>
    </rollingPolicy>
    <encoder><pattern>%date %level [%thread] %logger{40} %msg%n</pattern></encoder>
  </appender>
  <logger name="org.apache.nifi" level="INFO"/>
  <logger name="org.apache.nifi.processors" level="WARN"/>
  <logger name="org.apache.nifi.processors.standard.LogAttribute" level="INFO"/>
  <logger name="org.apache.nifi.processors.standard.LogMessage" level="INFO"/>
  <logger name="org.apache.nifi.controller.repository.StandardProcessSession" level="WARN"/>
  <logger name="org.eclipse.jetty" level="WARN"/>
  <logger name="org.springframework" level="ERROR"/>
  <logger name="org.glassfish.jersey" level="ERROR"/>
  <logger name="org.apache.nifi.web.security" level="INFO" additivity="false"><appender-ref ref="USER_FILE"/></logger>
  <logger name="org.apache.nifi.web.api.config" level="INFO" additivity="false"><appender-ref ref="USER_FILE"/></logger>
  <logger name="org.apache.nifi.authorization" level="INFO" additivity="false"><appender-ref ref="USER_FILE"/></logger>
  <root level="INFO"><appender-ref ref="APP_FILE"/></root>
</configuration>
`;

/** Local state in ./state/local (no cluster provider: pyro runs standalone nodes). */
const STATE_MANAGEMENT_XML = `<?xml version="1.0" encoding="UTF-8"?>
<stateManagement>
  <local-provider>
    <id>local-provider</id>
    <class>org.apache.nifi.controller.state.providers.local.WriteAheadLocalStateProvider</class>
    <property name="Directory">./state/local</property>
    <property name="Always Sync">false</property>
    <property name="Partitions">16</property>
    <property name="Checkpoint Interval">2 mins</property>
  </local-provider>
</stateManagement>
`;

/**
 * File-based users and policies (in the framework NAR) for HTTPS with client certificates: set the initial admin's
 * certificate DN in both places. Used only when nifi.security.user.authorizer=managed-authorizer.
 */
const AUTHORIZERS_XML = `<?xml version="1.0" encoding="UTF-8"?>
<authorizers>
  <userGroupProvider>
    <identifier>file-user-group-provider</identifier>
    <class>org.apache.nifi.authorization.FileUserGroupProvider</class>
    <property name="Users File">./conf/users.xml</property>
    <property name="Initial User Identity 1"></property>
  </userGroupProvider>
  <accessPolicyProvider>
    <identifier>file-access-policy-provider</identifier>
    <class>org.apache.nifi.authorization.FileAccessPolicyProvider</class>
    <property name="User Group Provider">file-user-group-provider</property>
    <property name="Authorizations File">./conf/authorizations.xml</property>
    <property name="Initial Admin Identity"></property>
  </accessPolicyProvider>
  <authorizer>
    <identifier>managed-authorizer</identifier>
    <class>org.apache.nifi.authorization.StandardManagedAuthorizer</class>
    <property name="Access Policy Provider">file-access-policy-provider</property>
  </authorizer>
</authorizers>
`;

/** No login providers: no login NAR is obtainable here (users authenticate with client certificates). */
const LOGIN_IDENTITY_PROVIDERS_XML = `<?xml version="1.0" encoding="UTF-8"?>
<loginIdentityProviders>
</loginIdentityProviders>
`;

async function assembleNifi(ctx: AssembleContext, version: string): Promise<void> {
  const libs = LIB_VERSIONS[version];
  if (!libs) {
    throw new PyroError('ASSEMBLE_FAILED', `NiFi ${version} cannot be assembled: its lib/ versions are not known to pyro`, {
      hint: `use NiFi ${Object.keys(LIB_VERSIONS).join(' or ')}, or supply the official nifi-${version}-bin.zip as a local artifact`,
    });
  }
  const jdk = nifiKafkaJdk();
  // Every artifact alone: the lib jars are exactly the system class path of the official lib/, and a NAR
  // bundles its own dependencies.
  await ctx.maven(LIB_JARS(version, libs), 'lib', { transitive: false });
  await ctx.maven(
    NARS.map((n) => `org.apache.nifi:${n}:${version}:nar`),
    'lib',
    { transitive: false },
  );

  // nifi-standard-nar is not served: built from nifi-standard-processors and its closure (outside the tree). It
  // takes the official Nar-Id, so flows that reference org.apache.nifi:nifi-standard-nar:V load; it lacks the
  // official NAR's reporting tasks, flow analysis rules, parameter providers and generated docs.
  const closureDir = path.join(ctx.scratch, 'nifi-standard-processors');
  await ctx.maven([`org.apache.nifi:nifi-standard-processors:${version}`], path.relative(ctx.dir, closureDir));
  const lib = path.join(ctx.dir, 'lib');
  const nifiNar = (id: string) => ({ group: 'org.apache.nifi', id, version });
  await buildNar(ctx, {
    nar: nifiNar('nifi-standard-nar'),
    parent: nifiNar('nifi-standard-shared-nar'),
    lib,
    closure: closureDir,
    out: path.join(lib, `nifi-standard-nar-${version}.nar`),
    parentNars: [`nifi-standard-shared-nar-${version}.nar`, `nifi-standard-services-api-nar-${version}.nar`],
  });
  // No Kafka NAR is served either: pyro's own publisher (extensions/nifi-kafka), compiled here.
  await buildNifiKafkaNar(ctx, jdk, version, path.join(lib, `nifi-api-${libs.nifiApi}.jar`));

  await ctx.write('conf/nifi.properties', defaultProperties(version));
  await ctx.write('conf/logback.xml', LOGBACK_XML);
  await ctx.write('conf/state-management.xml', STATE_MANAGEMENT_XML);
  await ctx.write('conf/authorizers.xml', AUTHORIZERS_XML);
  await ctx.write('conf/login-identity-providers.xml', LOGIN_IDENTITY_PROVIDERS_XML);
  await ctx.write('extensions/.keep', '');
  ctx.log(`nifi ${version}: lib/ (${LIB_JARS(version, libs).length} jars, ${NARS.length + 2} NARs) and conf/ written`);
}

/**
 * Apache NiFi at `version`, assembled from Maven Central: lib/ (system jars and NARs) and conf/ like the official
 * nifi-X-bin.zip, without bin/ (pyro launches NIFI_MAIN itself) and without lib/bootstrap (not published).
 * No `url`: no SHA-512 of an official nifi-X-bin.zip could be confirmed.
 */
export function nifiRecipe(version: string = NIFI_DEFAULT_VERSION): ArtifactRecipe {
  return {
    component: 'nifi',
    version,
    title: 'Apache NiFi',
    fileNames: [`nifi-${version}-bin.zip`],
    assemble: (ctx) => assembleNifi(ctx, version),
    requiredPaths: [
      `lib/nifi-runtime-${version}.jar`,
      `lib/nifi-framework-nar-${version}.nar`,
      `lib/nifi-server-nar-${version}.nar`,
      `lib/nifi-standard-nar-${version}.nar`,
      'conf/nifi.properties',
      'conf/logback.xml',
    ],
    javaMin: 21,
    // 1: pyro's Kafka publisher NAR added.
    assemblyRevision: 1,
  };
}

export default nifiRecipe();
