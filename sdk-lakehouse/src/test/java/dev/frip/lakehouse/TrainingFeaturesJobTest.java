package dev.frip.lakehouse;

import static dev.frip.lakehouse.Events.rec;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.frip.core.BatchFeatures;
import dev.frip.core.EventStream;
import dev.frip.core.FeatureCatalog;
import dev.frip.core.GeneratedEvent;
import dev.frip.core.GeneratorConfig;
import dev.frip.core.OfflineFeatures;
import dev.frip.core.Topics;
import dev.frip.core.WorldGenerator;
import dev.frip.core.events.PaymentEvent;
import dev.frip.core.events.RefundEvent;
import dev.frip.core.events.RefundType;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.apache.avro.specific.SpecificRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Bronze to silver to {@code gold/training_features} on local disk, read back with Delta Kernel.
 */
class TrainingFeaturesJobTest {

  @TempDir Path dir;

  private static final LocalDate D = LocalDate.parse("2026-02-25");
  private static final Instant MIDNIGHT = D.atStartOfDay().toInstant(ZoneOffset.UTC);
  private static final Clock CLOCK =
      Clock.fixed(MIDNIGHT.plus(Duration.ofDays(60)), ZoneOffset.UTC);

  private static Instant at(String hhmm) {
    return Instant.parse(D + "T" + hhmm + ":00Z");
  }

  private static Map<String, Map<String, Object>> byPayment(Lakehouse lake, LocalDate date) {
    return lake.scan(lake.goldPath(TrainingFeaturesJob.TABLE)).on(date).rows().stream()
        .collect(
            Collectors.toMap(
                r -> (String) r.get("payment_id"),
                Function.identity(),
                (a, b) -> {
                  throw new AssertionError("two rows for payment " + a.get("payment_id"));
                },
                LinkedHashMap::new));
  }

  private static double[] vector(Map<String, Object> row) {
    double[] v = new double[FeatureCatalog.size()];
    for (int i = 0; i < v.length; i++) {
      v[i] = (Double) row.get(FeatureCatalog.names().get(i));
    }
    return v;
  }

  private static void writeBronze(Lakehouse lake, List<SpecificRecord> events) {
    Map<String, List<BronzeRecord>> byTopic = new LinkedHashMap<>();
    Map<String, Long> offsets = new HashMap<>();
    for (SpecificRecord e : events) {
      BronzeRecord r = rec(e, 0, 0);
      long off = offsets.merge(r.topic().name(), 1L, Long::sum);
      byTopic.computeIfAbsent(r.topic().name(), k -> new ArrayList<>()).add(rec(e, 0, off));
    }
    byTopic.forEach((t, rs) -> lake.bronzeWriter(Topics.require(t)).write(rs));
  }

