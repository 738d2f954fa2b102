package dev.frip.scoring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.frip.core.FeatureSchema;
import dev.frip.core.ObjectStore;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelRegistryTest {

  @TempDir static Path models;
  static Path modelA;
  static Path modelB;
  static final FeatureSchema SCHEMA = FeatureSchema.of("payments-v1", TestModels.FEATURES);
  static final float[] ROW = {120f, 3f, 1f, Float.NaN};

  @TempDir Path root;

  @BeforeAll
  static void train() throws Exception {
    modelA = TestModels.named(models, "a.json", 1, 5);
    modelB = TestModels.named(models, "b.json", 2, 8);
  }

  private ModelRegistry registry() {
    return ModelRegistry.at(root)
        .withClock(Clock.fixed(Instant.parse("2026-11-25T18:15:30.123Z"), ZoneOffset.UTC));
  }

  @Test
  void publishWritesAVersionDirectoryAndPromoteMovesTheCurrentPointer() throws Exception {
    ModelRegistry r = registry();
    String v = r.publish(modelA, SCHEMA, Map.of("auc", 0.91));
    assertThat(v).isEqualTo("20261125T181530123Z");
    assertThat(root.resolve(v)).isDirectoryContaining(p -> p.endsWith("model.json"));
    assertThat(Files.readString(root.resolve(v).resolve("sha256")))
        .contains("  model.json")
        .contains("  feature_schema.json");
    assertThat(r.currentVersion()).isEmpty();
    assertThatThrownBy(r::current).hasMessageContaining("no current model");

    ModelVersion served = r.promote(v);
    assertThat(Files.readString(root.resolve("current")).trim()).isEqualTo(v);
    assertThat(served.metrics()).containsEntry("auc", 0.91);
    assertThat(served.schema()).isEqualTo(SCHEMA);
    assertThat(ModelRegistry.at(root).current().model().predict(ROW))
        .isEqualTo(ModelLoader.load(modelA).predict(ROW));
    assertThat(r.current()).isSameAs(served);
    assertThat(r.toString()).contains(root.getFileName().toString());
  }

  @Test
  void versionsInTheSameMillisecondGetDistinctNamesAndSortInOrder() {
    ModelRegistry r = registry();
    String a = r.publish(modelA, SCHEMA, Map.of());
    String b = r.publish(modelB, SCHEMA, Map.of());
    assertThat(b).isEqualTo(a + "-1");
    assertThat(r.versions()).containsExactly(a, b);
    for (int i = 2; i <= 11; i++) {
      assertThat(r.publish(modelA, SCHEMA, Map.of())).isEqualTo(a + "-" + i);
    }
    // By number, not by text: -2 before -10.
    assertThat(r.versions()).hasSize(12).startsWith(a, b, a + "-2").endsWith(a + "-10", a + "-11");
  }

  @Test
  void publishersOnTheSameRegistryAtTheSameMillisecondNeverShareAVersion() throws Exception {
    int each = 8;
    java.util.concurrent.ExecutorService pool =
        java.util.concurrent.Executors.newFixedThreadPool(2);
    try {
      // Two registry objects (as two processes would have), one clock tick: every name collides.
      java.util.concurrent.Future<List<String>> fromA =
          pool.submit(() -> publishMany(slowRegistry(), modelA, each));
      java.util.concurrent.Future<List<String>> fromB =
          pool.submit(() -> publishMany(slowRegistry(), modelB, each));
      List<String> a = fromA.get(60, java.util.concurrent.TimeUnit.SECONDS);
      List<String> b = fromB.get(60, java.util.concurrent.TimeUnit.SECONDS);
      assertThat(new java.util.HashSet<>(a)).doesNotContainAnyElementsOf(b);
      ModelRegistry r = registry();
      assertThat(r.versions()).hasSize(2 * each);
      float wantA = ModelLoader.load(modelA).predict(ROW);
      float wantB = ModelLoader.load(modelB).predict(ROW);
      assertThat(wantA).isNotEqualTo(wantB);
      for (String v : a) {
        assertThat(r.load(v).model().predict(ROW)).as(v).isEqualTo(wantA);
      }
      for (String v : b) {
        assertThat(r.load(v).model().predict(ROW)).as(v).isEqualTo(wantB);
      }
    } finally {
      pool.shutdownNow();
    }
  }

  /**
   * The registry on a store whose look-ups take 20 ms, as on an object store: wide open for two
   * publishers to both find a name free before either writes it.
   */
  private ModelRegistry slowRegistry() {
    dev.frip.core.ObjectStore local = dev.frip.core.ObjectStore.localDirectory(root);
    dev.frip.core.ObjectStore slow =
        new dev.frip.core.ObjectStore() {
          @Override
          public byte[] read(String path) throws java.io.IOException {
            return local.read(path);
          }

          @Override
          public void write(String path, byte[] bytes) throws java.io.IOException {
            local.write(path, bytes);
          }

          @Override
          public void replace(String path, byte[] bytes) throws java.io.IOException {
            local.replace(path, bytes);
          }

          @Override
          public boolean createNew(String path, byte[] bytes) throws java.io.IOException {
            pause();
            return local.createNew(path, bytes);
          }

          @Override
          public List<String> list(String directory) throws java.io.IOException {
            List<String> names = local.list(directory);
            pause();
            return names;
          }

          @Override
          public boolean exists(String path) throws java.io.IOException {
            boolean found = local.exists(path);
            pause();
            return found;
          }

          @Override
          public String describe() {
            return "slow " + local.describe();
          }

          private void pause() {
            try {
              Thread.sleep(20);
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
            }
          }
        };
    return ModelRegistry.on(slow)
        .withClock(Clock.fixed(Instant.parse("2026-11-25T18:15:30.123Z"), ZoneOffset.UTC));
  }

  private static List<String> publishMany(ModelRegistry r, Path model, int n) {
    List<String> out = new java.util.ArrayList<>();
    for (int i = 0; i < n; i++) {
      out.add(r.publish(model, SCHEMA, Map.of()));
    }
    return out;
  }

  @Test
  void rollbackServesAnEarlierVersion() {
    ModelRegistry r = ModelRegistry.at(root);
    String a = r.publish(modelA, SCHEMA, Map.of());
    String b = r.publish(modelB, SCHEMA, Map.of());
    r.promote(b);
    assertThat(r.current().version()).isEqualTo(b);
    r.rollback(a);
    assertThat(ModelRegistry.at(root).current().version()).isEqualTo(a);
    assertThatThrownBy(() -> r.rollback("19990101T000000000Z"))
        .hasMessageContaining("no version 19990101T000000000Z");
  }

  @Test
  void aCorruptedModelFileIsRefusedAndTheOldVersionKeepsServing() throws Exception {
    ModelRegistry r = ModelRegistry.at(root);
    String a = r.publish(modelA, SCHEMA, Map.of());
    r.promote(a);
    String b = r.publish(modelB, SCHEMA, Map.of());
    Path file = root.resolve(b).resolve("model.json");
    byte[] bytes = Files.readAllBytes(file);
    bytes[bytes.length / 2] ^= 1;
    Files.write(file, bytes);
    assertThatThrownBy(() -> r.promote(b))
        .isInstanceOf(InvalidModelException.class)
        .hasMessageContaining("checksum mismatch for model.json");
    assertThat(r.currentVersion()).contains(a);
    assertThat(r.current().version()).isEqualTo(a);
  }

  @Test
  void aSchemaThatReordersFeaturesIsDetectedAtLoad() throws Exception {
    ModelRegistry r = ModelRegistry.at(root);
    String v = r.publish(modelA, SCHEMA, Map.of());
    // Tamper consistently: reorder the schema and rewrite its checksum.
    FeatureSchema reordered =
        FeatureSchema.of("payments-v1", List.of("txn_1h", "amount", "new_device", "country_risk"));
    byte[] json = reordered.toJson().getBytes(StandardCharsets.UTF_8);
    Files.write(root.resolve(v).resolve("feature_schema.json"), json);
    Path sums = root.resolve(v).resolve("sha256");
    String fixed =
        Files.readString(sums)
            .replaceAll(
                "[0-9a-f]{64}  feature_schema.json",
                ModelRegistry.sha256(json) + "  feature_schema.json");
    Files.writeString(sums, fixed);
    assertThatThrownBy(() -> r.load(v))
        .isInstanceOf(InvalidModelException.class)
        .hasMessageContaining("does not match its feature schema")
        .hasMessageContaining("features reordered");
  }

  @Test
  void publishRefusesAMissingFeatureAndAnInvalidModel() throws Exception {
    ModelRegistry r = ModelRegistry.at(root);
    FeatureSchema missing = FeatureSchema.of("v0", List.of("amount", "txn_1h", "new_device"));
    assertThatThrownBy(() -> r.publish(modelA, missing, Map.of()))
        .hasMessageContaining("needs feature 'country_risk'");
    Path broken = root.resolveSibling(root.getFileName() + "-broken.json");
    Files.writeString(broken, "{\"learner\": {}}");
    assertThatThrownBy(() -> r.publish(broken, SCHEMA, Map.of()))
        .isInstanceOf(InvalidModelException.class)
        .hasMessageContaining("learner_model_param");
    assertThatThrownBy(() -> r.publish(modelA, SCHEMA, Map.of("bad name", 1.0)))
        .hasMessageContaining("metric name 'bad name'");
    assertThat(r.versions()).isEmpty();
  }

  @Test
  void incompleteAndUnreadableVersionsAreRefused() throws Exception {
    ModelRegistry r = ModelRegistry.at(root);
    Files.createDirectories(root.resolve("20260101T000000000Z"));
    assertThatThrownBy(() -> r.load("20260101T000000000Z")).hasMessageContaining("incomplete");
    String v = r.publish(modelA, SCHEMA, Map.of());
    Files.writeString(root.resolve(v).resolve("sha256"), "nonsense\n");
    assertThatThrownBy(() -> r.load(v)).hasMessageContaining("malformed sha256 line");
    Files.writeString(
        root.resolve(v).resolve("sha256"), "a".repeat(64) + "  feature_schema.json\n");
    assertThatThrownBy(() -> r.load(v)).hasMessageContaining("lists no model file");
    Files.delete(root.resolve(v).resolve("model.json"));
    Files.writeString(root.resolve(v).resolve("sha256"), "a".repeat(64) + "  model.json\n");
    assertThatThrownBy(() -> r.load(v)).hasMessageContaining("lists no feature_schema.json");
    Files.writeString(
        root.resolve(v).resolve("sha256"),
        "a".repeat(64) + "  model.json\n" + "a".repeat(64) + "  feature_schema.json\n");
    assertThatThrownBy(() -> r.load(v)).hasMessageContaining("cannot be read");
  }

  @Test
  void aUriRootOpensLocalRegistriesAndNamesUnsupportedSchemes() {
    ModelRegistry r = ModelRegistry.at(root.toUri());
    String v = r.publish(modelA, SCHEMA, Map.of());
    assertThat(ModelRegistry.at(java.net.URI.create(root.toString())).versions())
        .containsExactly(v);
    assertThatThrownBy(
            () -> ModelRegistry.at(java.net.URI.create("s3a://lakehouse/models/registry")))
        .hasMessageContaining("scheme 's3a'")
        .hasMessageContaining("ModelRegistry.on(store)");
  }

  @Test
  void theLocalStoreKeepsPathsInsideItsRoot() {
    ObjectStore store = ObjectStore.localDirectory(root);
    assertThatThrownBy(() -> store.read("../outside"))
        .hasMessageContaining("escapes the store root");
    assertThat(store.describe()).startsWith("file:");
  }

  @Test
  void metricsAreChecksummedAndAMalformedMetricsFileIsRefused() throws Exception {
    ModelRegistry r = ModelRegistry.at(root);
    String v = r.publish(modelA, SCHEMA, Map.of("auc", 0.91));
    assertThat(Files.readString(root.resolve(v).resolve("sha256"))).contains("  metrics.json");
    Files.writeString(root.resolve(v).resolve("metrics.json"), "{\"auc\":0.99}");
    assertThatThrownBy(() -> r.load(v))
        .isInstanceOf(InvalidModelException.class)
        .hasMessageContaining("checksum mismatch for metrics.json");
    // A version from before metrics were checksummed: read as it is, but never past its depth.
    String old = r.publish(modelA, SCHEMA, Map.of());
    Path sums = root.resolve(old).resolve("sha256");
    Files.writeString(sums, Files.readString(sums).replaceAll("[0-9a-f]{64}  metrics.json\n", ""));
    Files.writeString(root.resolve(old).resolve("metrics.json"), "[".repeat(200_000));
    assertThatThrownBy(() -> r.load(old))
        .isInstanceOf(InvalidModelException.class)
        .hasMessageContaining("metrics.json is invalid")
        .hasMessageContaining("nested deeper than");
  }
}
