package dev.frip.scoring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.frip.core.FeatureSchema;
import dev.frip.core.events.Action;
import dev.frip.core.events.PaymentEvent;
import dev.frip.core.events.PaymentMethod;
import dev.frip.core.events.PaymentStatus;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import ml.dmlc.xgboost4j.java.Booster;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FraudScorerTest {

  @TempDir static Path models;
  static Path modelA;
  static Path modelB;
  static final FeatureSchema SCHEMA = FeatureSchema.of("payments-v1", TestModels.FEATURES);

  @TempDir Path root;
  final SimpleMeterRegistry meters = new SimpleMeterRegistry();

  @BeforeAll
  static void train() throws Exception {
    modelA = TestModels.named(models, "a.json", 1, 5);
    modelB = TestModels.named(models, "b.json", 2, 30);
  }

  static PaymentEvent payment(long amountMinor) {
    return new PaymentEvent(
        UUID.randomUUID(),
        Instant.parse("2026-11-25T12:00:00Z"),
        "p1",
        "o1",
        "u1",
        "c1",
        "m1",
        "5411",
        "DE",
        null,
        null,
        null,
        "DE",
        null,
        null,
        amountMinor,
        "EUR",
        PaymentMethod.CARD_NOT_PRESENT,
        PaymentStatus.AUTHORIZED,
        null);
  }

  private ModelVersion versionOf(Path file, String name) {
    return new ModelVersion(name, ModelLoader.load(file), SCHEMA, Map.of());
  }

  private double fallbacks(FraudScorer.FallbackReason reason) {
    return meters
        .get("frip.scorer.fallbacks")
        .tag("reason", reason.name().toLowerCase(java.util.Locale.ROOT))
        .counter()
        .count();
  }

  @Test
  void scoresAReadyVectorWithVersionActionAndReasons() {
    ModelVersion a = versionOf(modelA, "vA");
    try (FraudScorer scorer =
        FraudScorer.builder()
            .models(ModelSource.fixed(a))
            .thresholds(Thresholds.review(0.0).block(1.0))
            .meterRegistry(meters)
            .build()) {
      float[] row = {9f, 1f, 0f, Float.NaN};
      Decision d = scorer.score(FeatureVector.wrap(SCHEMA, row));
      assertThat(d.score()).isEqualTo((double) a.model().predict(row));
      assertThat(d.modelVersion()).isEqualTo("vA");
      assertThat(d.fallback()).isFalse();
      assertThat(d.action()).isEqualTo(Action.REVIEW);
      assertThat(d.reasons()).isSubsetOf(TestModels.FEATURES).hasSizeLessThanOrEqualTo(3);
      Decision byName = scorer.score(Map.of("amount", 9f, "txn_1h", 1f, "new_device", 0f));
      assertThat(byName.score()).isEqualTo(d.score());
      assertThat(scorer.modelVersion()).isEqualTo("vA");
      assertThat(scorer.activeModel()).contains(a);
      assertThat(meters.get("frip.scorer.decisions").tag("action", "review").counter().count())
          .isEqualTo(2);
    }
  }

  @Test
  void reasonsNameTheFeaturesWithTheLargestContributions() {
    ModelVersion a = versionOf(modelA, "vA");
    try (FraudScorer scorer = FraudScorer.builder().models(ModelSource.fixed(a)).build()) {
      float[] row = {9f, 1f, 0f, 3f};
      float[] c = new float[5];
      a.model().contributions(row, 0, c);
      int best = 0;
      for (int f = 1; f < 4; f++) {
        if (c[f] > c[best]) {
          best = f;
        }
      }
      Decision d = scorer.score(FeatureVector.wrap(SCHEMA, row));
      if (c[best] > 0) {
        assertThat(d.reasons()).first().isEqualTo(TestModels.FEATURES.get(best));
      } else {
        assertThat(d.reasons()).isEmpty();
      }
    }
  }

  @Test
  void aVectorOfAnotherLayoutIsMatchedByName() {
    ModelVersion a = versionOf(modelA, "vA");
    FeatureSchema reordered =
        FeatureSchema.of("other", List.of("country_risk", "new_device", "txn_1h", "amount"));
    try (FraudScorer scorer = FraudScorer.builder().models(ModelSource.fixed(a)).build()) {
      Decision d = scorer.score(FeatureVector.wrap(reordered, new float[] {3f, 0f, 1f, 9f}));
      assertThat(d.score()).isEqualTo((double) a.model().predict(new float[] {9f, 1f, 0f, 3f}));
    }
  }

  @Test
  void hotSwapUnderConcurrentScoringNeverFailsNorMixesModels() throws Exception {
    ModelRegistry registry = ModelRegistry.at(root);
    String va = registry.publish(modelA, SCHEMA, Map.of());
    String vb = registry.publish(modelB, SCHEMA, Map.of());
    registry.promote(va);
    Random rnd = new Random(4);
    float[][] rows = new float[64][];
    Map<String, float[]> expected = new ConcurrentHashMap<>();
    XGBoostModel a = ModelLoader.load(modelA);
    XGBoostModel b = ModelLoader.load(modelB);
    float[] ea = new float[rows.length];
    float[] eb = new float[rows.length];
    for (int i = 0; i < rows.length; i++) {
      rows[i] = Xgb.data(rnd, 1, 4, 0.2);
      ea[i] = a.predict(rows[i]);
      eb[i] = b.predict(rows[i]);
    }
    expected.put(va, ea);
    expected.put(vb, eb);
    try (FraudScorer scorer =
        FraudScorer.builder().models(registry).meterRegistry(meters).build()) {
      AtomicBoolean done = new AtomicBoolean();
      AtomicReference<String> problem = new AtomicReference<>();
      AtomicLong scored = new AtomicLong();
      Map<String, Boolean> seen = new ConcurrentHashMap<>();
      CountDownLatch started = new CountDownLatch(3);
      List<Thread> threads = new ArrayList<>();
      for (int t = 0; t < 3; t++) {
        Thread th =
            new Thread(
                () -> {
                  started.countDown();
                  int i = 0;
                  while (!done.get() || i < 1000) {
                    int r = i++ % rows.length;
                    Decision d = scorer.score(FeatureVector.wrap(SCHEMA, rows[r]));
                    float[] exp = expected.get(d.modelVersion());
                    if (d.fallback() || exp == null || exp[r] != (float) d.score()) {
                      problem.compareAndSet(null, "row " + r + ": " + d);
                    }
                    seen.put(d.modelVersion(), true);
                    scored.incrementAndGet();
                  }
                });
        th.start();
        threads.add(th);
      }
      started.await();
      for (int s = 0; s < 200; s++) {
        registry.promote(s % 2 == 0 ? vb : va);
        assertThat(scorer.reload()).isTrue();
      }
      done.set(true);
      for (Thread th : threads) {
        th.join();
      }
      assertThat(problem.get()).isNull();
      assertThat(scored.get()).isGreaterThanOrEqualTo(3000);
      assertThat(seen).containsKeys(va);
      assertThat(meters.get("frip.scorer.model.swaps").counter().count()).isEqualTo(201);
    }
  }

  @Test
  void aBadNewModelIsRefusedAndTheOldOneKeepsServing() throws Exception {
    ModelRegistry registry = ModelRegistry.at(root);
    String va = registry.publish(modelA, SCHEMA, Map.of());
    registry.promote(va);
    String vb = registry.publish(modelB, SCHEMA, Map.of());
    try (FraudScorer scorer =
        FraudScorer.builder().models(registry).meterRegistry(meters).build()) {
      // Corrupt B after publication and point 'current' at it behind the registry's back.
      Path file = root.resolve(vb).resolve("model.json");
      byte[] bytes = Files.readAllBytes(file);
      bytes[10] ^= 1;
      Files.write(file, bytes);
      Files.writeString(root.resolve("current"), vb + "\n");
      assertThat(scorer.reload()).isFalse();
      assertThat(scorer.modelVersion()).isEqualTo(va);
      Decision d = scorer.score(FeatureVector.wrap(SCHEMA, new float[] {1f, 2f, 3f, 4f}));
      assertThat(d.modelVersion()).isEqualTo(va);
      assertThat(d.fallback()).isFalse();
      assertThat(meters.get("frip.scorer.model.swap.failures").counter().count()).isEqualTo(1);
      // Rolling back to A is a no-op swap; the scorer stays on A.
      registry.rollback(va);
      assertThat(scorer.reload()).isFalse();
      assertThat(scorer.modelVersion()).isEqualTo(va);
    }
  }

  @Test
  void withoutAModelTheRulesScoreDecidesAndIsCounted() {
    ModelSource none =
        () -> {
          throw new InvalidModelException("no current model in test");
        };
    try (FraudScorer scorer =
        FraudScorer.builder()
            .models(none)
            .thresholds(Thresholds.review(0.3).block(0.8))
            .rules(
                (payment, features) ->
                    payment != null && payment.getAmountMinor() > 100_000 ? 0.9 : 0.1)
            .features(p -> FeatureVector.missing(SCHEMA))
            .meterRegistry(meters)
            .build()) {
      Decision big = scorer.score(payment(500_000));
      assertThat(big.fallback()).isTrue();
      assertThat(big.modelVersion()).isEqualTo(Decision.RULES);
      assertThat(big.action()).isEqualTo(Action.BLOCK);
      Decision small = scorer.score(FeatureVector.missing(SCHEMA));
      assertThat(small.action()).isEqualTo(Action.ALLOW);
      assertThat(scorer.score(Map.of("amount", 1)).fallback()).isTrue();
      assertThat(scorer.modelVersion()).isEqualTo(Decision.RULES);
      assertThat(fallbacks(FraudScorer.FallbackReason.MODEL_UNAVAILABLE)).isEqualTo(3);
      assertThat(meters.get("frip.scorer.model.swap.failures").counter().count()).isEqualTo(1);
    }
  }

  @Test
  void theDefaultRulesScoreSendsEverythingToReview() {
    try (FraudScorer scorer =
        FraudScorer.builder()
            .models(
                () -> {
                  throw new InvalidModelException("none");
                })
            .thresholds(Thresholds.review(0.3).block(0.8))
            .build()) {
      Decision d = scorer.score(FeatureVector.missing(SCHEMA));
      assertThat(d.score()).isEqualTo(0.3);
      assertThat(d.action()).isEqualTo(Action.REVIEW);
    }
  }

  @Test
  void featureLookupsAreTimeLimitedAndBehindACircuitBreaker() {
    ModelVersion a = versionOf(modelA, "vA");
    AtomicReference<String> mode = new AtomicReference<>("ok");
    FeatureLookup lookup =
        p -> {
          switch (mode.get()) {
            case "slow" -> Thread.sleep(5_000);
            case "fail" -> throw new IllegalStateException("feature store down");
            case "invalid" -> throw new IllegalArgumentException("payment p has no user_id");
            case "null" -> {
              return null;
            }
            default -> {}
          }
          return FeatureVector.of(SCHEMA, Map.of("amount", p.getAmountMinor() / 100.0));
        };
    try (FraudScorer scorer =
        FraudScorer.builder()
            .models(ModelSource.fixed(a))
            .features(lookup)
            .featureTimeout(Duration.ofMillis(20))
            .circuitBreaker(
                CircuitBreakerConfig.custom()
                    .slidingWindowSize(4)
                    .minimumNumberOfCalls(4)
                    .failureRateThreshold(60) // opens at 3 failures of 4, not at 2
                    .waitDurationInOpenState(Duration.ofHours(1))
                    .build())
            .meterRegistry(meters)
            .build()) {
      Decision ok = scorer.score(payment(12_000));
      assertThat(ok.fallback()).isFalse();
      assertThat(ok.score())
          .isEqualTo(
              (double) a.model().predict(new float[] {120f, Float.NaN, Float.NaN, Float.NaN}));
      // Payments the lookup refuses are bad input: rules score them, the breaker ignores them.
      mode.set("invalid");
      for (int i = 0; i < 5; i++) {
        assertThat(scorer.score(payment(1)).fallback()).isTrue();
      }
      assertThat(fallbacks(FraudScorer.FallbackReason.FEATURES_INVALID_PAYMENT)).isEqualTo(5);
      assertThat(fallbacks(FraudScorer.FallbackReason.FEATURES_ERROR)).isZero();
      mode.set("slow");
      assertThat(scorer.score(payment(1)).fallback()).isTrue();
      assertThat(fallbacks(FraudScorer.FallbackReason.FEATURES_TIMEOUT)).isEqualTo(1);
      mode.set("fail");
      assertThat(scorer.score(payment(1)).fallback()).isTrue();
      assertThat(fallbacks(FraudScorer.FallbackReason.FEATURES_ERROR)).isEqualTo(1);
      mode.set("null");
      assertThat(scorer.score(payment(1)).fallback()).isTrue();
      assertThat(fallbacks(FraudScorer.FallbackReason.FEATURES_ERROR)).isEqualTo(2);
      // 3 failures of 4 calls (a null vector is one): the breaker is open and lookups are no
      // longer attempted.
      mode.set("ok");
      Decision open = scorer.score(payment(1));
      assertThat(open.fallback()).isTrue();
      assertThat(fallbacks(FraudScorer.FallbackReason.FEATURES_CIRCUIT_OPEN)).isEqualTo(1);
      assertThat(
              meters.get("frip.scorer.circuit.state").tag("name", "frip-features").gauge().value())
          .isEqualTo(1.0);
    }
  }

  @Test
  void aModelThatFailsOpensItsCircuitBreaker() throws Exception {
    Random rnd = new Random(8);
    float[] x = Xgb.data(rnd, 300, 4, 0.0);
    float[] y = Xgb.labels(rnd, x, 300, 4, "reg:squarederror", 1);
    Booster reg = Xgb.train("reg:squarederror", 2, 3, x, y, 4, Float.NaN);
    XGBoostModel notAProbability =
        ModelLoader.load(Xgb.save(reg, models, "reg.json")).withMissingValue(-1f);
    float[] row = {9f, 0f, 1f, 1f};
    assertThat(notAProbability.predict(row)).matches(v -> v < 0f || v > 1f);
    try (FraudScorer scorer =
        FraudScorer.builder()
            .models(ModelSource.fixed(new ModelVersion("reg", notAProbability, SCHEMA, Map.of())))
            .circuitBreaker(
                CircuitBreakerConfig.custom()
                    .slidingWindowSize(2)
                    .minimumNumberOfCalls(2)
                    .waitDurationInOpenState(Duration.ofHours(1))
                    .build())
            .meterRegistry(meters)
            .build()) {
      for (int i = 0; i < 3; i++) {
        assertThat(scorer.score(FeatureVector.wrap(SCHEMA, row)).fallback()).isTrue();
      }
      assertThat(fallbacks(FraudScorer.FallbackReason.MODEL_ERROR)).isEqualTo(2);
      assertThat(fallbacks(FraudScorer.FallbackReason.MODEL_CIRCUIT_OPEN)).isEqualTo(1);
    }
  }

  @Test
  void aMultiClassModelIsRefusedByTheScorer() throws Exception {
    Random rnd = new Random(8);
    float[] x = Xgb.data(rnd, 300, 4, 0.0);
    float[] y = Xgb.labels(rnd, x, 300, 4, "multi:softprob", 3);
    Booster multi = Xgb.train("multi:softprob", 2, 2, x, y, 4, Float.NaN);
    XGBoostModel m = ModelLoader.load(Xgb.save(multi, models, "multi.json"));
    try (FraudScorer scorer =
        FraudScorer.builder()
            .models(ModelSource.fixed(ModelVersion.of("m", m)))
            .refreshEvery(Duration.ofHours(1))
            .meterRegistry(meters)
            .build()) {
      assertThat(scorer.modelVersion()).isEqualTo(Decision.RULES);
      assertThat(meters.get("frip.scorer.model.swap.failures").counter().count()).isEqualTo(1);
    }
  }

  @Test
  void builderAndValueTypesValidateTheirArguments() {
    assertThatThrownBy(() -> FraudScorer.builder().build())
        .hasMessageContaining("models(...) is required");
    ModelSource s = ModelSource.fixed(versionOf(modelA, "vA"));
    assertThatThrownBy(() -> FraudScorer.builder().models(s).models(s))
        .hasMessageContaining("models were already set");
    assertThatThrownBy(() -> FraudScorer.builder().featureTimeout(Duration.ZERO))
        .hasMessageContaining("feature timeout must be positive but was PT0S");
    assertThatThrownBy(() -> FraudScorer.builder().refreshEvery(Duration.ZERO))
        .hasMessageContaining("refresh interval must be at least 1 ms");
    assertThatThrownBy(() -> FraudScorer.builder().maxReasons(65)).hasMessageContaining("was 65");
    assertThatThrownBy(() -> Thresholds.review(0.9).block(0.5))
        .hasMessageContaining("block threshold 0.5 is below the review threshold 0.9");
    assertThatThrownBy(() -> Thresholds.review(-1)).hasMessageContaining("was -1.0");
    assertThatThrownBy(() -> new Thresholds(0.1, 2)).hasMessageContaining("was 2.0");
    assertThat(Thresholds.DEFAULT.actionFor(0.95)).isEqualTo(Action.BLOCK);
    assertThatThrownBy(() -> FeatureVector.of(SCHEMA, Map.of("nope", 1)))
        .hasMessageContaining("feature 'nope' is not in schema payments-v1");
    assertThatThrownBy(() -> FeatureVector.wrap(SCHEMA, new float[2]))
        .hasMessageContaining("has 4 features but 2 values");
    assertThat(FeatureVector.of(SCHEMA, Map.of("amount", 2)).get("amount")).isEqualTo(2f);
    assertThat(FeatureVector.missing(SCHEMA).toString()).contains("NaN");
    try (FraudScorer noLookup = FraudScorer.builder().models(s).maxReasons(0).build()) {
      assertThatThrownBy(() -> noLookup.score(payment(1))).hasMessageContaining("no FeatureLookup");
      assertThat(noLookup.score(FeatureVector.missing(SCHEMA)).reasons()).isEmpty();
    }
  }

  @Test
  void aRawMarginModelIsRefusedByTheScorer() throws Exception {
    Random rnd = new Random(9);
    float[] x = Xgb.data(rnd, 300, 4, 0.0);
    float[] y = Xgb.labels(rnd, x, 300, 4, "binary:logitraw", 2);
    Booster raw = Xgb.train("binary:logitraw", 2, 3, x, y, 4, Float.NaN);
    XGBoostModel m = ModelLoader.load(Xgb.save(raw, models, "raw.json"));
    try (FraudScorer scorer =
        FraudScorer.builder()
            .models(ModelSource.fixed(ModelVersion.of("raw", m)))
            .meterRegistry(meters)
            .build()) {
      assertThat(scorer.modelVersion()).isEqualTo(Decision.RULES);
      assertThat(meters.get("frip.scorer.model.swap.failures").counter().count()).isEqualTo(1);
    }
  }

  @Test
  void anErrorWhileReloadingDoesNotStopLaterReloads() throws Exception {
    ModelVersion a = versionOf(modelA, "vA");
    AtomicInteger calls = new AtomicInteger();
    ModelSource flaky =
        () -> {
          // The second look-up meets a document that exhausts the stack; later ones are fine.
          if (calls.incrementAndGet() == 2) {
            throw new StackOverflowError("hostile document");
          }
          return calls.get() < 4 ? a : versionOf(modelA, "vA2");
        };
    try (FraudScorer scorer =
        FraudScorer.builder()
            .models(flaky)
            .refreshEvery(Duration.ofMillis(20))
            .meterRegistry(meters)
            .build()) {
      long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      while (!scorer.modelVersion().equals("vA2") && System.nanoTime() < deadline) {
        Thread.sleep(10);
      }
      assertThat(scorer.modelVersion()).isEqualTo("vA2");
      assertThat(meters.get("frip.scorer.model.swap.failures").counter().count()).isEqualTo(1);
    }
  }

  @Test
  void aModelNeedingAFeatureTheLookupLacksIsRefusedAndAShortVectorIsAModelError() {
    List<String> fewer = TestModels.FEATURES.subList(0, TestModels.FEATURES.size() - 1);
    FeatureSchema served = FeatureSchema.of("payments-v0", fewer);
    FeatureLookup lookup =
        new FeatureLookup() {
          @Override
          public FeatureVector features(PaymentEvent payment) {
            return FeatureVector.missing(served);
          }

          @Override
          public FeatureSchema schema() {
            return served;
          }
        };
    try (FraudScorer scorer =
        FraudScorer.builder()
            .models(ModelSource.fixed(versionOf(modelA, "vA")))
            .features(lookup)
            .meterRegistry(meters)
            .build()) {
      assertThat(scorer.modelVersion()).isEqualTo(Decision.RULES);
      assertThat(meters.get("frip.scorer.model.swap.failures").counter().count()).isEqualTo(1);
    }
    // Without a declared schema the gap shows at the decision: a model error, not a NaN feature.
    try (FraudScorer scorer =
        FraudScorer.builder()
            .models(ModelSource.fixed(versionOf(modelA, "vA")))
            .meterRegistry(meters)
            .build()) {
      Decision d = scorer.score(FeatureVector.missing(served));
      assertThat(d.fallback()).isTrue();
      assertThat(fallbacks(FraudScorer.FallbackReason.MODEL_ERROR)).isEqualTo(1);
    }
    assertThatThrownBy(() -> FeatureVector.missing(served).valuesFor(SCHEMA))
        .hasMessageContaining("is not in this vector's schema payments-v0");
  }
}
