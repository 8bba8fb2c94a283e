import { defineService } from '../definition.js';
import { pgFiles, pgFormat, pgLaunch, pgPostStart, pgRunPrelude } from './files.js';
import { postgresReady } from './probes.js';

export default defineService({
  role: 'postgresql', component: 'postgresql', title: 'PostgreSQL (serving store)',
  // The server comes from the host's OS packages (PostgreSQL is in every distribution), not from a pushed tarball.
  artifacts: [],
  dependsOn: [],
  ports: [{ name: 'pg', default: 5432, description: 'SQL' }],
  dirs: [{ name: 'data', default: 'postgresql', description: 'cluster data directory (PGDATA)', holdsData: true }],
  // Not a JVM: the memory setting sizes shared_buffers (half of it).
  heapMb: 256, memory: 'process', extraMemoryMb: 256,
  hostPackages: [{ what: 'PostgreSQL server', present: 'ls -d /usr/lib/postgresql/*/bin >/dev/null 2>&1', apt: ['postgresql'], dnf: ['postgresql-server'] }],
  runtime: {
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
