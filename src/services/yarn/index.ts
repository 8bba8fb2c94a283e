import { defineModule } from '../definition.js';
import nodemanager from './nodemanager.js';
import resourcemanager from './resourcemanager.js';
import { yarnStatus } from './status.js';

/** YARN: the resource manager Spark jobs run on (one ResourceManager, NodeManagers). */
export default defineModule({
  name: 'yarn',
  roles: [resourcemanager, nodemanager],
  configFiles: ['yarn-site.xml', 'capacity-scheduler.xml', 'mapred-site.xml'],
  summary: yarnStatus,
});
