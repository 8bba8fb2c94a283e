import { defineService } from './definition.js';
import { postgresReady } from '../probes/postgresql.js';
import { pgFiles, pgFormat, pgLaunch, pgPostStart, pgRunPrelude } from './postgresql-runtime.js';

export default defineService({
  role: 'postgresql', component: 'postgresql', title: 'PostgreSQL (serving store)',
  // The server comes from the host's OS packages (PostgreSQL is in every distribution), not from a pushed tarball.
  artifacts: [],
  dependsOn: [],
  ports: [{ name: 'pg', default: 5432, description: 'SQL' }],
  dirs: [{ name: 'data', default: 'postgresql', description: 'cluster data directory (PGDATA)', holdsData: true }],
  heapMb: 256, extraMemoryMb: 256,
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
