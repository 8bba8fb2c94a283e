import { defineModule } from '../definition.js';
import { adminUser, SUPERSET_ADMIN_SECRET, SUPERSET_SECRET_KEY, supersetInstance, supersetUrl } from './registry.js';
import { databaseRules, supersetRules } from './rules.js';
import { SUPERSET_SECTIONS } from './sections.js';
import server from './server.js';
import { deriveSuperset, SUPERSET_SETTINGS } from './settings.js';
import { supersetStatus } from './status.js';
import { registrationsStep } from './steps.js';

/** Apache Superset: dashboards over the serving store; databases, datasets and dashboards as code. */
export default defineModule({
  name: 'superset',
  roles: [server],
  configFiles: ['superset_config.py'],
  settings: SUPERSET_SETTINGS,
  derive: deriveSuperset,
  sections: SUPERSET_SECTIONS,
  rules: [databaseRules, supersetRules],
  secrets: [SUPERSET_SECRET_KEY, SUPERSET_ADMIN_SECRET],
  steps: [registrationsStep],
  summary: supersetStatus,
  credentials(ctx) {
    const inst = supersetInstance(ctx.inv);
    if (!inst) return undefined;
    return { url: `${supersetUrl(inst)}/`, user: adminUser(ctx.inv), password: ctx.secrets[SUPERSET_ADMIN_SECRET]! };
  },
});
