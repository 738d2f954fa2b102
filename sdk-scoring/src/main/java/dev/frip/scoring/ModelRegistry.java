package dev.frip.scoring;

import dev.frip.core.FeatureSchema;
import dev.frip.core.ObjectStore;
import dev.frip.scoring.internal.ModelDocument;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.UUID;

/**
 * Versioned model storage: {@code models/registry/{version}/} holds the model file ({@code
 * model.ubj} or {@code model.json}), {@code feature_schema.json}, {@code metrics.json} and {@code
 * sha256} (sha256sum format over the model and schema files); a {@code current} file names the
 * serving version and is replaced atomically.
 *
 * <p>Loading verifies the checksums, parses and validates the model and checks it against its
 * feature schema, so a bad version is refused before it can serve. Versions are UTC timestamps
 * ({@code 20261125T181530123Z}) and sort chronologically.
 *
 * <pre>{@code
 * ModelRegistry registry = ModelRegistry.at(Path.of("lakehouse/models/registry"));
 * String v = registry.publish(Path.of("model.ubj"), schema, Map.of("auc", 0.91));
 * registry.promote(v);                 // refused with InvalidModelException if v is bad
 * registry.rollback(previousVersion);  // any earlier version
 * FraudScorer scorer = FraudScorer.builder().models(registry).build();
 * }</pre>
 *
 * <p>Thread-safe: loading caches the last verified version; the pointer is one atomic file.
 *
 * @since 0.1
 */
public final class ModelRegistry implements ModelSource {

  /** Name of the pointer file at the registry root. */
  public static final String CURRENT = "current";

  static final String SCHEMA_FILE = "feature_schema.json";
  static final String METRICS_FILE = "metrics.json";
  static final String CHECKSUM_FILE = "sha256";

  /** Created first, only if absent: claims a version name for one publisher. */
  private static final String RESERVATION = ".publisher";

  private static final DateTimeFormatter VERSION_FORMAT =
      DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmssSSS'Z'", Locale.ROOT).withZone(ZoneOffset.UTC);

  private final ObjectStore store;
  private final Clock clock;
  private final ModelLoader loader;
  private volatile ModelVersion cached;

  private ModelRegistry(ObjectStore store, Clock clock, ModelLoader loader) {
    this.store = store;
    this.clock = clock;
    this.loader = loader;
  }

  /** A registry in a local directory, e.g. {@code {lakehouse}/models/registry}. */
  public static ModelRegistry at(Path root) {
    return on(ObjectStore.localDirectory(root));
  }

  /**
   * A registry at a URI: {@code file:} URIs (or plain paths) open the local-disk store. Object
   * store roots such as {@code s3a://bucket/models/registry} need the lakehouse module's store,
   * {@code ModelRegistry.on(lake.objectStore("models/registry"))}: sdk-scoring does not depend on
   * Hadoop.
   *
   * @throws IllegalArgumentException naming the scheme when it is not {@code file}
   */
  public static ModelRegistry at(java.net.URI root) {
    String scheme = root.getScheme();
    if (scheme == null) {
      return at(Path.of(root.getPath()));
    }
    if (!scheme.equals("file")) {
      throw new IllegalArgumentException(
          "registry root "
              + root
              + " uses scheme '"
              + scheme
              + "'; sdk-scoring opens file: roots only. Use ModelRegistry.on(store) with the"
              + " lakehouse's store, lake.objectStore(\"models/registry\"), for s3a:// roots");
    }
    return at(Path.of(root));
  }

  /**
   * A registry over any {@link ObjectStore}, e.g. the lakehouse's: {@code
   * ModelRegistry.on(lake.objectStore("models/registry"))} on a local or {@code s3a://} root.
   */
  public static ModelRegistry on(ObjectStore store) {
    return new ModelRegistry(
        Objects.requireNonNull(store, "store"), Clock.systemUTC(), ModelLoader.builder().build());
  }

  /** The same registry, loading models with {@code loader} (e.g. a configured missing value). */
  public ModelRegistry withLoader(ModelLoader loader) {
    return new ModelRegistry(store, clock, Objects.requireNonNull(loader, "loader"));
  }

  ModelRegistry withClock(Clock clock) {
    return new ModelRegistry(store, clock, loader);
  }

  /**
   * Stores a new version without serving it. The model is validated and checked against the schema
   * first, so nothing invalid enters the registry.
   *
   * @param modelFile a {@code .json} or {@code .ubj} file written by XGBoost
   * @return the new version
   */
  public String publish(Path modelFile, FeatureSchema schema, Map<String, Double> metrics) {
    byte[] bytes;
    try {
      bytes = Files.readAllBytes(modelFile);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read model " + modelFile, e);
    }
    ModelLoader.Format format = ModelLoader.Format.of(modelFile.getFileName().toString(), bytes);
    return publish(bytes, format, schema, metrics);
  }

