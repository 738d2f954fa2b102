package dev.frip.scoring;

import static org.assertj.core.api.Assertions.assertThat;

import dev.frip.core.BatchFeatures;
import dev.frip.core.EventStream;
import dev.frip.core.FeatureCatalog;
import dev.frip.core.FeatureStore;
import dev.frip.core.GeneratorConfig;
import dev.frip.core.OfflineFeatures;
import dev.frip.core.Profile;
import dev.frip.core.WorldGenerator;
import dev.frip.core.events.PaymentEvent;
import dev.frip.scoring.internal.ModelDocument;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import ml.dmlc.xgboost4j.java.Booster;
import org.apache.avro.specific.SpecificRecord;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Training and serving see the same features: a model trained with xgboost4j on the offline
 * (point-in-time) vectors of a generated world, served by a {@link FraudScorer} reading the online
 * {@link FeatureStore} while the same world is replayed, gives every payment exactly the score the
 * model gives the payment's training row.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class FeatureStoreScoringTest {

  private static final Clock FAR_FUTURE =
      Clock.fixed(Instant.parse("2100-01-01T00:00:00Z"), ZoneOffset.UTC);

  @TempDir static Path dir;

  private final List<SpecificRecord> world = new ArrayList<>();
  private final Map<String, float[]> trainingRows = new HashMap<>();
  private BatchFeatures batch;
  private ModelRegistry registry;
  private int frauds;

  @BeforeAll
  void trainOnOfflineFeatures() throws Exception {
    GeneratorConfig config =
        GeneratorConfig.builder().seed(11).days(6).users(300).profile(Profile.PLATFORM).build();
    try (EventStream events = WorldGenerator.create(config).stream()) {
      while (events.hasNext()) {
        world.add(events.next().value());
      }
    }
    LocalDate start = config.startDate();
    batch = BatchFeatures.compute(world, start, start.plusDays(config.days() + 40));
    int n = FeatureCatalog.size();
    List<float[]> rows = new ArrayList<>();
    List<Float> labels = new ArrayList<>();
    OfflineFeatures.builder()
        .batchFeatures(batch)
        .build()
        .compute(
            world,
            (p, v, label) -> {
              float[] row = new float[n];
              for (int i = 0; i < n; i++) {
                row[i] = (float) v[i];
              }
              trainingRows.put(p.getPaymentId(), row);
              rows.add(row);
              labels.add(label.fraud() ? 1f : 0f);
              frauds += label.fraud() ? 1 : 0;
            });
    float[] x = new float[rows.size() * n];
    float[] y = new float[rows.size()];
    for (int r = 0; r < rows.size(); r++) {
      System.arraycopy(rows.get(r), 0, x, r * n, n);
      y[r] = labels.get(r);
    }
    Booster booster = Xgb.train("binary:logistic", 4, 25, x, y, n, Float.NaN);
    Path raw = Xgb.save(booster, dir, "raw.json");
    @SuppressWarnings("unchecked")
    Map<String, Object> doc =
        (Map<String, Object>) ModelDocument.parseJson(Files.readAllBytes(raw));
    @SuppressWarnings("unchecked")
    Map<String, Object> learner = (Map<String, Object>) doc.get("learner");
    learner.put("feature_names", FeatureCatalog.names());
    Path named = dir.resolve("fraud.json");
    Files.write(named, TestJson.write(doc));
    registry = ModelRegistry.at(dir.resolve("registry"));
    registry.promote(registry.publish(named, FeatureCatalog.schema(), Map.of()));
  }

  @Test
  void theServedScoreOfEveryPaymentEqualsTheScoreOfItsTrainingRow() {
    assertThat(frauds).as("the world must contain fraud to learn from").isPositive();
    FeatureStore store =
        FeatureStore.inMemory()
            .clock(FAR_FUTURE)
            .allowedLateness(Duration.ofMinutes(5))
            .batchFeatures(batch)
            .build();
    XGBoostModel model = registry.current().model();
    int scored = 0;
    int differentScores = 0;
    double maxScore = 0;
    try (FraudScorer scorer =
        FraudScorer.builder()
            .models(registry)
            .features(FeatureLookup.of(store))
            .featureTimeout(Duration.ofSeconds(5)) // a loaded CI machine must not time out
            .build()) {
      for (SpecificRecord e : world) {
        if (e instanceof PaymentEvent p) {
          Decision d = scorer.score(p); // at checkout: before the payment is folded
          assertThat(d.fallback()).as("payment %s", p.getPaymentId()).isFalse();
          assertThat(d.modelVersion()).isEqualTo(registry.currentVersion().orElseThrow());
          float expected = model.predict(trainingRows.get(p.getPaymentId()));
          if (d.score() != expected) {
            differentScores++;
          }
          maxScore = Math.max(maxScore, d.score());
          scored++;
        }
        store.observe(e);
      }
      assertThat(scorer.fallbackCounts().values()).containsOnly(0L);
    }
    assertThat(scored).isEqualTo(trainingRows.size());
    assertThat(differentScores).as("payments served a score unlike training").isZero();
    assertThat(maxScore).as("the model learned something").isGreaterThan(0.5);
  }

  @Test
  void aPaymentTheStoreRejectsFallsBackToTheRulesAndIsCounted() {
    FeatureStore store = FeatureStore.inMemory().clock(FAR_FUTURE).build();
    PaymentEvent noUser = FraudScorerTest.payment(1_000);
    noUser.put("user_id", null);
    PaymentEvent tooLarge = FraudScorerTest.payment(1_000);
    tooLarge.put("amount_minor", FeatureCatalog.MAX_AMOUNT_MINOR + 1);
    try (FraudScorer scorer =
        FraudScorer.builder()
            .models(registry)
            .features(FeatureLookup.of(store))
            .circuitBreaker(
                io.github.resilience4j.circuitbreaker.CircuitBreakerConfig.custom()
                    .slidingWindowSize(2)
                    .minimumNumberOfCalls(2)
                    .waitDurationInOpenState(Duration.ofHours(1))
                    .build())
            .build()) {
      Decision d = scorer.score(noUser);
      assertThat(d.fallback()).isTrue();
      assertThat(d.modelVersion()).isEqualTo(Decision.RULES);
      for (int i = 0; i < 10; i++) {
        assertThat(scorer.score(tooLarge).fallback()).isTrue();
      }
      assertThat(scorer.fallbackCounts().get(FraudScorer.FallbackReason.FEATURES_INVALID_PAYMENT))
          .isEqualTo(11L);
      // A flood of bad payments is not a failing store: the breaker stays closed.
      Decision ok = scorer.score(FraudScorerTest.payment(1_000));
      assertThat(ok.fallback()).isFalse();
      assertThat(scorer.fallbackCounts().get(FraudScorer.FallbackReason.FEATURES_CIRCUIT_OPEN))
          .isZero();
    }
  }

  @Test
  void aLookupSlowerThanTheLimitIsDiscardedCountedAndOpensTheBreaker() {
    AtomicReference<Thread> ranOn = new AtomicReference<>();
    FeatureLookup slowInProcess =
        new FeatureLookup() {
          @Override
          public FeatureVector features(PaymentEvent payment) throws Exception {
            ranOn.set(Thread.currentThread());
            Thread.sleep(30);
            return FeatureVector.missing(FeatureCatalog.schema());
          }

          @Override
          public boolean inProcess() {
            return true;
          }
        };
    try (FraudScorer scorer =
        FraudScorer.builder()
            .models(registry)
            .features(slowInProcess)
            .featureTimeout(Duration.ofMillis(1))
            .circuitBreaker(
                io.github.resilience4j.circuitbreaker.CircuitBreakerConfig.custom()
                    .slidingWindowSize(2)
                    .minimumNumberOfCalls(2)
                    .waitDurationInOpenState(Duration.ofHours(1))
                    .build())
            .build()) {
      assertThat(scorer.score(FraudScorerTest.payment(1)).fallback()).isTrue();
      assertThat(scorer.score(FraudScorerTest.payment(1)).fallback()).isTrue();
      assertThat(scorer.fallbackCounts().get(FraudScorer.FallbackReason.FEATURES_TIMEOUT))
          .isEqualTo(2L);
      assertThat(scorer.score(FraudScorerTest.payment(1)).fallback()).isTrue();
      assertThat(scorer.fallbackCounts().get(FraudScorer.FallbackReason.FEATURES_CIRCUIT_OPEN))
          .isEqualTo(1L);
      assertThat(ranOn.get())
          .as("in-process lookups run on the scoring thread")
          .isSameAs(Thread.currentThread());
    }
  }
}
