import path from 'node:path';
import { NIFI_JVM_FLAGS, NIFI_MAIN, NIFI_SYSPROPS, nifiDefaultProperties } from '../../artifacts/recipes/nifi.js';
import type { ConfigValue } from '../../inventory/types.js';
import { renderProperties } from '../../render/properties.js';
import { shellQuote } from '../../util/shell.js';
import { roleMarker, userConfig, type RuntimeContext } from '../runtime.js';
import { ADMIN_DN } from './endpoints.js';
import { SENSITIVE_KEY_SECRET, TLS_SECRET } from './tls.js';

export const NIFI_PROPERTIES = 'nifi.properties';
export const AUTHORIZERS_XML = 'authorizers.xml';
export const STATE_MANAGEMENT_XML = 'state-management.xml';
export const LOGIN_PROVIDERS_XML = 'login-identity-providers.xml';
export const SERVER_KEY = 'server.key';
export const SERVER_CERT = 'server.crt';
export const CA_CERT = 'ca.crt';

/** Where a node keeps what NiFi itself writes: the flow, users and policies, repositories, unpacked NARs. */
export function nodeDirs(ctx: Pick<RuntimeContext, 'inst'>) {
  const repo = ctx.inst.dirs.repositories!;
  const at = (p: string) => path.posix.join(repo, p);
  return {
    repo,
    flow: at('conf/flow.json.gz'),
    archive: at('conf/archive/'),
    users: at('conf/users.xml'),
    authorizations: at('conf/authorizations.xml'),
    /** NARs a user adds (e.g. Apache's Kafka NARs): NiFi loads what appears here without a restart. */
    extensions: at('extensions'),
  };
}

const xmlEscape = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/**
 * nifi.properties: the distribution's defaults, every path made absolute (NiFi resolves relative ones against its
 * working directory), HTTPS only on the host's address with the node's PEM certificate, client certificates
 * checked against the cluster CA, the managed authorizer; the inventory's overrides last.
 */
export function nifiProperties(ctx: RuntimeContext): string {
  const d = nodeDirs(ctx);
  const conf = ctx.paths.conf;
  const root = ctx.artifactRoot('nifi');
  const { address, name } = ctx.inst.host;
  const port = ctx.inst.ports.https!;
  const repo = (p: string) => path.posix.join(d.repo, p);
  const key = ctx.secrets[SENSITIVE_KEY_SECRET];
  if (!key) throw new Error(`the secret ${SENSITIVE_KEY_SECRET} is missing`);
  const pyro: Record<string, ConfigValue> = {
    'nifi.flow.configuration.file': d.flow,
    'nifi.flow.configuration.archive.dir': d.archive,
    'nifi.authorizer.configuration.file': `${conf}/${AUTHORIZERS_XML}`,
    'nifi.login.identity.provider.configuration.file': `${conf}/${LOGIN_PROVIDERS_XML}`,
    'nifi.state.management.configuration.file': `${conf}/${STATE_MANAGEMENT_XML}`,
    'nifi.nar.library.directory': `${root}/lib`,
    'nifi.nar.library.autoload.directory': d.extensions,
    'nifi.nar.working.directory': repo('work/nar/'),
    'nifi.upload.working.directory': repo('work/uploads'),
    'nifi.web.jetty.working.directory': repo('work/jetty'),
    'nifi.database.directory': repo('database_repository'),
    'nifi.flowfile.repository.directory': repo('flowfile_repository'),
    'nifi.content.repository.directory.default': repo('content_repository'),
    'nifi.provenance.repository.directory.default': repo('provenance_repository'),
    'nifi.nar.persistence.provider.properties.directory': repo('nar_repository'),
    'nifi.asset.manager.properties.directory': repo('assets'),
    'nifi.web.http.host': '',
    'nifi.web.http.port': '',
    'nifi.web.https.host': address,
    'nifi.web.https.port': port,
    // NiFi refuses a request whose Host header it does not know: the address is known, the host name must be added.
    'nifi.web.proxy.host': [...new Set([`${name}:${port}`, `${address}:${port}`])].join(','),
    'nifi.security.keystoreType': 'PEM',
    'nifi.security.keystore.certificate': `${conf}/${SERVER_CERT}`,
    'nifi.security.keystore.privateKey': `${conf}/${SERVER_KEY}`,
    'nifi.security.truststoreType': 'PEM',
    'nifi.security.truststore.certificate': `${conf}/${CA_CERT}`,
    'nifi.security.user.authorizer': 'managed-authorizer',
    'nifi.security.user.login.identity.provider': '',
    'nifi.sensitive.props.key': key,
  };
  return renderProperties({ ...Object.fromEntries(nifiDefaultProperties()), ...pyro, ...userConfig(ctx.inst, NIFI_PROPERTIES) });
}

/**
 * File-based users and policies with the admin's certificate DN as initial user and initial admin. NiFi reads the
 * initial admin only while users.xml and authorizations.xml do not exist yet; both live in the data dir.
 */