  /**
   * Stores a new version from the model's bytes; see {@link #publish(Path, FeatureSchema, Map)}.
   */
  public String publish(
      byte[] model, ModelLoader.Format format, FeatureSchema schema, Map<String, Double> metrics) {
    Objects.requireNonNull(schema, "schema");
    Objects.requireNonNull(metrics, "metrics");
    XGBoostModel parsed = loader.read(model, format, "new model");
    ModelVersion.checkSchema(parsed, schema, "(new)");
    String modelName = format == ModelLoader.Format.JSON ? "model.json" : "model.ubj";
    byte[] schemaBytes = schema.toJson().getBytes(StandardCharsets.UTF_8);
    byte[] metricsBytes = metricsJson(metrics);
    String checksums =
        sha256(model)
            + "  "
            + modelName
            + "\n"
            + sha256(schemaBytes)
            + "  "
            + SCHEMA_FILE
            + "\n"
            + sha256(metricsBytes)
            + "  "
            + METRICS_FILE
            + "\n";
    try {
      synchronized (this) {
        String version = newVersion();
        store.write(version + "/" + modelName, model);
        store.write(version + "/" + SCHEMA_FILE, schemaBytes);
        store.write(version + "/" + METRICS_FILE, metricsBytes);
        // The checksum file last: a version without it is incomplete and never loads.
        store.write(version + "/" + CHECKSUM_FILE, checksums.getBytes(StandardCharsets.UTF_8));
        return version;
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot publish to " + store.describe(), e);
    }
  }

  /**
   * A new version name, reserved: its {@code .publisher} file is created only if absent, so two
   * publishers (other instances, other processes) never write into the same version.
   */
  private String newVersion() throws IOException {
    String base = VERSION_FORMAT.format(clock.instant());
    byte[] claim = (UUID.randomUUID() + "\n").getBytes(StandardCharsets.UTF_8);
    String v = base;
    for (int i = 1;
        store.exists(v + "/" + CHECKSUM_FILE) || !store.createNew(v + "/" + RESERVATION, claim);
        i++) {
      v = base + "-" + i;
    }
    return v;
  }

  /** Version names in publication order: by time, then by the number after a same-time name. */
  private static final Comparator<String> PUBLICATION_ORDER =
      Comparator.comparing((String v) -> v.indexOf('-') < 0 ? v : v.substring(0, v.indexOf('-')))
          .thenComparingLong(
              v -> {
                int dash = v.indexOf('-');
                try {
                  return dash < 0 ? 0 : Long.parseLong(v.substring(dash + 1));
                } catch (NumberFormatException e) {
                  return Long.MAX_VALUE;
                }
              })
          .thenComparing(Comparator.naturalOrder());

  /**
   * Makes {@code version} the serving one after loading and verifying it; a version that fails
   * verification is refused and the current pointer is left as it was.
   *
   * @throws InvalidModelException naming what is wrong with the version
   */
  public ModelVersion promote(String version) {
    ModelVersion loaded = load(version);
    try {
      store.replace(CURRENT, (version + "\n").getBytes(StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot move the current pointer in " + store.describe(), e);
    }
    cached = loaded;
    return loaded;
  }

  /** Serves an earlier version again: the same checks as {@link #promote(String)}. */
  public ModelVersion rollback(String version) {
    if (!versions().contains(version)) {
      throw new IllegalArgumentException(
          "no version " + version + " in " + store.describe() + "; versions: " + versions());
    }
    return promote(version);
  }

  /** The serving version's name, if one was promoted. */
  public Optional<String> currentVersion() {
    try {
      if (!store.exists(CURRENT)) {
        return Optional.empty();
      }
      String v = new String(store.read(CURRENT), StandardCharsets.UTF_8).trim();
      return v.isEmpty() ? Optional.empty() : Optional.of(v);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the current pointer in " + store.describe(), e);
    }
  }

  /** All complete versions, oldest first. */
  public List<String> versions() {
    try {
      List<String> out = new ArrayList<>();
      for (String name : store.list("")) {
        if (!name.equals(CURRENT)
            && !name.startsWith(".")
            && store.exists(name + "/" + CHECKSUM_FILE)) {
          out.add(name);
        }
      }
      out.sort(PUBLICATION_ORDER);
      return out;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list " + store.describe(), e);
    }
  }

  /**
   * The serving model, verified; cached while the pointer does not move.
   *
   * @throws InvalidModelException when nothing was promoted or the version fails verification
   */
  @Override
  public ModelVersion current() {
    String v =
        currentVersion()
            .orElseThrow(
                () -> new InvalidModelException("no current model in " + store.describe()));
    ModelVersion c = cached;
    if (c != null && c.version().equals(v)) {
      return c;
    }
    ModelVersion loaded = load(v);
    cached = loaded;
    return loaded;
  }

  /**
   * Loads one version: checksums, model validation, schema check.
   *
   * @throws InvalidModelException naming the version and the failed check
   */
  public ModelVersion load(String version) {
    String where = "model version " + version + " in " + store.describe();
    try {
      if (!store.exists(version + "/" + CHECKSUM_FILE)) {
        throw new InvalidModelException(where + " is missing or incomplete (no sha256 file)");
      }
      Map<String, String> sums = parseChecksums(store.read(version + "/" + CHECKSUM_FILE), where);
      String modelName =
          sums.keySet().stream()
              .filter(n -> n.startsWith("model."))
              .findFirst()
              .orElseThrow(() -> new InvalidModelException(where + ": sha256 lists no model file"));
      if (!sums.containsKey(SCHEMA_FILE)) {
        throw new InvalidModelException(where + ": sha256 lists no " + SCHEMA_FILE);
      }
      byte[] model = readVerified(version, modelName, sums, where);
      byte[] schemaBytes = readVerified(version, SCHEMA_FILE, sums, where);
      FeatureSchema schema;
      try {
        schema = FeatureSchema.fromJson(new String(schemaBytes, StandardCharsets.UTF_8));
      } catch (IllegalArgumentException e) {
        throw new InvalidModelException(
            where + ": " + SCHEMA_FILE + " is invalid: " + e.getMessage(), e);
      }
      XGBoostModel parsed = loader.read(model, ModelLoader.Format.of(modelName, model), where);
      Map<String, Double> metrics = Map.of();
      if (sums.containsKey(METRICS_FILE)) {
        // Versions published since metrics were checksummed; older ones carry them unverified.
        metrics = parseMetrics(readVerified(version, METRICS_FILE, sums, where), where);
      } else if (store.exists(version + "/" + METRICS_FILE)) {
        metrics = parseMetrics(store.read(version + "/" + METRICS_FILE), where);
      }
      return new ModelVersion(version, parsed, schema, metrics);
    } catch (IOException e) {
      throw new InvalidModelException(where + " cannot be read: " + e, e);
    }
  }

  private byte[] readVerified(String version, String name, Map<String, String> sums, String where)
      throws IOException {
    byte[] bytes = store.read(version + "/" + name);
    String actual = sha256(bytes);
    if (!actual.equals(sums.get(name))) {
      throw new InvalidModelException(
          where
              + ": checksum mismatch for "
              + name
              + ": sha256 says "
              + sums.get(name)
              + " but the file hashes to "
              + actual);
    }
    return bytes;
  }

  private static Map<String, String> parseChecksums(byte[] bytes, String where) {
    Map<String, String> out = new LinkedHashMap<>();
    for (String line : new String(bytes, StandardCharsets.UTF_8).split("\n")) {
      if (line.isBlank()) {
        continue;
      }
      String[] parts = line.trim().split("\\s+", 2);
      if (parts.length != 2 || parts[0].length() != 64) {
        throw new InvalidModelException(where + ": malformed sha256 line '" + line + "'");
      }
      out.put(parts[1].replace("*", ""), parts[0].toLowerCase(Locale.ROOT));
    }
    return out;
  }

  private static byte[] metricsJson(Map<String, Double> metrics) {
    StringBuilder b = new StringBuilder("{");
    for (Map.Entry<String, Double> e : new TreeMap<>(metrics).entrySet()) {
      if (!e.getKey().matches("[A-Za-z0-9_.@-]+")) {
        throw new IllegalArgumentException(
            "metric name '" + e.getKey() + "' must be [A-Za-z0-9_.@-]+");
      }
      if (e.getValue() == null || !Double.isFinite(e.getValue())) {
        throw new IllegalArgumentException(
            "metric " + e.getKey() + " must be finite but was " + e.getValue());
      }
      b.append(b.length() > 1 ? "," : "")
          .append('"')
          .append(e.getKey())
          .append("\":")
          .append(e.getValue());
    }
    return b.append("}").toString().getBytes(StandardCharsets.UTF_8);
  }

  private static Map<String, Double> parseMetrics(byte[] bytes, String where) {
    Map<String, Double> out = new LinkedHashMap<>();
    Object doc;
    try {
      doc = ModelDocument.parseJson(bytes);
    } catch (IllegalArgumentException e) {
      throw new InvalidModelException(
          where + ": " + METRICS_FILE + " is invalid: " + e.getMessage(), e);
    }
    if (doc instanceof Map<?, ?> m) {
      m.forEach(
          (k, v) -> {
            if (v instanceof Number n) {
              out.put(k.toString(), n.doubleValue());
            }
          });
    }
    return out;
  }

  static String sha256(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is required by every Java platform", e);
    }
  }

  @Override
  public String toString() {
    return "ModelRegistry[" + store.describe() + "]";
  }
}
