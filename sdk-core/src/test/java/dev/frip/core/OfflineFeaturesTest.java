package dev.frip.core;

import static dev.frip.core.TestEvents.DAY;
import static dev.frip.core.TestEvents.HOUR;
import static dev.frip.core.TestEvents.T0;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.frip.core.events.PaymentEvent;
import dev.frip.core.events.RefundEvent;
import dev.frip.core.events.RefundType;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.avro.specific.SpecificRecord;
import org.junit.jupiter.api.Test;

/** The offline, point-in-time path. */
class OfflineFeaturesTest {

  @Test
  void eachPaymentSeesOnlyEventsUpToItsOwnTime() {
    PaymentEvent first = TestEvents.payment("alice", T0, 100).build();
    PaymentEvent second = TestEvents.payment("alice", T0 + HOUR, 200).build();
    PaymentEvent third = TestEvents.payment("alice", T0 + 2 * HOUR, 300).build();

    List<OfflineFeatures.Row> rows =
        OfflineFeatures.builder().build().computeRows(List.of(first, second, third));

    int count = FeatureCatalog.indexOf("user_txn_count_24h");
    assertThat(rows).extracting(r -> r.vector()[count]).containsExactly(1.0, 2.0, 3.0);
  }

  @Test
  void labelsComeFromChargebacksWithTheTimeTheyBecameKnownAndNeverFeedFeatures() {
    PaymentEvent fraud = TestEvents.payment("alice", T0, 100).build();
    PaymentEvent next = TestEvents.payment("alice", T0 + 2 * DAY, 100).build();
    List<SpecificRecord> events = new ArrayList<>();
    events.add(fraud);
    events.add(TestEvents.refund("alice", T0 + DAY, fraud, RefundType.CHARGEBACK, "S2"));
    events.add(next);

    List<OfflineFeatures.Row> rows = OfflineFeatures.builder().build().computeRows(events);

    assertThat(rows.get(0).label())
        .isEqualTo(new OfflineFeatures.Label(true, "S2", Instant.ofEpochMilli(T0 + DAY)));
    assertThat(rows.get(1).label()).isEqualTo(OfflineFeatures.Label.NONE);
    assertThat(rows.get(1).vector()[FeatureCatalog.indexOf("refund_ratio_30d")]).isZero();
  }

  @Test
  void foldOnlyPaymentsGetNoVectorAndTheWantedOnesTheSameVectorsAndLabels() {
    List<SpecificRecord> events = RandomWorld.events(5, 40, 12);
    events.sort(java.util.Comparator.comparingLong(RandomWorld::time));
    long cut = RandomWorld.time(events.get(events.size() / 2));
    List<OfflineFeatures.Row> all = OfflineFeatures.builder().build().computeRows(events);
    List<SpecificRecord> chargebacks = new ArrayList<>();
    for (SpecificRecord e : events) {
      if (e instanceof dev.frip.core.events.RefundEvent r
          && r.getRefundType() == RefundType.CHARGEBACK) {
        chargebacks.add(e);
      }
    }
    List<OfflineFeatures.Row> later = new ArrayList<>();

    OfflineFeatures.Summary s =
        OfflineFeatures.builder()
            .build()
            .compute(
                events,
                chargebacks,
                p -> p.getEventTime().toEpochMilli() >= cut,
                (p, v, l) -> later.add(new OfflineFeatures.Row(p, v.clone(), l)));

    List<OfflineFeatures.Row> want =
        all.stream().filter(r -> r.payment().getEventTime().toEpochMilli() >= cut).toList();
    assertThat(want).hasSizeGreaterThan(10).hasSizeLessThan(all.size());
    assertThat(want.stream().filter(r -> r.label().fraud())).isNotEmpty();
    assertThat(s.rows()).isEqualTo(want.size());
    assertThat(later).hasSameSizeAs(want);
    for (int i = 0; i < want.size(); i++) {
      assertThat(later.get(i).payment()).isSameAs(want.get(i).payment());
      assertThat(later.get(i).vector()).isEqualTo(want.get(i).vector());
      assertThat(later.get(i).label()).isEqualTo(want.get(i).label());
    }
  }