export function authorizersXml(ctx: RuntimeContext): string {
  const d = nodeDirs(ctx);
  return `<?xml version="1.0" encoding="UTF-8"?>
<!-- Written by pyro; edits are overwritten. -->
<authorizers>
  <userGroupProvider>
    <identifier>file-user-group-provider</identifier>
    <class>org.apache.nifi.authorization.FileUserGroupProvider</class>
    <property name="Users File">${xmlEscape(d.users)}</property>
    <property name="Initial User Identity 1">${xmlEscape(ADMIN_DN)}</property>
  </userGroupProvider>
  <accessPolicyProvider>
    <identifier>file-access-policy-provider</identifier>
    <class>org.apache.nifi.authorization.FileAccessPolicyProvider</class>
    <property name="User Group Provider">file-user-group-provider</property>
    <property name="Authorizations File">${xmlEscape(d.authorizations)}</property>
    <property name="Initial Admin Identity">${xmlEscape(ADMIN_DN)}</property>
  </accessPolicyProvider>
  <authorizer>
    <identifier>managed-authorizer</identifier>
    <class>org.apache.nifi.authorization.StandardManagedAuthorizer</class>
    <property name="Access Policy Provider">file-access-policy-provider</property>
  </authorizer>
</authorizers>
`;
}

/** Local state only (a standalone node), in the data dir. */
export function stateManagementXml(ctx: RuntimeContext): string {
  return `<?xml version="1.0" encoding="UTF-8"?>
<!-- Written by pyro; edits are overwritten. -->
<stateManagement>
  <local-provider>
    <id>local-provider</id>
    <class>org.apache.nifi.controller.state.providers.local.WriteAheadLocalStateProvider</class>
    <property name="Directory">${xmlEscape(path.posix.join(nodeDirs(ctx).repo, 'state/local'))}</property>
    <property name="Always Sync">false</property>
    <property name="Partitions">16</property>
    <property name="Checkpoint Interval">2 mins</property>
  </local-provider>
</stateManagement>
`;
}

const LOGIN_PROVIDERS = `<?xml version="1.0" encoding="UTF-8"?>
<!-- Written by pyro: no login providers; users log in with client certificates. -->
<loginIdentityProviders>
</loginIdentityProviders>
`;

function secret(ctx: RuntimeContext, name: string): string {
  const v = ctx.secrets[name];
  if (!v) throw new Error(`the secret ${name} is missing (the cluster state's PKI)`);
  return v;
}

export function nifiFiles(ctx: RuntimeContext): Record<string, string> {
  const host = ctx.inst.host.name;
  return {
    [NIFI_PROPERTIES]: nifiProperties(ctx),
    [AUTHORIZERS_XML]: authorizersXml(ctx),
    [STATE_MANAGEMENT_XML]: stateManagementXml(ctx),
    [LOGIN_PROVIDERS_XML]: LOGIN_PROVIDERS,
    [SERVER_KEY]: secret(ctx, TLS_SECRET.nodeKey(host)),
    // The chain up to the CA, so clients that only know the CA can build the path.
    [SERVER_CERT]: `${secret(ctx, TLS_SECRET.nodeCert(host)).trimEnd()}\n${secret(ctx, TLS_SECRET.caCert).trimEnd()}\n`,
    [CA_CERT]: secret(ctx, TLS_SECRET.caCert),
  };
}

/** Files holding secrets: written 0600, not shown in a plan's diff. */
export const NIFI_PRIVATE_FILES = [NIFI_PROPERTIES, SERVER_KEY];

/**
 * NiFi's JVM without its bootstrap process (not published): NIFI_MAIN on the distribution's lib/ and conf/ (its
 * logback.xml), the node's nifi.properties, logs in the instance's log dir, the management server (/health) on
 * loopback at the `management` port.
 */
export function nifiLaunch(ctx: RuntimeContext): string[] {
  const root = ctx.artifactRoot('nifi');
  return [
    ctx.java,
    `-Xms${ctx.heapMb}m`,
    `-Xmx${ctx.heapMb}m`,
    roleMarker(ctx.inst.def.role),
    ...NIFI_JVM_FLAGS,
    `-D${NIFI_SYSPROPS.properties}=${ctx.paths.conf}/${NIFI_PROPERTIES}`,
    `-D${NIFI_SYSPROPS.logDir}=${ctx.paths.logs}`,
    `-D${NIFI_SYSPROPS.managementServer}=127.0.0.1:${ctx.inst.ports.management}`,
    '-cp',
    `${root}/lib/*:${root}/conf`,
    NIFI_MAIN,
  ];
}

/**
 * Runs in the data dir, so that anything NiFi still resolves against its working directory stays there; the dir
 * of users.xml must exist (NiFi creates the file, not its parents).
 */
export function nifiPrelude(ctx: RuntimeContext): string {
  const d = nodeDirs(ctx);
  return `mkdir -p ${shellQuote(path.posix.dirname(d.users))} && cd ${shellQuote(d.repo)}`;
}
