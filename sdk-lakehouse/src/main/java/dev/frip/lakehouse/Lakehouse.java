package dev.frip.lakehouse;

import dev.frip.core.ObjectStore;
import dev.frip.core.Redaction;
import dev.frip.core.SecretProvider;
import dev.frip.core.TopicSpec;
import dev.frip.lakehouse.internal.DeltaTable;
import dev.frip.lakehouse.internal.HadoopObjectStore;
import io.delta.kernel.defaults.engine.DefaultEngine;
import io.delta.kernel.engine.Engine;
import io.delta.kernel.types.StructType;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.LocalDate;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import org.apache.hadoop.conf.Configuration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The lakehouse front door: where the Delta tables live and how to reach them. The root is a local
 * directory by default, or {@code s3a://{bucket}/} when the seed's {@code S3_BUCKET} is set. The
 * layout below the root is the seed's: {@code bronze/{topic}/event_date=YYYY-MM-DD/}, {@code
 * silver/enriched_transactions/event_date=.../}, {@code gold/{table}/event_date=.../}.
 *
 * <pre>{@code
 * Lakehouse lake = Lakehouse.builder()
 *     .environment(System.getenv())          // MINIO_ENDPOINT, S3_BUCKET, ...
 *     .secrets(name -> vault.lookup(name))   // a SecretProvider: AWS_ACCESS_KEY_ID, ...
 *     .checkpointInterval(10)
 *     .build();
 * BronzeTableWriter payments = lake.bronzeWriter(Topics.PAYMENTS);
 * payments.write(records);                   // one Delta commit, one txn per Kafka partition
 * Map<Integer, Long> resumeAfter = payments.committedOffsets();
 * }</pre>
 *
 * <p>Credentials are handed to Hadoop's S3A connector and never logged or printed by {@link
 * #toString()}. With {@code MINIO_ENDPOINT} set the connector uses path-style access (MinIO);
 * without it, virtual-hosted access against AWS.
 *
 * @since 0.1.0
 */
public final class Lakehouse {

  private static final Logger LOG = LoggerFactory.getLogger(Lakehouse.class);
  private static final String PARQUET_COMPRESSION = "parquet.compression";
  private static final String PARQUET_DICTIONARY = "parquet.enable.dictionary";

  /** The silver table of enriched payments. */
  public static final String SILVER_ENRICHED_TRANSACTIONS = "enriched_transactions";

  /** Where the model registry lives below the root: {@code models/registry/{version}/}. */
  public static final String MODEL_REGISTRY = "models/registry";

  /** Name of the date partition column of every FRIP table. */
  public static final String EVENT_DATE = "event_date";

  private final String root;
  private final Configuration hadoopConf;
  private final Engine engine;
  private final Engine bronzeEngine;
  private final int checkpointInterval;
  private final String s3Endpoint;

  private Lakehouse(Builder b, String root, Configuration conf) {
    this.root = root;
    this.hadoopConf = conf;
    this.engine = DefaultEngine.create(conf);
    Configuration bronze = new Configuration(conf);
    if (conf.get(PARQUET_DICTIONARY) == null) {
      // Bronze columns are mostly unique ids: dictionaries overflow and fall back to plain
      // encoding after costing ~15% of the write in hashing (profiled). Snappy still shrinks the
      // few low-cardinality columns.
      bronze.set(PARQUET_DICTIONARY, "false");
    }
    this.bronzeEngine = DefaultEngine.create(bronze);
    this.checkpointInterval = b.checkpointInterval;
    this.s3Endpoint = b.env.get("MINIO_ENDPOINT");
  }

  /** A builder; with no settings it opens {@code ./frip-data/lakehouse}. */
  public static Builder builder() {
    return new Builder();
  }

  /** A lakehouse in a local directory. */
  public static Lakehouse local(Path directory) {
    return builder().root(directory.toString()).build();
  }

  /** The root URI, without trailing slash, e.g. {@code file:/data/lake} or {@code s3a://lake}. */
  public String root() {
    return root;
  }

  /** Where the bronze table of a topic lives: {@code {root}/bronze/{topic}}. */
  public String bronzePath(TopicSpec topic) {
    return root + "/bronze/" + topic.name();
  }

  /** Where the silver table of enriched payments lives. */
  public String silverPath() {
    return root + "/silver/" + SILVER_ENRICHED_TRANSACTIONS;
  }

  /** Where a gold table lives: {@code {root}/gold/{table}}. */
  public String goldPath(String table) {
    return root + "/gold/" + requireName(table);
  }

  /** Where rows that failed a quality rule for a dataset are kept. */
  public String quarantinePath(String dataset) {
    return root + "/quarantine/" + requireName(dataset);
  }

  /** Where quality results (JSON) for a dataset are written. */
  public String qualityResultsPath(String dataset) {
    return root + "/quality/" + requireName(dataset);
  }

