/** An official release archive, verified by its published SHA-512. */
export interface UrlSource {
  url: string;
  /** Hex SHA-512 as published beside the release. */
  sha512: string;
  /** Leading path components to drop when unpacking (release archives have one top dir). */
  stripComponents?: number;
}

/** Tools an assembly uses; implemented over Maven and pip (see assemble.ts). */
export interface AssembleContext {
  /** The staging dir: the distribution's root (bin/, lib or share/, conf/ ...). */
  dir: string;
  /** A scratch dir for downloads that are not part of the result. */
  scratch: string;
  /**
   * Copies the runtime dependency closure of Maven coordinates (`group:artifact:version[:type[:classifier]]`)
   * into `into` (relative to dir). `exclude` drops `group:artifact` (or `group:*`) from the closure.
   */
  maven(coords: string[], into: string, opts?: { exclude?: string[]; transitive?: boolean }): Promise<string[]>;
  /** Builds wheels for requirements (and their dependencies unless noDeps) into `into`, for the given Python. */
  pipWheel(requirements: string[], into: string, opts?: { noDeps?: boolean; python?: string }): Promise<string[]>;
  /** Downloads distributions (sdists included) without building them. */
  pipDownload(requirements: string[], into: string, opts?: { noDeps?: boolean }): Promise<string[]>;
  /** Runs a command (argv) with the scratch dir as cwd unless given; output goes to the fetch log. */
  run(argv: string[], opts?: { cwd?: string; env?: Record<string, string> }): Promise<void>;
  /** Writes a file under dir (mode 0644 unless given). */
  write(relPath: string, content: string, mode?: number): Promise<void>;
  log(line: string): void;
}

/**
 * How to obtain one component at one version. Sources are tried in the user's order (url, local, assemble);
 * whatever the source, the result is a directory tree that `verify` accepts, stored as one tar in the cache.
 */
export interface ArtifactRecipe {
  /** Component id: hadoop, kafka, spark, superset, postgresql-jdbc, flume, nifi, logstash. */
  component: string;
  version: string;
  title: string;
  /** Official release, for connected users. */
  url?: UrlSource;
  /** Assembly from Maven and PyPI (Maven Central / PyPI by default, or mirrors). */
  assemble?: (ctx: AssembleContext) => Promise<void>;
  /**
   * Extra parts pyro adds on top of an official release or a user's archive (e.g. Spark's Kafka connector), run
   * with the unpacked tree as ctx.dir. Not run on a user's unpacked directory, which pyro never modifies.
   */
  complete?: (ctx: AssembleContext) => Promise<void>;
  /** Why there is no assembly (shown when no other source works). */
  unavailable?: string;
  /** File names a user may have the release under (looked up in artifacts.localDirs); the URL's name is added. */
  fileNames?: string[];
  /** Paths (relative to the root) that must exist in any correct tree, e.g. ['bin/spark-submit']. */
  requiredPaths: string[];
  /**
   * Shell script run on a host once after unpacking, in the unpacked dir (e.g. create a Python venv from the
   * bundled wheels). Must be idempotent. Gets $PYRO_PYTHON and $PYRO_JAVA_HOME.
   */
  hostSetup?: string;
  /** Java major version the component needs at run time. */
  javaMin?: number;
  /**
   * Revision of the assembly itself, raised when the recipe changes what it builds for the same version (a pin
   * added): a cached assembly of another revision is rebuilt.
   */
  assemblyRevision?: number;
}
