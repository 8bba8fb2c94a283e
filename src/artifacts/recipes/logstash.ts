import type { ArtifactRecipe } from '../types.js';

export const LOGSTASH_DEFAULT_VERSION = '8.15.3';

/**
 * Logstash is published only on Elastic's site and its plugins on RubyGems: no registry reachable from an
 * air-gapped network or from here carries it, so the user supplies the tarball (the default or the -oss one: both
 * hold every plugin pyro renders, and a JDK).
 */
export function logstashRecipe(version: string = LOGSTASH_DEFAULT_VERSION): ArtifactRecipe {
  return {
    component: 'logstash',
    version,
    title: 'Logstash',
    fileNames: [
      `logstash-${version}-linux-x86_64.tar.gz`,
      `logstash-oss-${version}-linux-x86_64.tar.gz`,
      `logstash-${version}-linux-aarch64.tar.gz`,
      `logstash-oss-${version}-linux-aarch64.tar.gz`,
    ],
    unavailable: `Logstash is not on Maven Central, PyPI, npm or Debian: Elastic publishes it only as a download from its site, so pyro cannot fetch or assemble it`,
    requiredPaths: ['bin/logstash', 'logstash-core', 'config'],
    javaMin: 17,
  };
}

export default logstashRecipe();