  @Test
  void theTableHoldsTheInMemoryOfflineVectorsOfTheGeneratedWorld() {
    GeneratorConfig config =
        GeneratorConfig.builder().seed(11).days(10).users(150).fraudRate(0.2).build();
    List<SpecificRecord> world = new ArrayList<>();
    try (EventStream s = WorldGenerator.create(config).stream()) {
      while (s.hasNext()) {
        GeneratedEvent e = s.next();
        world.add(e.value());
      }
    }
    Lakehouse lake = Lakehouse.local(dir);
    writeBronze(lake, world);
    LocalDate start = config.startDate();
    LocalDate day = start.plusDays(8);
    for (LocalDate d = start; !d.isAfter(day); d = d.plusDays(1)) {
      SilverResult s = SilverJob.builder(lake).clock(CLOCK).build().run(d);
      assertThat(s.published()).as("silver %s", d).isTrue();
    }

    TrainingFeaturesJob job = TrainingFeaturesJob.builder(lake).clock(CLOCK).build();
    TrainingFeaturesResult r = job.run(day);
    BatchFeatures forServing = job.batchFeatures(day);

    // The same definitions in memory, over the generated events themselves.
    world.sort(java.util.Comparator.comparingLong(e -> ((Instant) e.get(1)).toEpochMilli()));
    Map<String, OfflineFeatures.Row> expected = new LinkedHashMap<>();
    OfflineFeatures.builder()
        .batchFeatures(BatchFeatures.compute(world, day, day))
        .build()
        .computeRows(world)
        .forEach(
            row -> {
              if (LocalDate.ofInstant(row.payment().getEventTime(), ZoneOffset.UTC).equals(day)) {
                expected.put(row.payment().getPaymentId(), row);
              }
            });
    long silverRows = lake.scan(lake.silverPath()).on(day).count();
    Map<String, Map<String, Object>> table = byPayment(lake, day);

    assertThat(r.published()).isTrue();
    assertThat(r.silverPayments()).isEqualTo(silverRows).isEqualTo(expected.size());
    assertThat(r.rows() + r.quarantined()).isEqualTo(r.silverPayments());
    assertThat(r.quarantined()).isZero();
    assertThat(table.keySet()).isEqualTo(expected.keySet());
    assertThat(expected).hasSizeGreaterThan(100);
    long frauds = 0;
    long batchValues = 0;
    for (Map.Entry<String, OfflineFeatures.Row> e : expected.entrySet()) {
      Map<String, Object> row = table.get(e.getKey());
      double[] got = vector(row);
      double[] want = e.getValue().vector();
      for (int i = 0; i < want.length; i++) {
        assertThat(Double.doubleToLongBits(got[i]))
            .as("%s %s: %s vs %s", e.getKey(), FeatureCatalog.names().get(i), got[i], want[i])
            .isEqualTo(Double.doubleToLongBits(want[i]));
      }
      OfflineFeatures.Label l = e.getValue().label();
      assertThat(row.get("is_fraud")).isEqualTo(l.fraud());
      assertThat(row.get("fraud_scenario")).isEqualTo(l.scenario());
      assertThat(row.get("label_available_at")).isEqualTo(l.availableAt());
      assertThat(row.get("feature_version")).isEqualTo(FeatureCatalog.VERSION);
      assertThat(row.get("user_id")).isEqualTo(e.getValue().payment().getUserId());
      assertThat(row.get("event_id")).isEqualTo(e.getValue().payment().getEventId().toString());
      assertThat(row.get("payment_id")).isEqualTo(e.getKey());
      assertThat(row.get("event_time")).isEqualTo(e.getValue().payment().getEventTime());
      assertThat(row.get(Lakehouse.EVENT_DATE)).isEqualTo(day);
      assertThat(row).containsOnlyKeys(TrainingFeaturesJob.columns());
      frauds += l.fraud() ? 1 : 0;
      batchValues += Double.isNaN(got[FeatureCatalog.BATCH_IDX]) ? 0 : 1;
      // What a scorer loads for the day gives each payment the batch features it trained on.
      double[] served = new double[6];
      forServing.fill(e.getValue().payment(), served, 0);
      for (int i = 0; i < 6; i++) {
        assertThat(Double.doubleToLongBits(served[i]))
            .as(
                "%s served %s",
                e.getKey(), FeatureCatalog.names().get(FeatureCatalog.BATCH_IDX + i))
            .isEqualTo(Double.doubleToLongBits(want[FeatureCatalog.BATCH_IDX + i]));
      }
    }
    assertThat(frauds).as("labelled frauds").isPositive();
    assertThat(batchValues).as("payments with terminal risk").isPositive();
    assertThat(r.featureVersion()).isEqualTo(FeatureCatalog.VERSION);
    assertThat(r.datesWithoutSilver())
        .hasSize(TrainingFeaturesJob.BATCH_HISTORY_DAYS - 8)
        .doesNotContain(start, day.minusDays(1));
    assertThat(r.quality().publishable()).isTrue();
    assertThat(TrainingFeaturesJob.columns())
        .startsWith("event_id", "payment_id", "user_id", "event_time")
        .endsWith("label_available_at", "feature_version", "event_date")
        .containsSubsequence(FeatureCatalog.names());
  }