  @Test
  void aBatchTableGivenLaterIsAskedOnceAtTheFirstVectorAndGivesTheSameRows() {
    List<SpecificRecord> events = RandomWorld.events(7, 30, 12);
    BatchFeatures batch =
        BatchFeatures.compute(
            events, java.time.LocalDate.of(2026, 3, 2), java.time.LocalDate.of(2026, 3, 20));
    long cut = RandomWorld.time(events.get(events.size() / 2));
    List<OfflineFeatures.Row> want = new ArrayList<>();
    OfflineFeatures.builder()
        .batchFeatures(batch)
        .build()
        .compute(
            events,
            events,
            p -> p.getEventTime().toEpochMilli() >= cut,
            (p, v, l) -> want.add(new OfflineFeatures.Row(p, v.clone(), l)));
    int[] asked = {0};
    List<Integer> foldedBeforeAsked = new ArrayList<>();
    List<OfflineFeatures.Row> got = new ArrayList<>();
    OfflineFeatures later =
        OfflineFeatures.builder()
            .batchFeatures(
                () -> {
                  asked[0]++;
                  foldedBeforeAsked.add(got.size());
                  return batch;
                })
            .build();

    later.compute(
        events,
        events,
        p -> p.getEventTime().toEpochMilli() >= cut,
        (p, v, l) -> got.add(new OfflineFeatures.Row(p, v.clone(), l)));
    later.compute(events, events, p -> false, (p, v, l) -> got.add(null)); // no vector: not asked

    assertThat(asked[0]).isOne();
    assertThat(foldedBeforeAsked).containsExactly(0);
    assertThat(want).hasSizeGreaterThan(10);
    assertThat(batchFeatureValues(want)).anyMatch(v -> !Double.isNaN(v));
    assertThat(got).hasSameSizeAs(want);
    for (int i = 0; i < want.size(); i++) {
      assertThat(got.get(i).payment()).isSameAs(want.get(i).payment());
      assertThat(got.get(i).vector()).isEqualTo(want.get(i).vector());
      assertThat(got.get(i).label()).isEqualTo(want.get(i).label());
    }
    OfflineFeatures broken = OfflineFeatures.builder().batchFeatures(() -> null).build();
    assertThatThrownBy(() -> broken.computeRows(events))
        .isInstanceOf(NullPointerException.class)
        .hasMessageContaining("batch features");
  }

  /** The six batch features of every row. */
  private static List<Double> batchFeatureValues(List<OfflineFeatures.Row> rows) {
    List<Double> out = new ArrayList<>();
    for (OfflineFeatures.Row r : rows) {
      for (int i = FeatureCatalog.BATCH_IDX; i < FeatureCatalog.BATCH_IDX + 6; i++) {
        out.add(r.vector()[i]);
      }
    }
    return out;
  }

  @Test
  void eventsOutOfTimeOrderAreRefusedWithTheirTimes() {
    List<SpecificRecord> events =
        List.of(
            TestEvents.payment("alice", T0 + HOUR, 100).build(),
            TestEvents.payment("bob", T0, 100).build());

    assertThatThrownBy(() -> OfflineFeatures.builder().build().computeRows(events))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("not in event-time order")
        .hasMessageContaining("2026-03-02T00:00:00Z");
  }

  @Test
  void badEventsAreSkippedAndCountedLikeOnline() {
    PaymentEvent noUser = TestEvents.payment("alice", T0, 100).build();
    noUser.put("user_id", null);
    PaymentEvent good = TestEvents.payment("alice", T0 + 1, 100).build();
    List<SpecificRecord> events = List.of(noUser, good, good, TestEvents.order("alice", T0 + 2));

    OfflineFeatures.Summary s = OfflineFeatures.builder().build().compute(events, (p, v, l) -> {});

    assertThat(s.rows()).isEqualTo(1);
    assertThat(s.outcomes())
        .containsEntry(ObserveResult.REJECTED_MISSING_KEY, 1L)
        .containsEntry(ObserveResult.ACCEPTED, 1L)
        .containsEntry(ObserveResult.DUPLICATE, 1L)
        .containsEntry(ObserveResult.IGNORED, 1L);
  }

