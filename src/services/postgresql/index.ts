import { defineModule } from '../definition.js';
import { PG_SECRET, PG_USER, postgresInstance, servingDatabase } from './endpoints.js';
import server from './server.js';
import { POSTGRESQL_SETTINGS } from './settings.js';

/** PostgreSQL: the serving store streaming jobs write to and Superset reads (Debian's server, pyro's own cluster). */
export default defineModule({
  name: 'postgresql',
  roles: [server],
  configFiles: ['postgresql.conf'],
  settings: POSTGRESQL_SETTINGS,
  secrets: [PG_SECRET],
  credentials(ctx) {
    const pg = postgresInstance(ctx.inv);
    if (!pg) return undefined;
    return { host: pg.host.address, port: pg.ports.pg!, database: servingDatabase(ctx.inv), user: PG_USER, password: ctx.secrets[PG_SECRET]! };
  },
});
