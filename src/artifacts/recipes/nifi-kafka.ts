import { cp, readdir } from 'node:fs/promises';
import path from 'node:path';
import { INSTALL_ROOT } from '../../util/install-root.js';
import { requireLocalJdk, type LocalJdk } from '../local-jdk.js';
import type { AssembleContext } from '../types.js';
import { KAFKA_DEFAULT_VERSION } from './kafka.js';
import { buildNar, type NarId } from './nar.js';

/**
 * pyro's NiFi Kafka publisher: fixed coordinates (flows reference the bundle and the class by them). The official
 * Kafka NARs are not served by the registry here, so pyro builds its own processor into the NiFi tree.
 */
export const PYRO_NIFI_KAFKA = {
  nar: { group: 'dev.pyro', id: 'pyro-nifi-kafka-nar', version: '1.0.0' },
  processor: 'dev.pyro.nifi.PublishKafkaPyro',
} as const satisfies { nar: NarId; processor: string };

/** The processor's Java sources and resources, shipped with pyro. */
export const NIFI_KAFKA_SOURCES = path.join(INSTALL_ROOT, 'extensions', 'nifi-kafka', 'src', 'main');

/** kafka-clients of the Kafka pyro runs, so the producer speaks the brokers' own protocol version. */
const KAFKA_CLIENTS = KAFKA_DEFAULT_VERSION;

/** nifi-api 2.x class files are Java 21 (major 65): an older javac cannot read them. */
const JAVA_RELEASE = 21;

/** The JDK that compiles the processor, or an error naming what to install; checked before any download. */
export function nifiKafkaJdk(): LocalJdk {
  return requireLocalJdk(JAVA_RELEASE, `Building pyro's NiFi Kafka processor (${PYRO_NIFI_KAFKA.processor})`);
}

/** lib/ file name of the NAR. */
export function nifiKafkaNarFile(): string {
  return `${PYRO_NIFI_KAFKA.nar.id}-${PYRO_NIFI_KAFKA.nar.version}.nar`;
}

/**
 * Compiles the processor against the tree's nifi-api jar and kafka-clients, jars it and writes
 * lib/pyro-nifi-kafka-nar-1.0.0.nar with kafka-clients' runtime closure (lz4, snappy, zstd; slf4j-api is in lib/).
 * Its parent is nifi-standard-services-api-nar, from which NiFi's own Kafka NARs descend too: service APIs such as
 * the SSL context service stay one class across NARs.
 */
export async function buildNifiKafkaNar(ctx: AssembleContext, jdk: LocalJdk, nifiVersion: string, nifiApiJar: string): Promise<void> {
  const work = path.join(ctx.scratch, 'pyro-nifi-kafka');
  const closure = path.join(work, 'closure');
  const classes = path.join(work, 'classes');
  const jars = await ctx.maven([`org.apache.kafka:kafka-clients:${KAFKA_CLIENTS}`], path.relative(ctx.dir, closure));
  const javaDir = path.join(NIFI_KAFKA_SOURCES, 'java');
  const sources = (await readdir(javaDir, { recursive: true })).filter((f) => f.endsWith('.java')).map((f) => path.join(javaDir, f));
  await ctx.run([
    path.join(jdk.home, 'bin', 'javac'),
    '--release',
    String(JAVA_RELEASE),
    '-encoding',
    'UTF-8',
    '-d',
    classes,
    '-cp',
    [nifiApiJar, ...jars.map((j) => path.join(closure, j))].join(':'),
    ...sources,
  ]);
  await cp(path.join(NIFI_KAFKA_SOURCES, 'resources'), classes, { recursive: true });
  await ctx.run([
    path.join(jdk.home, 'bin', 'jar'),
    '--create',
    '--file',
    path.join(closure, `pyro-nifi-kafka-processors-${PYRO_NIFI_KAFKA.nar.version}.jar`),
    '-C',
    classes,
    '.',
  ]);
  const parent = 'nifi-standard-services-api-nar';
  await buildNar(ctx, {
    nar: PYRO_NIFI_KAFKA.nar,
    parent: { group: 'org.apache.nifi', id: parent, version: nifiVersion },
    lib: path.join(ctx.dir, 'lib'),
    closure,
    out: path.join(ctx.dir, 'lib', nifiKafkaNarFile()),
    parentNars: [`${parent}-${nifiVersion}.nar`],
  });
  ctx.log(`nifi: ${nifiKafkaNarFile()} built (${sources.length} sources, javac ${jdk.major} --release ${JAVA_RELEASE}, kafka-clients ${KAFKA_CLIENTS})`);
}
