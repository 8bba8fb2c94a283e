import path from 'node:path';
import type { ConfigValue } from '../../inventory/types.js';
import { pgUri } from '../postgresql/endpoints.js';
import { userConfig, type RuntimeContext } from '../runtime.js';
import { adminUser, METADATA_DATABASE, SUPERSET_ADMIN_SECRET, SUPERSET_SECRET_KEY } from './registry.js';
import { supersetSettings } from './settings.js';

// Superset runs from the venv the artifact's host setup built, under gunicorn. Secrets sit in files of their own
// (0600) so the main config stays readable and its changes can be shown in a dry run.

export const SUPERSET_MARKER = 'pyro.role=superset';

const py = (v: ConfigValue): string => (typeof v === 'boolean' ? (v ? 'True' : 'False') : typeof v === 'number' ? String(v) : JSON.stringify(v));

function version(ctx: RuntimeContext): string {
  return path.posix.basename(ctx.artifactRoot('superset'));
}

function venv(ctx: RuntimeContext): string {
  return `${ctx.artifactRoot('superset')}/venv/bin`;
}

function home(ctx: RuntimeContext): string {
  return ctx.inst.dirs.home!;
}

/** Files the service keeps secret: written 0600, never shown in a diff. */
export const SUPERSET_PRIVATE_FILES = ['superset_secrets.py', 'admin.secret'];

/** Python that needs Superset's own code: the metadata database, the admin user. */
const HELPER = `"""Superset setup steps, written by pyro: \`pyro up\` rewrites it."""
import os
import sys

CONF = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, CONF)


def create_metadata_db():
    """Creates Superset's metadata database on PostgreSQL when it does not exist yet."""
    from superset_secrets import SQLALCHEMY_DATABASE_URI as uri
    if not uri.startswith("postgresql"):
        return
    import psycopg2
    from sqlalchemy.engine.url import make_url
    u = make_url(uri)
    conn = psycopg2.connect(host=u.host, port=u.port, user=u.username, password=u.password, dbname="postgres", connect_timeout=20)
    conn.autocommit = True
    cur = conn.cursor()
    cur.execute("SELECT 1 FROM pg_database WHERE datname = %s", (u.database,))
    if cur.fetchone() is None:
        cur.execute('CREATE DATABASE "%s"' % u.database.replace('"', ''))
        print("created database %s" % u.database)


def admin(reset):
    """Creates the admin user with the password in admin.secret. With reset, sets the admin's password to the one
    on stdin (pyro sends the cluster state's), so no password is ever in a command line."""
    with open(os.path.join(CONF, "admin.secret")) as f:
        name, password = f.read().split("\\n")[:2]
    if reset:
        password = sys.stdin.readline().strip() or password
    from superset.app import create_app
    app = create_app()
    with app.app_context():
        sm = app.appbuilder.sm
        user = sm.find_user(username=name)
        if user is None:
            if not sm.add_user(name, "Superset", "Admin", name + "@localhost", sm.find_role("Admin"), password=password):
                sys.exit("creating the admin user %s failed" % name)
            print("admin user %s created" % name)
        elif reset:
            sm.reset_password(user.id, password)
            print("admin password of %s set" % name)
        else:
            print("admin user %s exists" % name)


if __name__ == "__main__":
    step = sys.argv[1]
    if step == "metadata-db":
        create_metadata_db()
    elif step == "admin":
        admin(reset="--reset" in sys.argv)
    else:
        sys.exit("unknown step " + step)
`;

function initScript(ctx: RuntimeContext): string {
  const conf = ctx.paths.conf;
  return `#!/bin/sh
# Superset's setup, written by pyro. \`format\` (once, by pyro up): metadata database, schema, roles, admin user.
# \`upgrade\` (each start): schema and roles again only when the installed version differs from the stamp.
# \`reset-admin\`: sets the admin password to the one in admin.secret.
set -e
export SUPERSET_CONFIG_PATH=${conf}/superset_config.py SUPERSET_HOME=${home(ctx)}
V=${venv(ctx)}
STAMP=${home(ctx)}/pyro-schema-version
VERSION=${version(ctx)}
case "$1" in
  format)
    "$V/python" ${conf}/pyro_superset.py metadata-db
    "$V/superset" db upgrade
    "$V/superset" init
    "$V/python" ${conf}/pyro_superset.py admin
    echo "$VERSION" > "$STAMP"
    date -u +%FT%TZ > ${home(ctx)}/pyro-initialized ;;
  upgrade)
    [ "$(cat "$STAMP" 2>/dev/null)" = "$VERSION" ] && exit 0
    echo "superset: upgrading the metadata schema to $VERSION"
    "$V/superset" db upgrade
    "$V/superset" init
    echo "$VERSION" > "$STAMP" ;;
  reset-admin)
    "$V/python" ${conf}/pyro_superset.py admin --reset ;;
  *) echo "usage: $0 format|upgrade|reset-admin" >&2; exit 2 ;;
esac
`;
}

