import { defineService } from './definition.js';

export default defineService({
  role: 'postgresql', component: 'postgresql', title: 'PostgreSQL (serving store)',
  // The server comes from the host's OS packages (PostgreSQL is in every distribution), not from a pushed tarball.
  artifacts: [],
  dependsOn: [],
  ports: [{ name: 'pg', default: 5432, description: 'SQL' }],
  dirs: [{ name: 'data', default: 'postgresql', description: 'cluster data directory (PGDATA)', holdsData: true }],
  heapMb: 256, extraMemoryMb: 256,
});