  /**
   * Small files under {@code {root}/{directory}}, on whatever file system the root is on: e.g. the
   * model registry, {@code ModelRegistry.on(lake.objectStore(Lakehouse.MODEL_REGISTRY))}. Writes
   * are atomic for readers (one PUT on {@code s3a://}, temporary file and rename on disk).
   *
   * @throws UncheckedIOException when the file system cannot be opened
   */
  public ObjectStore objectStore(String directory) {
    Objects.requireNonNull(directory, "directory");
    if (directory.startsWith("/") || directory.contains("..")) {
      throw new IllegalArgumentException(
          "object store directory '" + directory + "' must be relative to the lakehouse root");
    }
    try {
      return new HadoopObjectStore(directory.isEmpty() ? root : root + "/" + directory, hadoopConf);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot open " + root + "/" + directory, e);
    }
  }

  /** A bronze writer for one seed topic. */
  public BronzeTableWriter bronzeWriter(TopicSpec topic) {
    Objects.requireNonNull(topic, "topic");
    if (topic.valueSchema() == null) {
      throw new IllegalArgumentException(
          "topic " + topic.name() + " has no value schema; bronze tables need typed columns");
    }
    return new BronzeTableWriter(this, topic);
  }

  /** A scan of the table at {@code tablePath}, e.g. {@code lake.scan(lake.silverPath())}. */
  public TableScan scan(String tablePath) {
    return new TableScan(this, tablePath);
  }

  /**
   * Deletes the data files of one {@code event_date} partition of the table at {@code tablePath}
   * that its latest version no longer references: those that replaced runs of a job (re-running a
   * date) and compactions left behind for readers of older versions. Returns how many were deleted.
   * Afterwards older versions of that partition cannot be read (no time travel to them); run it
   * only when no reader needs them and no job is writing the table.
   */
  public int deleteUnreferencedFiles(String tablePath, LocalDate date) {
    Objects.requireNonNull(date, "date");
    return new DeltaTable(engine, tablePath, null, EVENT_DATE, checkpointInterval)
        .deleteUnreferencedFiles(date, hadoopConf);
  }

  /** The Hadoop configuration the engine uses (a copy; changes have no effect). */
  public Configuration hadoopConfiguration() {
    return new Configuration(hadoopConf);
  }

  Engine engine() {
    return engine;
  }

  DeltaTable table(String path, StructType schema, String partitionColumn) {
    return new DeltaTable(engine, path, schema, partitionColumn, checkpointInterval, hadoopConf);
  }

  /** A table to read only; its columnar reads go column by column. */
  DeltaTable reader(String path) {
    return DeltaTable.forReading(engine, path, hadoopConf);
  }

  /** As {@link #table}, written without Parquet dictionaries unless configured otherwise. */
  DeltaTable bronzeTable(String path, StructType schema, String partitionColumn) {
    return new DeltaTable(bronzeEngine, path, schema, partitionColumn, checkpointInterval);
  }

  int checkpointInterval() {
    return checkpointInterval;
  }

  @Override
  public String toString() {
    return "Lakehouse[root="
        + root
        + (s3Endpoint == null ? "" : ", endpoint=" + s3Endpoint)
        + ", checkpointInterval="
        + checkpointInterval
        + "]";
  }

  private static String requireName(String name) {
    Objects.requireNonNull(name, "table name");
    if (!name.matches("[a-z0-9_]+")) {
      throw new IllegalArgumentException(
          "table name '" + name + "' must be lower-case letters, digits and underscores");
    }
    return name;
  }

  /**
   * Builds a {@link Lakehouse}. Every method validates its argument at once.
   *
   * @since 0.1.0
   */
  public static final class Builder {
    private String root;
    private final Map<String, String> env = new LinkedHashMap<>();
    private SecretProvider secrets;
    private final Map<String, String> hadoop = new LinkedHashMap<>();
    private int checkpointInterval = 10;

    private Builder() {}

    /**
     * The lakehouse root: a local directory path, a {@code file:} URI, or {@code s3a://bucket/}.
     * Overrides {@code S3_BUCKET}.
     */
    public Builder root(String root) {
      Objects.requireNonNull(root, "root");
      if (root.isBlank()) {
        throw new IllegalArgumentException("root was blank; give a directory or s3a://bucket/");
      }
      if (Redaction.hasUserInfo(root)) {
        // Never echoed: the user info is an access key and secret.
        throw new IllegalArgumentException(
            "root '"
                + Redaction.credentialsInUrls(root)
                + "' carries credentials in the URI; give them as AWS_ACCESS_KEY_ID and"
                + " AWS_SECRET_ACCESS_KEY (or their _FILE variants) instead");
      }
      if (root.contains("://") && !root.startsWith("s3a://") && !root.startsWith("file:")) {
        throw new IllegalArgumentException(
            "root '" + root + "' has an unsupported scheme; use a local path, file: or s3a://");
      }
      this.root = root;
      return this;
    }

