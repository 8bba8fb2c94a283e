import type { ConfigValue } from '../../inventory/types.js';
import { userConfig, type RuntimeContext } from '../runtime.js';
import { PG_SECRET, PG_USER, servingDatabase } from './endpoints.js';

/** postgresql.conf: sorted `key = value`, strings single-quoted with quotes doubled. */
function renderPgConf(props: Record<string, ConfigValue>): string {
  const v = (x: ConfigValue) => (typeof x === 'number' || typeof x === 'boolean' ? String(x) : `'${String(x).replace(/'/g, "''")}'`);
  return `${Object.keys(props)
    .sort()
    .map((k) => `${k} = ${v(props[k]!)}`)
    .join('\n')}\n`;
}

export function pgFiles(ctx: RuntimeContext): Record<string, string> {
  const data = ctx.inst.dirs.data!;
  const conf = {
    listen_addresses: ctx.inst.host.address,
    port: ctx.inst.ports.pg!,
    // The socket sits in the data dir (0700): only the postgres user and root reach it, which the hba trusts.
    unix_socket_directories: data,
    hba_file: `${ctx.paths.conf}/pg_hba.conf`,
    data_directory: data,
    shared_buffers: `${Math.max(32, Math.floor(ctx.heapMb / 2))}MB`,
    max_connections: 100,
    password_encryption: 'scram-sha-256',
    log_destination: 'stderr',
    logging_collector: false,
    log_line_prefix: '%m [%p] %u@%d ',
    ...userConfig(ctx.inst, 'postgresql.conf'),
  };
  const hba = [
    '# written by pyro: the local socket for the postgres user and root on this host, passwords over TCP',
    'local all all trust',
    'host all all 0.0.0.0/0 scram-sha-256',
    'host all all ::/0 scram-sha-256',
    '',
  ].join('\n');
  return { 'postgresql.conf': renderPgConf(conf), 'pg_hba.conf': hba };
}

/** Debian's newest installed server binaries; fails with a hint when there are none. */
const PGBIN = `PGBIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
if [ -z "$PGBIN" ]; then echo "PostgreSQL server binaries not found under /usr/lib/postgresql: install Debian's postgresql package on this host" >&2; exit 1; fi`;

/** PostgreSQL refuses to run as root: as root, run it as the postgres user (setpriv execs, so the pid is postgres's). */
const AS_POSTGRES = 'if [ "$(id -u)" = 0 ]; then AS="setpriv --reuid=postgres --regid=postgres --init-groups --"; else AS=""; fi';

export function pgLaunch(ctx: RuntimeContext): { sh: string } {
  return { sh: `$AS "$PGBIN/postgres" -D ${ctx.inst.dirs.data} -c config_file=${ctx.paths.conf}/postgresql.conf -c pyro.role=postgresql` };
}

export function pgRunPrelude(): string {
  return `${PGBIN}\n${AS_POSTGRES}`;
}

/** initdb into the (empty) data dir, owned by the user the server runs as. */
export function pgFormat(ctx: RuntimeContext): { dir: string; done: string; argv: string[] } {
  const d = ctx.inst.dirs.data!;
  return {
    dir: d,
    done: `${d}/PG_VERSION`,
    argv: [
      'sh',
      '-c',
      `set -e\n${PGBIN}\n${AS_POSTGRES}\nmkdir -p '${d}'\nchmod 700 '${d}'\n[ -z "$AS" ] || chown postgres:postgres '${d}'\n$AS "$PGBIN/initdb" -D '${d}' -U ${PG_USER} -E UTF8 --no-locale --auth-local=trust --auth-host=scram-sha-256`,
    ],
  };
}

/**
 * After a start: wait for connections, then set pyro's password and create the serving database (idempotent). The
 * name is quoted: the inventory allows dashes, which an SQL identifier does not (it is lowercase, so quoting keeps it).
 */
export function pgPostStart(ctx: RuntimeContext): string {
  const d = ctx.inst.dirs.data!;
  const port = ctx.inst.ports.pg!;
  const db = servingDatabase(ctx.inv);
  const pw = ctx.secrets[PG_SECRET];
  if (!pw) throw new Error('the PostgreSQL password is missing from the cluster state');
  return `${PGBIN}
i=0
until "$PGBIN/pg_isready" -q -h '${d}' -p ${port}; do i=$((i+1)); if [ $i -gt 60 ]; then echo "@fail postgresql no connections accepted within 60 s"; exit 0; fi; sleep 1; done
"$PGBIN/psql" -h '${d}' -p ${port} -U ${PG_USER} -d postgres -v ON_ERROR_STOP=1 -q <<'PYRO_SQL' || echo "@fail postgresql setting up the ${PG_USER} login and database ${db} failed"
ALTER ROLE ${PG_USER} PASSWORD '${pw}';
SELECT 'CREATE DATABASE "${db}" OWNER ${PG_USER}' WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = '${db}')\\gexec
PYRO_SQL`;
}
