package dev.frip.core;

import static org.assertj.core.api.Assertions.assertThat;

import dev.frip.core.events.PaymentEvent;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.avro.specific.SpecificRecord;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The consistency property on the synthetic world of {@link WorldGenerator}: online replay (in
 * order, and shuffled within the allowed lateness) and the offline computation agree on every
 * feature of every payment.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class GeneratedWorldConsistencyTest {

  private static final Duration LATENESS = Duration.ofMinutes(5);
  private static final Clock FAR_FUTURE =
      Clock.fixed(Instant.parse("2100-01-01T00:00:00Z"), ZoneOffset.UTC);

  private final List<SpecificRecord> world = new ArrayList<>();
  private BatchFeatures batch;
  private Map<String, double[]> offline;
  private long frauds;

  @BeforeAll
  void generateAndComputeOffline() throws Exception {
    GeneratorConfig config =
        GeneratorConfig.builder().seed(5).days(10).users(400).profile(Profile.PLATFORM).build();
    try (EventStream events = WorldGenerator.create(config).stream()) {
      while (events.hasNext()) {
        world.add(events.next().value());
      }
    }
    LocalDate start = config.startDate();
    batch = BatchFeatures.compute(world, start, start.plusDays(config.days() + 40));
    offline = new LinkedHashMap<>();
    OfflineFeatures.Summary s =
        OfflineFeatures.builder()
            .batchFeatures(batch)
            .build()
            .compute(
                world,
                (p, v, l) -> {
                  offline.put(p.getPaymentId(), v.clone());
                  frauds += l.fraud() ? 1 : 0;
                });
    assertThat(s.rows()).isEqualTo(world.stream().filter(PaymentEvent.class::isInstance).count());
  }

  private FeatureStore store() {
    return FeatureStore.inMemory()
        .allowedLateness(LATENESS)
        .clock(FAR_FUTURE)
        .batchFeatures(batch)
        .build();
  }

  @Test
  void theWorldHasPaymentsAndLabelledFrauds() {
    assertThat(offline).hasSizeGreaterThan(1000);
    assertThat(frauds).isPositive();
  }

  @Test
  void onlineInOrderAgreesWithOffline() {
    FeatureStore store = store();

    VectorComparison c =
        VectorComparison.of(offline, OnlineReplay.vectors(store, world, LATENESS.toMillis()));

    assertThat(store.outcomeCounts().get(ObserveResult.REJECTED_TOO_LATE)).isZero();
    assertThat(c.agrees()).as(c.report()).isTrue();
  }

  @Test
  void readingEachPaymentOnArrivalInOrderAgreesWithOffline() {
    // What a streaming scorer does: observe the payment, then read its vector at once. In time
    // order this is final already, unless another event of the user has the same millisecond
    // and arrives after the payment (none in this seed's world).
    FeatureStore store = store();
    Map<String, double[]> online = new LinkedHashMap<>();
    for (SpecificRecord e : world) {
      store.observe(e);
      if (e instanceof PaymentEvent p) {
        online.put(p.getPaymentId(), store.vector(p));
      }
    }

    VectorComparison c = VectorComparison.of(offline, online);

    assertThat(c.agrees()).as(c.report()).isTrue();
  }

  @Test
  void onlineShuffledWithinLatenessAgreesWithOffline() {
    FeatureStore store = store();
    List<SpecificRecord> arrivals = RandomWorld.shuffledWithin(world, LATENESS.toMillis(), 11);

    VectorComparison c =
        VectorComparison.of(offline, OnlineReplay.vectors(store, arrivals, LATENESS.toMillis()));

    assertThat(store.outcomeCounts().get(ObserveResult.REJECTED_TOO_LATE)).isZero();
    assertThat(c.agrees()).as(c.report()).isTrue();
  }
}