    /**
     * Settings named like the seed's environment variables: {@code MINIO_ENDPOINT}, {@code
     * S3_BUCKET}, {@code AWS_REGION}, and (when no {@link #secrets} provider is set) {@code
     * AWS_ACCESS_KEY_ID}/{@code AWS_SECRET_ACCESS_KEY} or {@code MINIO_ACCESS_KEY}/{@code
     * MINIO_SECRET_KEY}, each also as a {@code _FILE} variable naming a file that holds it. Unset
     * or blank means the embedded default.
     */
    public Builder environment(Map<String, String> settings) {
      Objects.requireNonNull(settings, "settings");
      settings.forEach(
          (k, v) -> {
            if (k != null && v != null && !v.isBlank()) {
              env.put(k, v);
            }
          });
      return this;
    }

    /**
     * Where credentials come from; by default {@link SecretProvider#standard} over the {@link
     * #environment} settings ({@code AWS_SECRET_ACCESS_KEY_FILE}, then {@code
     * AWS_SECRET_ACCESS_KEY}).
     */
    public Builder secrets(SecretProvider provider) {
      this.secrets = Objects.requireNonNull(provider, "secrets");
      return this;
    }

    /**
     * A raw Hadoop property for the file system, e.g. {@code fs.s3a.connection.maximum}, or for the
     * Parquet writer, e.g. {@code parquet.compression} (default {@code SNAPPY}) or {@code
     * parquet.enable.dictionary} (default off for bronze tables, on for the others).
     */
    public Builder hadoopProperty(String key, String value) {
      Objects.requireNonNull(key, "hadoop property key");
      Objects.requireNonNull(value, "value of hadoop property " + key);
      hadoop.put(key, value);
      return this;
    }

    /** Write a Delta checkpoint every {@code commits} commits (default 10). */
    public Builder checkpointInterval(int commits) {
      if (commits < 1) {
        throw new IllegalArgumentException(
            "checkpoint interval was " + commits + ", must be at least 1 commit");
      }
      this.checkpointInterval = commits;
      return this;
    }

    /** Builds the lakehouse; fails when S3 is configured without credentials. */
    public Lakehouse build() {
      Configuration conf = new Configuration();
      // Delta's default codec; Kernel's Parquet writer otherwise writes uncompressed pages, which
      // made bronze files ~2.6x larger and cost more CPU in local checksums and I/O than snappy.
      conf.set(PARQUET_COMPRESSION, "SNAPPY");
      String resolved = root;
      if (resolved == null && env.containsKey("S3_BUCKET")) {
        resolved = "s3a://" + env.get("S3_BUCKET");
      }
      if (resolved == null) {
        resolved = Paths.get("frip-data", "lakehouse").toString();
      }
      if (resolved.startsWith("s3a://")) {
        configureS3(conf);
      } else {
        Path dir =
            resolved.startsWith("file:")
                ? Paths.get(URI.create(resolved))
                : Paths.get(resolved).toAbsolutePath();
        resolved = dir.normalize().toUri().toString();
      }
      while (resolved.endsWith("/")) {
        resolved = resolved.substring(0, resolved.length() - 1);
      }
      hadoop.forEach(conf::set);
      Lakehouse lake = new Lakehouse(this, resolved, conf);
      LOG.info("lakehouse at {}", lake);
      return lake;
    }

    private void configureS3(Configuration conf) {
      SecretProvider lookup = secrets != null ? secrets : SecretProvider.standard(env);
      String access =
          lookup
              .secret("AWS_ACCESS_KEY_ID")
              .or(() -> lookup.secret("MINIO_ACCESS_KEY"))
              .orElse(null);
      String secret =
          lookup
              .secret("AWS_SECRET_ACCESS_KEY")
              .or(() -> lookup.secret("MINIO_SECRET_KEY"))
              .orElse(null);
      String endpoint = env.get("MINIO_ENDPOINT");
      if (endpoint != null) {
        // MinIO and S3-compatible stores want path-style URLs; AWS wants virtual-hosted ones.
        conf.set("fs.s3a.endpoint", endpoint);
        conf.set("fs.s3a.path.style.access", "true");
        conf.set("fs.s3a.connection.ssl.enabled", Boolean.toString(endpoint.startsWith("https")));
      } else {
        conf.set("fs.s3a.path.style.access", "false");
      }
      conf.set("fs.s3a.endpoint.region", env.getOrDefault("AWS_REGION", "us-east-1"));
      if (access != null || secret != null) {
        if (access == null || secret == null) {
          throw new IllegalArgumentException(
              "S3 credentials are incomplete: "
                  + (access == null ? "AWS_ACCESS_KEY_ID" : "AWS_SECRET_ACCESS_KEY")
                  + " is missing");
        }
        conf.set("fs.s3a.access.key", access);
        conf.set("fs.s3a.secret.key", secret);
        conf.set(
            "fs.s3a.aws.credentials.provider",
            "org.apache.hadoop.fs.s3a.SimpleAWSCredentialsProvider");
      } else if (endpoint != null) {
        throw new IllegalArgumentException(
            "MINIO_ENDPOINT is set but no credentials were found; set AWS_ACCESS_KEY_ID and"
                + " AWS_SECRET_ACCESS_KEY (or MINIO_ACCESS_KEY/MINIO_SECRET_KEY)");
      }
    }
  }
}