export function supersetFiles(ctx: RuntimeContext): Record<string, string> {
  const settings: Record<string, ConfigValue> = {
    SUPERSET_WEBSERVER_PORT: ctx.inst.ports.http!,
    SUPERSET_WEBSERVER_TIMEOUT: 120,
    DATA_DIR: home(ctx),
    // A dashboard may refresh as often as its author wants (the sample one: every 10 s).
    SUPERSET_DASHBOARD_PERIODICAL_REFRESH_LIMIT: 0,
    ...userConfig(ctx.inst, 'superset_config.py'),
  };
  const config = [
    "# Superset's configuration, written by pyro: `pyro up` rewrites it. Set keys in the inventory under",
    '# services.superset.config."superset_config.py". Secrets are in superset_secrets.py beside it (0600).',
    'import os',
    'import sys',
    '',
    'sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))',
    'from superset_secrets import SECRET_KEY, SQLALCHEMY_DATABASE_URI  # noqa: E402,F401',
    '',
    ...Object.keys(settings)
      .sort()
      .map((k) => `${k} = ${py(settings[k]!)}`),
    '',
  ].join('\n');
  const uri = supersetSettings(ctx.inv).metadata === 'postgresql' ? pgUri(ctx.inv, ctx.secrets, METADATA_DATABASE) : `sqlite:///${home(ctx)}/superset.db`;
  const key = ctx.secrets[SUPERSET_SECRET_KEY];
  const pw = ctx.secrets[SUPERSET_ADMIN_SECRET];
  if (!key || !pw) throw new Error('the Superset secrets are missing from the cluster state');
  return {
    'superset_config.py': config,
    'superset_secrets.py': `# written by pyro from the cluster state\nSECRET_KEY = ${JSON.stringify(key)}\nSQLALCHEMY_DATABASE_URI = ${JSON.stringify(uri)}\n`,
    'admin.secret': `${adminUser(ctx.inv)}\n${pw}\n`,
    'pyro_superset.py': HELPER,
    'init.sh': initScript(ctx),
  };
}

export function supersetEnv(ctx: RuntimeContext): Record<string, string> {
  return { SUPERSET_CONFIG_PATH: `${ctx.paths.conf}/superset_config.py`, SUPERSET_HOME: home(ctx) };
}

/** Schema upgrades after a version change run before gunicorn starts (a no-op otherwise). */
export function supersetPrelude(ctx: RuntimeContext): string {
  return `sh ${ctx.paths.conf}/init.sh upgrade`;
}

export function supersetLaunch(ctx: RuntimeContext): string[] {
  const workers = supersetSettings(ctx.inv).workers;
  return [
    `${venv(ctx)}/gunicorn`,
    '--name',
    SUPERSET_MARKER,
    '--workers',
    String(workers),
    '--worker-class',
    'gthread',
    '--threads',
    '4',
    '--bind',
    `${ctx.inst.host.address}:${ctx.inst.ports.http}`,
    '--timeout',
    '120',
    '--graceful-timeout',
    '30',
    '--limit-request-line',
    '0',
    '--limit-request-field_size',
    '0',
    '--access-logfile',
    `${ctx.paths.logs}/access.log`,
    'superset.app:create_app()',
  ];
}

export function supersetFormat(ctx: RuntimeContext): { dir: string; done: string; argv: string[] } {
  return { dir: home(ctx), done: `${home(ctx)}/pyro-initialized`, argv: ['sh', `${ctx.paths.conf}/init.sh`, 'format'] };
}
