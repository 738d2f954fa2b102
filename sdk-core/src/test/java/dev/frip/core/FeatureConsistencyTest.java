package dev.frip.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.avro.specific.SpecificRecord;
import org.junit.jupiter.api.Test;

/**
 * The training/serving consistency property: one stream, replayed through the online store and
 * computed by the offline path, gives the same vector for every payment, also when events arrive
 * out of order within the allowed lateness.
 */
class FeatureConsistencyTest {

  private static final Duration LATENESS = Duration.ofMinutes(10);
  private static final Clock FAR_FUTURE =
      Clock.fixed(Instant.parse("2030-01-01T00:00:00Z"), ZoneOffset.UTC);

  private final List<SpecificRecord> world = RandomWorld.events(42, 80, 12);
  private final BatchFeatures batch =
      BatchFeatures.compute(world, LocalDate.of(2026, 3, 2), LocalDate.of(2026, 4, 14));

  private Map<String, double[]> offline() {
    Map<String, double[]> out = new LinkedHashMap<>();
    OfflineFeatures.builder()
        .batchFeatures(batch)
        .build()
        .compute(world, (p, v, l) -> out.put(p.getPaymentId(), v.clone()));
    return out;
  }

  private FeatureStore store() {
    return FeatureStore.inMemory()
        .allowedLateness(LATENESS)
        .clock(FAR_FUTURE)
        .batchFeatures(batch)
        .build();
  }

  @Test
  void onlineInOrderAgreesWithOfflineOnEveryFeatureOfEveryPayment() {
    Map<String, double[]> online = OnlineReplay.vectors(store(), world, LATENESS.toMillis());

    VectorComparison c = VectorComparison.of(offline(), online);

    assertThat(c.compared()).isGreaterThan(3000);
    assertThat(c.agrees()).as(c.report()).isTrue();
  }

  @Test
  void onlineOutOfOrderWithinLatenessAgreesWithOffline() {
    List<SpecificRecord> arrivals = RandomWorld.shuffledWithin(world, LATENESS.toMillis(), 7);
    assertThat(arrivals).isNotEqualTo(world);
    FeatureStore store = store();

    Map<String, double[]> online = OnlineReplay.vectors(store, arrivals, LATENESS.toMillis());

    VectorComparison c = VectorComparison.of(offline(), online);
    assertThat(store.outcomeCounts().get(ObserveResult.REJECTED_TOO_LATE)).isZero();
    assertThat(c.agrees()).as(c.report()).isTrue();
  }

  @Test
  void theWorldExercisesEveryFeature() {
    // A consistency test over constant columns would prove little: every feature must vary.
    Map<String, double[]> offline = offline();
    for (int i = 0; i < FeatureCatalog.size(); i++) {
      final int f = i;
      long distinct =
          offline.values().stream()
              .mapToDouble(v -> v[f])
              .filter(x -> !Double.isNaN(x))
              .distinct()
              .count();
      assertThat(distinct).as(FeatureCatalog.definition(i).name()).isGreaterThan(1);
    }
  }

  @Test
  void comparisonReportsMismatchesPerFeature() {
    Map<String, double[]> offline = offline();
    Map<String, double[]> broken = new LinkedHashMap<>();
    int velocity = FeatureCatalog.indexOf("geo_velocity_kmh");
    int count = FeatureCatalog.indexOf("user_txn_count_1h");
    int n = 0;
    for (Map.Entry<String, double[]> e : offline.entrySet()) {
      double[] v = e.getValue().clone();
      if (n++ < 3) {
        v[count] += 1;
        v[velocity] = Double.isNaN(v[velocity]) ? 1.0 : v[velocity] * (1 + 1e-6);
      }
      broken.put(e.getKey(), v);
    }

    VectorComparison c = VectorComparison.of(offline, broken);

    assertThat(c.agrees()).isFalse();
    assertThat(c.report()).contains("user_txn_count_1h: 3", "geo_velocity_kmh: 3");
  }
}