  /** u1 pays at 08:00 (p1) and 12:00 (p2) on D; p0 was paid on terminal T1 ten days earlier. */
  private Lakehouse smallWorld(Instant p0ChargebackAt, boolean later) {
    Lakehouse lake = Lakehouse.local(dir.resolve(later ? "later" : "base"));
    PaymentEvent p0 = Events.payment("p0", "u0", MIDNIGHT.minus(Duration.ofDays(10)), 700);
    p0.put("terminal_id", "T1");
    PaymentEvent p1 = Events.payment("p1", "u1", at("08:00"), 1250);
    p1.put("terminal_id", "T1");
    p1.put("lat", 52.5);
    p1.put("lon", 13.4);
    PaymentEvent p2 = Events.payment("p2", "u1", at("12:00"), 300);
    List<SpecificRecord> events = new ArrayList<>();
    events.add(Events.user("u0", MIDNIGHT.minus(Duration.ofDays(40)), "DE", 52.5, 13.4));
    events.add(Events.user("u1", MIDNIGHT.minus(Duration.ofDays(40)), "DE", 52.5, 13.4));
    events.add(p0);
    events.add(Events.order("p0", "u0", p0.getEventTime().minusSeconds(1), 700));
    events.add(p1);
    events.add(Events.order("p1", "u1", at("07:59"), 1250));
    events.add(p2);
    events.add(Events.order("p2", "u1", at("11:59"), 300));
    events.add(Events.geo("u1", at("07:00"), "DE", 52.5, 13.4));
    events.add(Events.device("u1", "d-u1", MIDNIGHT.minus(Duration.ofDays(3))));
    events.add(Events.chargeback("p0", "u0", p0ChargebackAt, "S1"));
    if (later) {
      // After p1: a geo fix abroad, a payment, a merchant refund; and p1's own chargeback.
      events.add(Events.geo("u1", at("09:00"), "US", 40.7, -74.0));
      PaymentEvent p3 = Events.payment("p3", "u1", at("10:00"), 99_000);
      p3.put("country", "US");
      events.add(p3);
      events.add(Events.order("p3", "u1", at("09:59"), 99_000));
      RefundEvent refund = Events.chargeback("p3", "u1", at("10:30"), null);
      refund.put("event_id", Events.id("refund-p3"));
      refund.put("refund_type", RefundType.REFUND);
      events.add(refund);
      events.add(Events.chargeback("p1", "u1", at("08:00").plus(Duration.ofDays(3)), "S2"));
    }
    writeBronze(lake, events);
    for (LocalDate d : List.of(D.minusDays(10), D)) {
      assertThat(SilverJob.builder(lake).clock(CLOCK).build().run(d).published()).isTrue();
    }
    return lake;
  }

  @Test
  void laterEventsAndLabelsNotYetAvailableLeaveAnEarlierVectorUnchanged() {
    Instant afterD = MIDNIGHT.plus(Duration.ofHours(1));
    Lakehouse base = smallWorld(afterD, false);
    Lakehouse later = smallWorld(afterD, true);
    TrainingFeaturesJob.Builder job = TrainingFeaturesJob.builder(base).clock(CLOCK);

    TrainingFeaturesResult rb = job.build().run(D);
    TrainingFeaturesResult rl = TrainingFeaturesJob.builder(later).clock(CLOCK).build().run(D);

    Map<String, Object> p1Base = byPayment(base, D).get("p1");
    Map<String, Object> p1Later = byPayment(later, D).get("p1");
    assertThat(rb.rows()).isEqualTo(2);
    assertThat(rl.rows()).isEqualTo(3);
    assertThat(vector(p1Later)).isEqualTo(vector(p1Base));
    // p0's chargeback arrived after D 00:00: not yet known to D's terminal risk.
    assertThat(p1Base.get("terminal_risk_30d")).isEqualTo(0.0);
    assertThat(p1Base.get("is_fraud")).isEqualTo(false);
    // The label arrives beside the unchanged vector, with the time it became known.
    assertThat(p1Later.get("is_fraud")).isEqualTo(true);
    assertThat(p1Later.get("fraud_scenario")).isEqualTo("S2");
    assertThat(p1Later.get("label_available_at")).isEqualTo(at("08:00").plus(Duration.ofDays(3)));
    // The later events do reach the later payment: p2 sees p3 and its refund.
    assertThat(vector(byPayment(later, D).get("p2")))
        .isNotEqualTo(vector(byPayment(base, D).get("p2")));
  }

  @Test
  void aLabelKnownBeforeTheDayFeedsTheTerminalRisk() {
    Lakehouse lake = smallWorld(MIDNIGHT.minus(Duration.ofDays(2)), false);

    TrainingFeaturesJob.builder(lake).clock(CLOCK).build().run(D);

    Map<String, Object> p1 = byPayment(lake, D).get("p1");
    assertThat(p1.get("terminal_risk_30d")).isEqualTo(1.0);
    assertThat(p1.get("terminal_risk_7d")).isEqualTo(1.0);
    assertThat((Double) p1.get("user_txn_count_24h")).isEqualTo(1.0);
    assertThat((Double) byPayment(lake, D).get("p2").get("user_txn_count_24h")).isEqualTo(2.0);
  }

