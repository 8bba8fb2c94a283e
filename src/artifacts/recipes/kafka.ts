import type { ArtifactRecipe, AssembleContext } from '../types.js';

/** Kafka 4.3.1: the newest patch release of the newest 4.x line with a published checksum we could confirm. */
export const KAFKA_DEFAULT_VERSION = '4.3.1';
/** Scala build of the broker; Kafka 4 is published for Scala 2.13 only. */
export const KAFKA_SCALA = '2.13';
/** Log4j 2 backend added to the assembly (Kafka's own poms bring log4j-core/api but no SLF4J provider). */
const LOG4J = '2.25.4';
/** SLF4J 2 API: log4j-slf4j2-impl is a provider for SLF4J 2 only (Kafka's pom still names slf4j-api 1.7.36). */
const SLF4J = '2.0.17';

/**
 * SHA-512 of the official kafka_2.13-X.tgz, as published beside each release on the Apache dist server
 * (each value confirmed in at least two independent public copies of the .sha512 file).
 */
const RELEASE_SHA512: Record<string, string> = {
  '4.2.0': '16ce46e590ba915f01b720ea514445e49c88bf129cf4ceab88878b122d54ef24f0dedb88d0eb178957f58057a6c6a9adbea8b8059307585daea13129b85ba1d8',
  '4.3.0': 'ee36cf508b519769e253acdfa13add23f405ab42b241ca641589843df6a5c7bc72289301eb410a645ce7cd1cd0fe20921143b9074dfbfe72605943140d4e8cb1',
  '4.3.1': 'c7d7b2318cb51aa0c61d3246a51c349210073c5c9b754947ef965a439f2f939e8600f204e134a75ac31faf3829c9370960ef7c6a9886c8a1dbf0339a21f4c54c',
};

/**
 * Log4j 2 configuration for the broker: everything to `${kafka.logs.dir}/server.log` (the same system property
 * the official config/log4j2.yaml reads), controller and request logs beside it. YAML, like the official tree;
 * log4j-core reads it with jackson-dataformat-yaml, which the broker's closure already has.
 */
const LOG4J2_YAML = `# Broker logging. Set -Dkafka.logs.dir (default: the working directory).
Configuration:
  Properties:
    Property:
      - name: "kafka.logs.dir"
        value: "."
      - name: "pattern"
        value: "[%d] %p %m (%c)%n"
  Appenders:
    RollingFile:
      - name: Server
        fileName: "\${sys:kafka.logs.dir}/server.log"
        filePattern: "\${sys:kafka.logs.dir}/server.log.%i"
        PatternLayout: { pattern: "\${pattern}" }
        SizeBasedTriggeringPolicy: { size: "100MB" }
        DefaultRolloverStrategy: { max: 5 }
      - name: Controller
        fileName: "\${sys:kafka.logs.dir}/controller.log"
        filePattern: "\${sys:kafka.logs.dir}/controller.log.%i"
        PatternLayout: { pattern: "\${pattern}" }
        SizeBasedTriggeringPolicy: { size: "100MB" }
        DefaultRolloverStrategy: { max: 5 }
      - name: Requests
        fileName: "\${sys:kafka.logs.dir}/kafka-request.log"
        filePattern: "\${sys:kafka.logs.dir}/kafka-request.log.%i"
        PatternLayout: { pattern: "\${pattern}" }
        SizeBasedTriggeringPolicy: { size: "100MB" }
        DefaultRolloverStrategy: { max: 2 }
  Loggers:
    Root:
      level: INFO
      AppenderRef: { ref: Server }
    Logger:
      - name: org.apache.kafka.controller
        level: INFO
        additivity: false
        AppenderRef: { ref: Controller }
      - name: kafka.request.logger
        level: WARN
        additivity: false
        AppenderRef: { ref: Requests }
      - name: kafka.network.RequestChannel$
        level: WARN
        additivity: false
        AppenderRef: { ref: Requests }
`;

/** Command-line tools log warnings to stderr only (what the official tools-log4j2.yaml does). */
const TOOLS_LOG4J2_YAML = `Configuration:
  Appenders:
    Console: { name: STDERR, target: SYSTEM_ERR, PatternLayout: { pattern: "[%d] %p %m (%c)%n" } }
  Loggers:
    Root: { level: WARN, AppenderRef: { ref: STDERR } }
`;

/** Main classes pyro launches (no shell scripts needed). */
export const KAFKA_MAIN = { broker: 'kafka.Kafka', storage: 'kafka.tools.StorageTool' } as const;

async function assembleKafka(ctx: AssembleContext, version: string): Promise<void> {
  // The broker (core + its modules), the admin tools, and one SLF4J provider: log4j-slf4j2-impl. Direct
  // dependencies win Maven's mediation, so slf4j-api 2 replaces the 1.7.36 that Kafka's pom names.
  await ctx.maven(
    [
      `org.apache.kafka:kafka_${KAFKA_SCALA}:${version}`,
      `org.apache.kafka:kafka-tools:${version}`,
      `org.apache.logging.log4j:log4j-slf4j2-impl:${LOG4J}`,
      `org.apache.logging.log4j:log4j-core:${LOG4J}`,
      `org.apache.logging.log4j:log4j-api:${LOG4J}`,
      `org.slf4j:slf4j-api:${SLF4J}`,
    ],
    'libs',
    // Other SLF4J bindings must never enter the classpath (none do today; this keeps it so).
    {
      exclude: [
        'org.slf4j:slf4j-reload4j',
        'org.slf4j:slf4j-log4j12',
        'org.slf4j:slf4j-simple',
        'ch.qos.logback:logback-classic',
        'org.apache.logging.log4j:log4j-slf4j-impl',
      ],
    },
  );
  await ctx.write('config/log4j2.yaml', LOG4J2_YAML);
  await ctx.write('config/tools-log4j2.yaml', TOOLS_LOG4J2_YAML);
  ctx.log(`kafka ${version}: libs/ from Maven, config/log4j2.yaml written`);
}

/** Kafka broker (KRaft) at `version`: the official tarball when its checksum is known, else assembled from Maven Central. */
export function kafkaRecipe(version: string = KAFKA_DEFAULT_VERSION): ArtifactRecipe {
  const sha512 = RELEASE_SHA512[version];
  const name = `kafka_${KAFKA_SCALA}-${version}`;
  return {
    component: 'kafka',
    version,
    title: 'Apache Kafka (KRaft)',
    url: sha512 ? { url: `https://archive.apache.org/dist/kafka/${version}/${name}.tgz`, sha512, stripComponents: 1 } : undefined,
    fileNames: [`${name}.tgz`],
    assemble: (ctx) => assembleKafka(ctx, version),
    requiredPaths: [`libs/${name}.jar`, `libs/kafka-clients-${version}.jar`, `libs/kafka-tools-${version}.jar`, 'config/log4j2.yaml'],
    javaMin: 17,
  };
}

export default kafkaRecipe();
