import { defineModule } from '../definition.js';
import { ADMIN_DN, nifiInstances, nifiUiUrl } from './endpoints.js';
import { NIFI_PROPERTIES } from './files.js';
import { flowRules } from './rules.js';
import server from './server.js';
import { NIFI_SETTINGS } from './settings.js';
import { nifiStatus } from './status.js';
import { nifiIngestPaths } from './ingest.js';
import { flowsStep } from './steps.js';
import { ADMIN_CERT, loadNifiTls, P12_PASSWORD_SECRET, SENSITIVE_KEY_SECRET } from './tls.js';

/** Apache NiFi: HTTPS with client certificates from the cluster CA; flows as code, each in its own process group. */
export default defineModule({
  name: 'nifi',
  roles: [server],
  configFiles: [NIFI_PROPERTIES],
  configDescription: 'free-form overrides merged into nifi.properties last',
  settings: NIFI_SETTINGS,
  rules: [flowRules],
  secrets: [SENSITIVE_KEY_SECRET],
  loadSecrets: loadNifiTls,
  steps: [flowsStep],
  ingestPaths: nifiIngestPaths,
  summary: nifiStatus,
  // A browser logs in with the PKCS#12 file; curl and scripts with the PEM pair and the CA.
  async credentials(ctx, state) {
    const nodes = nifiInstances(ctx.inv);
    if (!nodes.length) return undefined;
    const pki = state.pki();
    const files = pki.files(ADMIN_CERT);
    const password = await state.secret(P12_PASSWORD_SECRET);
    return {
      url: nodes.map(nifiUiUrl).join(', '),
      identity: ADMIN_DN,
      certificate: files.cert,
      key: files.key,
      ca: pki.files('ca').cert,
      pkcs12: await pki.pkcs12(ADMIN_CERT, password),
      pkcs12Password: password,
    };
  },
});