  @Test
  void reRunningReplacesThePartitionInOneCommit() {
    Lakehouse lake = smallWorld(MIDNIGHT.plus(Duration.ofDays(1)), false);
    TrainingFeaturesJob job = TrainingFeaturesJob.builder(lake).clock(CLOCK).build();

    TrainingFeaturesResult first = job.run(D);
    TrainingFeaturesResult second = job.run(D);

    assertThat(second.version()).isEqualTo(first.version() + 1);
    assertThat(second.rows()).isEqualTo(first.rows()).isEqualTo(2);
    assertThat(lake.scan(lake.goldPath(TrainingFeaturesJob.TABLE)).count()).isEqualTo(2);
  }

  @Test
  void aPaymentTheFeatureCodeRejectsGoesToQuarantineWithItsReason() {
    Lakehouse lake = smallWorld(MIDNIGHT.plus(Duration.ofDays(1)), false);
    PaymentEvent blank = Events.payment("p9", " ", at("13:00"), 100);
    lake.bronzeWriter(Topics.PAYMENTS).write(List.of(rec(blank, 1, 0)));
    lake.bronzeWriter(Topics.ORDERS)
        .write(List.of(rec(Events.order("p9", " ", at("12:59"), 100), 1, 0)));
    assertThat(SilverJob.builder(lake).clock(CLOCK).build().run(D).published()).isTrue();

    TrainingFeaturesResult r = TrainingFeaturesJob.builder(lake).clock(CLOCK).build().run(D);

    assertThat(r.silverPayments()).isEqualTo(3);
    assertThat(r.rows()).isEqualTo(2);
    assertThat(r.quarantined()).isEqualTo(1);
    assertThat(r.published()).isTrue();
    List<Map<String, Object>> q =
        lake.scan(lake.quarantinePath(TrainingFeaturesJob.TABLE)).on(D).rows();
    assertThat(q).hasSize(1);
    assertThat(q.get(0).get("rule")).isEqualTo("offline_features: user_id is null or blank");
    assertThat((String) q.get(0).get("row_json")).contains("\"payment_id\":\"p9\"");
    assertThat(byPayment(lake, D)).doesNotContainKey("p9");
  }

  @Test
  void eventsSortByTimeWithTiesInReadOrderWhateverTheTimeSpan() {
    int[] ids = {0, 1, 2, 3, 7};
    long[] near = {5, 3, 5, 3, 1};
    long[] far = {Long.MAX_VALUE / 2, 3, Long.MAX_VALUE / 2, 3, -Long.MAX_VALUE / 2};

    for (long[] times : List.of(near, far)) {
      TrainingFeaturesJob.Order o = TrainingFeaturesJob.Order.of(ids, times);

      int[] got = new int[o.size()];
      for (int i = 0; i < got.length; i++) {
        got[i] = o.event(i);
      }
      assertThat(got).containsExactly(7, 1, 3, 0, 2);
      assertThat(o.time(0)).isEqualTo(times[4]);
      assertThat(o.time(4)).isEqualTo(times[2]);
      assertThat(o.firstAtOrAfter(3)).isEqualTo(1);
      assertThat(o.firstAtOrAfter(4)).isEqualTo(3);
      assertThat(o.firstAtOrAfter(Long.MAX_VALUE)).isEqualTo(5);
    }
    assertThat(TrainingFeaturesJob.Order.of(new int[0], new long[0]).size()).isZero();
  }

  @Test
  void withoutSilverForTheDateTheJobSaysWhatToRunFirst() {
    Lakehouse lake = Lakehouse.local(dir);
    TrainingFeaturesJob job = TrainingFeaturesJob.builder(lake).build();

    assertThatThrownBy(() -> job.run(D))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("silver has no payments for " + D)
        .hasMessageContaining("run the silver job");
    assertThatThrownBy(() -> TrainingFeaturesJob.builder(lake).chargebackHorizonDays(-1))
        .hasMessageContaining("-1 days");
    assertThatThrownBy(() -> TrainingFeaturesJob.builder(lake).maximumEventsPerUser(2))
        .hasMessageContaining("at least 4");
  }
}