  @Test
  void amountsOutOfRangeAreRejectedOfflineAsOnlineSoTheVectorsStillAgree() {
    List<SpecificRecord> events = new ArrayList<>();
    PaymentEvent first = TestEvents.payment("alice", T0, 1_000).build();
    events.add(first);
    events.add(TestEvents.payment("alice", T0 + 1000, -5_000).build());
    events.add(TestEvents.payment("alice", T0 + 2000, Long.MAX_VALUE / 2).build());
    events.add(TestEvents.payment("alice", T0 + 3000, Long.MAX_VALUE / 2).build());
    RefundEvent refund = TestEvents.refund("alice", T0 + 4000, first, RefundType.REFUND, null);
    events.add(RefundEvent.newBuilder(refund).setAmountMinor(-1).build());
    events.add(TestEvents.payment("alice", T0 + 5000, 2_000).build());
    events.add(TestEvents.payment("alice", T0 + 6000, 4_000).build());
    FeatureStore online =
        FeatureStore.inMemory()
            .clock(java.time.Clock.fixed(Instant.ofEpochMilli(T0 + DAY), ZoneOffset.UTC))
            .build();
    List<double[]> onlineVectors = new ArrayList<>();
    for (SpecificRecord e : events) {
      if (online.observe(e) == ObserveResult.ACCEPTED && e instanceof PaymentEvent p) {
        onlineVectors.add(online.vector(p)); // the same before and after its own fold
      }
    }

    OfflineFeatures.Summary s = OfflineFeatures.builder().build().compute(events, (p, v, l) -> {});
    List<OfflineFeatures.Row> rows = OfflineFeatures.builder().build().computeRows(events);

    assertThat(s.rows()).isEqualTo(3);
    assertThat(s.outcomes())
        .containsOnly(
            Map.entry(ObserveResult.REJECTED_INVALID_AMOUNT, 4L),
            Map.entry(ObserveResult.ACCEPTED, 3L));
    assertThat(online.outcomeCounts()).containsAllEntriesOf(s.outcomes());
    assertThat(rows).hasSize(3);
    for (int i = 0; i < rows.size(); i++) {
      assertThat(rows.get(i).vector()).as("payment %d", i).containsExactly(onlineVectors.get(i));
    }
    double[] last = rows.get(2).vector();
    assertThat(last[FeatureCatalog.indexOf("user_amount_sum_1h")]).isEqualTo(70.0);
    assertThat(last[FeatureCatalog.indexOf("refund_ratio_30d")]).isZero();
  }

  @Test
  void trainingColumnsPutKeysFeaturesAndLabelsInThatOrder() {
    List<String> columns = OfflineFeatures.trainingColumns();

    assertThat(columns).startsWith("payment_id", "user_id", "event_time", "amount");
    assertThat(columns)
        .endsWith("users_per_ip_30d", "is_fraud", "fraud_scenario", "label_available_at");
    assertThat(columns).hasSize(FeatureCatalog.size() + 6);
  }

  @Test
  void builderRejectsATinyEventCap() {
    assertThatThrownBy(() -> OfflineFeatures.builder().maximumEventsPerUser(1))
        .hasMessageContaining("maximumEventsPerUser was 1");
  }

  @Test
  void abusiveRefundsLabelTheirPaymentAndOrdinaryRefundsAndDisputesDoNot() {
    PaymentEvent abused = TestEvents.payment("bob", T0, 100).build();
    PaymentEvent returned = TestEvents.payment("bob", T0 + 1000, 100).build();
    PaymentEvent disputed = TestEvents.payment("bob", T0 + 2000, 100).build();
    List<SpecificRecord> events = new ArrayList<>();
    events.add(abused);
    events.add(returned);
    events.add(disputed);
    events.add(TestEvents.refund("bob", T0 + DAY, abused, RefundType.REFUND, "refund_abuse"));
    events.add(TestEvents.refund("bob", T0 + DAY, returned, RefundType.REFUND, null));
    RefundEvent dispute = TestEvents.refund("bob", T0 + DAY, disputed, RefundType.CHARGEBACK, null);
    dispute.put("reason", "merchandise_not_received");
    events.add(dispute);
    events.add(TestEvents.refund("bob", T0 + 3 * DAY, disputed, RefundType.CHARGEBACK, "ato"));

    List<OfflineFeatures.Row> rows = OfflineFeatures.builder().build().computeRows(events);

    assertThat(rows.get(0).label())
        .isEqualTo(new OfflineFeatures.Label(true, "refund_abuse", Instant.ofEpochMilli(T0 + DAY)));
    assertThat(rows.get(1).label()).isEqualTo(OfflineFeatures.Label.NONE);
    // The fraud chargeback decides, not the earlier dispute.
    assertThat(rows.get(2).label())
        .isEqualTo(new OfflineFeatures.Label(true, "ato", Instant.ofEpochMilli(T0 + 3 * DAY)));
    assertThat(FraudLabels.marksFraud("CHARGEBACK", "fraud_card_present", null)).isTrue();
    assertThat(FraudLabels.marksFraud("CHARGEBACK", "merchandise_not_received", null)).isFalse();
    assertThat(FraudLabels.marksFraud("REFUND", "fraud_claimed", null)).isFalse();
    assertThat(FraudLabels.marksFraud(null, "fraud", "x")).isFalse();
  }
}
