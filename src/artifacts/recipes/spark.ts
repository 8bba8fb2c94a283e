import { chmod, cp, mkdir, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { PyroError } from '../../util/errors.js';
import type { AssembleContext, ArtifactRecipe } from '../types.js';

/**
 * Official binary tarballs, by version: SHA-512 as published beside the release (spark-X-bin-hadoop3.tgz.sha512).
 * 4.2.0: taken from a public repository that pins it from downloads.apache.org (its other Spark pins match other
 * sources); fetching the tarball verifies it, so a wrong value fails loudly instead of accepting a bad file.
 */
const RELEASES: Record<string, string> = {
  '4.2.0': '3a6559e8546ff387db8fe7a04b8fe4008853b467b972c2e343df8e14a81450534777719fc5d4998dd96519a86fdf9de140cee753c61e2e94db044d5f9555ddc4',
};

/**
 * Transitive dependencies of the Kafka connector that Spark's own jars/ already carries (Scala library and
 * collections, compression codecs, slf4j, jsr305, spark-tags, the shaded Hadoop client). Leaving them out keeps one
 * copy of each class on the classpath; what remains is the connector, the token provider, kafka-clients and
 * commons-pool2.
 */
const CONNECTOR_EXCLUDES = [
  'org.scala-lang:*',
  'org.scala-lang.modules:*',
  'org.apache.spark:spark-tags_2.13',
  'org.apache.hadoop:*',
  'org.slf4j:*',
  'org.lz4:lz4-java',
  'at.yawk.lz4:lz4-java',
  'org.xerial.snappy:snappy-java',
  'com.github.luben:zstd-jni',
  'com.google.code.findbugs:jsr305',
];

/** `kafka-clients-3.9.2.jar` -> `kafka-clients`; `spark-sql-kafka-0-10_2.13-4.2.0.jar` -> `spark-sql-kafka-0-10_2.13`. */
export function jarBaseName(file: string): string {
  const m = /^(.+?)-(\d+(?:\.\d+)+[^/]*)\.jar$/.exec(file);
  return m ? m[1]! : file.replace(/\.jar$/, '');
}

/** Moves a file or directory, copying when source and target are on different filesystems. */
async function move(from: string, to: string): Promise<void> {
  await mkdir(path.dirname(to), { recursive: true });
  try {
    await rename(from, to);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EXDEV') throw err;
    await cp(from, to, { recursive: true, preserveTimestamps: true });
    await rm(from, { recursive: true, force: true });
  }
}

async function exists(p: string): Promise<boolean> {
  return stat(p).then(
    () => true,
    () => false,
  );
}

/**
 * Lays out the pyspark sdist like spark-X-bin-hadoop3: its deps/ holds bin, sbin, jars, data, examples and
 * licenses; its lib/ holds pyspark.zip and py4j-*-src.zip (the official python/lib); pyspark/ is the package source
 * (the official python/pyspark, used by bin/pyspark).
 */
async function layOut(ctx: AssembleContext, src: string, version: string): Promise<void> {
  const deps = path.join(src, 'deps');
  if (!(await exists(path.join(deps, 'jars'))) || !(await exists(path.join(deps, 'bin', 'spark-submit')))) {
    throw new PyroError('ASSEMBLE_FAILED', `the pyspark ${version} sdist has no deps/jars or deps/bin/spark-submit; its layout changed`, {
      hint: 'check the pyspark sdist on PyPI, or use the official tarball (url source)',
    });
  }
  for (const d of ['bin', 'sbin', 'jars', 'data', 'examples', 'licenses']) {
    if (await exists(path.join(deps, d))) await move(path.join(deps, d), path.join(ctx.dir, d));
  }
  await move(path.join(src, 'lib'), path.join(ctx.dir, 'python', 'lib'));
  await move(path.join(src, 'pyspark'), path.join(ctx.dir, 'python', 'pyspark'));
  for (const f of ['LICENSE', 'NOTICE', 'README.md']) {
    if (await exists(path.join(src, f))) await move(path.join(src, f), path.join(ctx.dir, f));
  }
  // Launch scripts must be executable whatever the archive said; the .cmd files are for Windows.
  for (const d of ['bin', 'sbin']) {
    for (const f of await readdir(path.join(ctx.dir, d)).catch(() => [] as string[])) {
      if (!f.endsWith('.cmd')) await chmod(path.join(ctx.dir, d, f), 0o755);
    }
  }
  const hadoop = (await readdir(path.join(ctx.dir, 'jars'))).map((f) => /^hadoop-client-api-(.+)\.jar$/.exec(f)?.[1]).find(Boolean);
  await ctx.write('RELEASE', `Spark ${version} built for Hadoop ${hadoop ?? '3'} (assembled by pyro from the PyPI pyspark ${version} sdist)\n`);
}

/**
 * Adds Structured Streaming's Kafka source/sink to connectors/ (not part of Spark's jars/; jobs pass them with
 * --jars): the connector, its token provider, kafka-clients and commons-pool2. Also usable on a tree unpacked from
 * the official tarball, which lacks them.
 */
export async function addKafkaConnectors(ctx: AssembleContext, version: string): Promise<string[]> {
  const connectors = await ctx.maven(
    [`org.apache.spark:spark-sql-kafka-0-10_2.13:${version}`, `org.apache.spark:spark-token-provider-kafka-0-10_2.13:${version}`],
    'connectors',
    { exclude: CONNECTOR_EXCLUDES },
  );
  // Safety net: a jar that jars/ already has (in any version) would put two copies of its classes on the path.
  const sparkJars = new Set((await readdir(path.join(ctx.dir, 'jars'))).map(jarBaseName));
  for (const f of connectors) {
    if (sparkJars.has(jarBaseName(f))) {
      ctx.log(`spark: dropping connectors/${f}: jars/ already has ${jarBaseName(f)}`);
      await rm(path.join(ctx.dir, 'connectors', f));
    }
  }
  const kept = (await readdir(path.join(ctx.dir, 'connectors'))).filter((f) => f.endsWith('.jar')).sort();
  await writeFile(
    path.join(ctx.dir, 'connectors', 'README'),
    `Kafka connector for Structured Streaming; pass with --jars:\n${kept.map((f) => `  ${f}\n`).join('')}`,
  );
  ctx.log(`spark: connectors ${kept.join(', ')}`);
  return kept;
}

/** Spark at `version` (4.x, Scala 2.13): the PyPI pyspark sdist laid out as the official -bin-hadoop3 tree, plus the Kafka connector in connectors/. */
export function sparkRecipe(version: string): ArtifactRecipe {
  const sha512 = RELEASES[version];
  return {
    component: 'spark',
    version,
    title: `Apache Spark ${version} (Hadoop 3, Scala 2.13) with the Kafka connector`,
    ...(sha512 ? { url: { url: `https://archive.apache.org/dist/spark/spark-${version}/spark-${version}-bin-hadoop3.tgz`, sha512, stripComponents: 1 } } : {}),
    javaMin: 17,
    // The official tarball has no Kafka connector: pyro adds it from Maven after unpacking.
    complete: async (ctx) => {
      await addKafkaConnectors(ctx, version);
    },
    requiredPaths: [
      'bin/spark-submit',
      'bin/spark-class',
      `jars/spark-core_2.13-${version}.jar`,
      `jars/spark-yarn_2.13-${version}.jar`,
      'python/lib/pyspark.zip',
    ],
    async assemble(ctx) {
      // pyspark is published only as an sdist (~450 MB) that carries the whole distribution. `pip download` fetches
      // it and only prepares its metadata (seconds); nothing is built or installed.
      const dl = path.join(ctx.scratch, 'pyspark-sdist');
      const files = await ctx.pipDownload([`pyspark==${version}`], dl, { noDeps: true });
      const sdist = files.find((f) => f === `pyspark-${version}.tar.gz`);
      if (!sdist) {
        throw new PyroError(
          'ASSEMBLE_FAILED',
          `pip download pyspark==${version} gave ${files.join(', ') || 'nothing'}, not the sdist pyspark-${version}.tar.gz`,
          {
            hint: 'the index must serve the pyspark sdist (PyPI publishes no wheel for it)',
          },
        );
      }
      const unpack = path.join(ctx.scratch, 'pyspark-unpacked');
      await rm(unpack, { recursive: true, force: true });
      await mkdir(unpack, { recursive: true });
      // --no-same-owner: as root, tar would otherwise keep the archive's uid 501.
      await ctx.run(['tar', '-xzf', path.join(dl, sdist), '-C', unpack, '--no-same-owner']);
      await layOut(ctx, path.join(unpack, `pyspark-${version}`), version);
      await rm(unpack, { recursive: true, force: true });
      await rm(path.join(dl, sdist), { force: true });

      await addKafkaConnectors(ctx, version);
    },
  };
}

export default sparkRecipe('4.2.0');
