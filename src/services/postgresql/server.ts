import { defineService } from '../definition.js';
import { pgFiles, pgFormat, pgLaunch, pgPostStart, pgRunPrelude } from './files.js';
import { postgresReady } from './probes.js';

export default defineService({
  role: 'postgresql',
  component: 'postgresql',
  title: 'PostgreSQL (serving store)',
  placement: 'first',
  // The server comes from the host's OS packages (PostgreSQL is in every distribution), not from a pushed tarball.
  artifacts: [],
  hostPackages: [
    {
      id: 'postgresql-server',
      title: 'PostgreSQL server',
      // Debian's layout (what the runtime uses: /usr/lib/postgresql/<major>/bin), or RHEL's postgresql-server in /usr/bin.
      test: 'for b in /usr/lib/postgresql/*/bin/postgres /usr/bin/postgres; do [ -x "$b" ] && exit 0; done; exit 1',
      packages: { apt: ['postgresql'], dnf: ['postgresql-server'] },
      // Debian's package would create and start a "main" cluster on 5432, the port pyro's own cluster listens on.
      // An explicit setting in createcluster.conf (the admin's) is left as it is.
      before: {
        apt: `f=/etc/postgresql-common/createcluster.conf; mkdir -p /etc/postgresql-common; grep -qs '^[[:space:]]*create_main_cluster' "$f" || echo 'create_main_cluster = false' >> "$f"`,
      },
    },
  ],
  dependsOn: [],
  ports: [{ name: 'pg', default: 5432, description: 'SQL' }],
  dirs: [{ name: 'data', default: 'postgresql', description: 'cluster data directory (PGDATA)', holdsData: true }],
  heapMb: 256,
  memory: 'process',
  extraMemoryMb: 256,
  memoryDescription: 'memory of the PostgreSQL server (not a JVM): shared_buffers is half of it',
  runtime: {
    retire: { never: "PostgreSQL holds the serving tables and Superset's metadata and has no replica: move its data first, by hand" },
    files: pgFiles,
    prelude: pgRunPrelude,
    launch: pgLaunch,
    marker: 'pyro.role=postgresql',
    format: pgFormat,
    postStart: pgPostStart,
    logFile: 'postgresql.out',
    stopGraceSec: 60,
    ready: postgresReady,
  },
});
