import { defineService } from './definition.js';

export default defineService({
  role: 'postgresql', component: 'postgresql', title: 'PostgreSQL (serving store)',
  dependsOn: [],
  ports: [{ name: 'pg', default: 5432, description: 'SQL' }],
  dirs: [{ name: 'data', default: 'postgresql', description: 'cluster data directory (PGDATA)', holdsData: true }],
  heapMb: 256, extraMemoryMb: 256,
});
