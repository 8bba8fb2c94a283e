import { readdir, rm } from 'node:fs/promises';
import path from 'node:path';
import type { ArtifactRecipe, AssembleContext } from '../types.js';

/** Flume 1.11.0 (2022) is the last release; the project is dormant. */
export const FLUME_DEFAULT_VERSION = '1.11.0';
/**
 * Log4j 2 backend. Flume's poms name log4j only in test scope (the binary tarball bundles it), and Flume logs
 * through SLF4J 1.7, whose Log4j 2 provider is log4j-slf4j-impl. 2.25.x instead of the 2.18.0 Flume shipped with.
 */
const LOG4J = '2.25.4';
/** The netty-all version Flume 1.11.0 was built with. */
const NETTY = '4.1.72.Final';

/** Log4j 2 configuration: `${flume.log.dir}/flume.log` (default: the working directory). */
const LOG4J2_XML = `<?xml version="1.0" encoding="UTF-8"?>
<!-- Flume agent logging. Set -Dflume.log.dir (default: the working directory). -->
<Configuration status="ERROR">
  <Properties>
    <Property name="flume.log.dir">.</Property>
  </Properties>
  <Appenders>
    <RollingFile name="LogFile" fileName="\${sys:flume.log.dir}/flume.log" filePattern="\${sys:flume.log.dir}/flume.log.%i">
      <PatternLayout pattern="%d{yyyy-MM-dd HH:mm:ss,SSS} %-5p [%t] (%C.%M:%L) %m%n"/>
      <Policies><SizeBasedTriggeringPolicy size="100 MB"/></Policies>
      <DefaultRolloverStrategy max="5"/>
    </RollingFile>
  </Appenders>
  <Loggers>
    <Logger name="org.apache.flume.lifecycle" level="info"/>
    <Logger name="org.jboss" level="WARN"/>
    <Logger name="org.apache.avro.ipc.netty.NettyTransceiver" level="WARN"/>
    <Logger name="org.apache.hadoop" level="INFO"/>
    <Logger name="org.apache.kafka" level="INFO"/>
    <Root level="INFO">
      <AppenderRef ref="LogFile"/>
    </Root>
  </Loggers>
</Configuration>
`;

/** An example agent configuration (netcat source, memory channel, Kafka sink), like the tarball's template. */
const AGENT_TEMPLATE = `# Example: lines sent to a TCP port go to a Kafka topic.
# Run: java -cp 'conf:lib/*' org.apache.flume.node.Application -n agent -f conf/flume-conf.properties
agent.sources = netcat
agent.channels = memory
agent.sinks = kafka

agent.sources.netcat.type = netcat
agent.sources.netcat.bind = 0.0.0.0
agent.sources.netcat.port = 44444
agent.sources.netcat.channels = memory

agent.channels.memory.type = memory
agent.channels.memory.capacity = 10000
agent.channels.memory.transactionCapacity = 1000

agent.sinks.kafka.type = org.apache.flume.sink.kafka.KafkaSink
agent.sinks.kafka.channel = memory
agent.sinks.kafka.kafka.bootstrap.servers = localhost:9092
agent.sinks.kafka.kafka.topic = flume
agent.sinks.kafka.flumeBatchSize = 100
agent.sinks.kafka.kafka.producer.acks = all
`;

/** Main class pyro launches. */
export const FLUME_MAIN = 'org.apache.flume.node.Application';

async function assembleFlume(ctx: AssembleContext, version: string): Promise<void> {
  // flume-ng-node is the agent with the core sources (HTTP, syslog), channels (file) and sinks; the taildir source
  // is a module of its own; the Kafka sink brings kafka-clients 2.7.2, which a Kafka 4 broker still serves (KIP-896
  // keeps every client from 2.1 on).
  await ctx.maven(
    [
      `org.apache.flume:flume-ng-node:${version}`,
      `org.apache.flume.flume-ng-sources:flume-taildir-source:${version}`,
      `org.apache.flume.flume-ng-sinks:flume-ng-kafka-sink:${version}`,
      `org.apache.flume.flume-ng-channels:flume-kafka-channel:${version}`,
      `org.apache.logging.log4j:log4j-slf4j-impl:${LOG4J}`,
      `org.apache.logging.log4j:log4j-core:${LOG4J}`,
      `org.apache.logging.log4j:log4j-api:${LOG4J}`,
      `org.apache.logging.log4j:log4j-1.2-api:${LOG4J}`,
      // Avro's netty-buffer/netty-handler 4.1.68 would sit beside netty-all's 4.1.72 modules; Flume's own build
      // manages netty to one version, a plain dependency closure does not, so pin the two to netty-all's.
      `io.netty:netty-buffer:${NETTY}`,
      `io.netty:netty-handler:${NETTY}`,
    ],
    'lib',
    {
      exclude: [
        // Native epoll/kqueue transports: ZooKeeper 3.6 would add a second, older netty-transport-native-epoll
        // (4.1.45) beside netty-all's 4.1.72; Java NIO is used without them.
        'io.netty:netty-transport-native-epoll',
        'io.netty:netty-transport-native-kqueue',
        'io.netty:netty-resolver-dns-native-macos',
        // Exactly one SLF4J binding: log4j-slf4j-impl.
        'org.slf4j:slf4j-log4j12',
        'org.slf4j:slf4j-reload4j',
        'log4j:log4j',
      ],
    },
  );
  const lib = path.join(ctx.dir, 'lib');
  for (const f of await readdir(lib)) {
    // Belt and braces for the exclusions above: no second SLF4J binding or native transport for other OSes.
    if (/^(slf4j-(log4j12|reload4j|simple|nop)|logback-classic)-|-(osx|aarch_64)[-.]/.test(f)) {
      await rm(path.join(lib, f));
      ctx.log(`flume: removed ${f}`);
    }
  }
  await ctx.write('conf/log4j2.xml', LOG4J2_XML);
  await ctx.write('conf/flume-conf.properties.template', AGENT_TEMPLATE);
  ctx.log(`flume ${version}: lib/ from Maven, conf/ written`);
}

/** Flume agent with its Kafka sink, assembled from Maven Central (lib/, conf/). */
export function flumeRecipe(version: string = FLUME_DEFAULT_VERSION): ArtifactRecipe {
  return {
    component: 'flume',
    version,
    title: 'Apache Flume (with the Kafka sink and channel)',
    fileNames: [`apache-flume-${version}-bin.tar.gz`],
    assemble: (ctx) => assembleFlume(ctx, version),
    requiredPaths: [
      `lib/flume-ng-node-${version}.jar`,
      `lib/flume-ng-core-${version}.jar`,
      `lib/flume-taildir-source-${version}.jar`,
      `lib/flume-ng-kafka-sink-${version}.jar`,
      `lib/flume-kafka-channel-${version}.jar`,
      'conf/log4j2.xml',
    ],
    // 2: the taildir source added; 3: the Kafka channel.
    assemblyRevision: 3,
    javaMin: 8,
  };
}

export default flumeRecipe();
