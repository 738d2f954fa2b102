package dev.frip.lakehouse;

import static dev.frip.lakehouse.Events.rec;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.frip.core.Topics;
import dev.frip.core.events.PaymentEvent;
import dev.frip.core.events.RefundEvent;
import dev.frip.core.events.RefundType;
import dev.frip.core.quality.Expectation;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SilverJobTest {

  @TempDir Path dir;

  private static final LocalDate D = LocalDate.parse("2026-02-25");
  private static final Instant MIDNIGHT = D.atStartOfDay().toInstant(ZoneOffset.UTC);
  private static final Clock CLOCK =
      Clock.fixed(MIDNIGHT.plus(Duration.ofDays(30)), ZoneOffset.UTC);

  private static Instant at(String hhmm) {
    return Instant.parse(D + "T" + hhmm + ":00Z");
  }

  private Lakehouse seedBronze(PaymentEvent... extraPayments) {
    Lakehouse lake = Lakehouse.local(dir);
    lake.bronzeWriter(Topics.USERS)
        .write(
            List.of(
                rec(
                    Events.user("u1", MIDNIGHT.minus(Duration.ofDays(10)), "DE", 52.52, 13.40),
                    0,
                    0),
                rec(Events.user("u1", at("09:00"), "FR", 48.85, 2.35), 0, 1),
                rec(
                    Events.user("u2", MIDNIGHT.minus(Duration.ofDays(400)), "GB", 51.5, -0.12),
                    1,
                    0)));
    lake.bronzeWriter(Topics.DEVICES)
        .write(
            List.of(
                rec(Events.device("u1", "d-u1", MIDNIGHT.minus(Duration.ofDays(30))), 0, 0),
                rec(Events.device("u2", "d-u2", at("07:30")), 1, 0)));
    lake.bronzeWriter(Topics.GEO_EVENTS)
        .write(
            List.of(
                rec(Events.geo("u1", at("07:00"), "DE", 52.50, 13.40), 0, 0),
                rec(Events.geo("u2", at("07:45"), "ES", 40.4, -3.7), 1, 0)));
    lake.bronzeWriter(Topics.ORDERS)
        .write(
            List.of(
                rec(Events.order("p1", "u1", MIDNIGHT.minusSeconds(60), 1250), 0, 0),
                rec(Events.order("p2", "u2", at("07:59"), 10000), 1, 0),
                rec(Events.order("p3", "u1", at("09:59"), 500), 0, 1)));
    PaymentEvent p1 = Events.payment("p1", "u1", at("08:00"), 1250);
    PaymentEvent p2 = Events.payment("p2", "u2", at("08:00"), 10000);
    p2.put("currency", "USD");
    p2.put("country", "ES");
    PaymentEvent p3 = Events.payment("p3", "u1", at("10:00"), 500);
    p3.put("lat", 48.85);
    p3.put("lon", 2.35);
    p3.put("country", "IT");
    List<BronzeRecord> pays =
        new java.util.ArrayList<>(
            List.of(rec(p1, 0, 0), rec(p2, 1, 0), rec(p3, 0, 1), rec(p1, 0, 5)));
    long off = 6;
    for (PaymentEvent e : extraPayments) {
      pays.add(rec(e, 2, off++));
    }
    lake.bronzeWriter(Topics.PAYMENTS).write(pays);
    lake.bronzeWriter(Topics.REFUNDS)
        .write(
            List.of(
                rec(
                    Events.chargeback("p2", "u2", at("08:00").plus(Duration.ofDays(20)), "S2"),
                    1,
                    0)));
    return lake;
  }

  private static Map<String, Map<String, Object>> byPayment(Lakehouse lake) {
    return lake.scan(lake.silverPath()).on(D).rows().stream()
        .collect(Collectors.toMap(r -> (String) r.get("payment_id"), Function.identity()));
  }

  @Test
  void enrichesEachPaymentOnceWithPointInTimeJoinsAndLabels() {
    Lakehouse lake = seedBronze();

    SilverResult r = SilverJob.builder(lake).clock(CLOCK).build().run(D);

    assertThat(r.published()).isTrue();
    assertThat(r.rows()).isEqualTo(3);
    assertThat(r.paymentsRead()).isEqualTo(4);
    assertThat(r.duplicatesDropped()).isEqualTo(1);
    assertThat(r.quality().passed()).as(r.quality().toJson()).isTrue();
    Map<String, Map<String, Object>> rows = byPayment(lake);
    assertThat(rows).containsOnlyKeys("p1", "p2", "p3");

    Map<String, Object> p1 = rows.get("p1");
    assertThat(p1.get("home_country")).isEqualTo("DE"); // profile before the 09:00 update
    assertThat(p1.get("order_event_time")).isEqualTo(MIDNIGHT.minusSeconds(60));
    assertThat(p1.get("channel")).isEqualTo("WEB");
    assertThat(p1.get("account_age_days")).isEqualTo(10);
    assertThat(p1.get("device_type")).isEqualTo("MOBILE");
    assertThat(p1.get("is_new_device")).isEqualTo(false);
    assertThat(p1.get("geo_country")).isEqualTo("DE");
    assertThat((Double) p1.get("distance_from_home_km")).isCloseTo(2.2, within(0.1));
    assertThat(p1.get("local_hour")).isEqualTo(9); // Berlin is UTC+1 in February
    assertThat(p1.get("amount_reporting")).isEqualTo(12.5);
    assertThat(p1.get("is_new_country")).isEqualTo(false);
    assertThat(p1.get("is_fraud")).isEqualTo(false);
    assertThat(p1.get("label_available_at")).isNull();

    Map<String, Object> p2 = rows.get("p2");
    assertThat((Double) p2.get("amount_reporting")).isCloseTo(92.0, within(1e-9));
    assertThat(p2.get("is_new_device")).isEqualTo(true); // first seen 30 min before
    assertThat(p2.get("is_new_country")).isEqualTo(false); // a geo fix in ES 15 min before
    assertThat(p2.get("is_fraud")).isEqualTo(true);
    assertThat(p2.get("fraud_scenario")).isEqualTo("S2");
    assertThat(p2.get("label_available_at")).isEqualTo(at("08:00").plus(Duration.ofDays(20)));

    Map<String, Object> p3 = rows.get("p3");
    assertThat(p3.get("home_country")).isEqualTo("FR"); // profile after the 09:00 update
    assertThat(p3.get("local_hour")).isEqualTo(11);
    assertThat((Double) p3.get("distance_from_home_km")).isCloseTo(0.0, within(0.01));
    assertThat(p3.get("is_new_country")).isEqualTo(true); // IT payment, home now FR, no IT fix
  }

  @Test
  void rerunningADateReplacesItsPartition() {
    Lakehouse lake = seedBronze();
    SilverJob job = SilverJob.builder(lake).clock(CLOCK).build();
    SilverResult first = job.run(D);
    SilverResult second = job.run(D);

    assertThat(second.version()).isGreaterThan(first.version());
    assertThat(lake.scan(lake.silverPath()).count()).isEqualTo(3);
    assertThat(byPayment(lake).keySet()).containsExactlyInAnyOrder("p1", "p2", "p3");
  }

  @Test
  void aBadRowIsQuarantinedAndTheRestPublished() throws Exception {
    PaymentEvent odd = Events.payment("p9", "u9", at("11:00"), 700);
    odd.put("currency", "XXX");
    Lakehouse lake = seedBronze(odd);

    SilverResult r =
        SilverJob.builder(lake).clock(CLOCK).maxQuarantinedFraction(0.25).build().run(D);

    assertThat(r.published()).as(r.quality().toJson()).isTrue();
    assertThat(byPayment(lake).keySet()).containsExactlyInAnyOrder("p1", "p2", "p3");
    assertThat(r.rows()).isEqualTo(3);
    assertThat(r.quarantined()).isEqualTo(1);
    assertThat(r.paymentsRead()).isEqualTo(5);
    assertThat(r.paymentsRead()).isEqualTo(r.rows() + r.duplicatesDropped() + r.quarantined());
    List<Map<String, Object>> q =
        lake.scan(lake.quarantinePath("enriched_transactions")).on(D).rows();
    assertThat(q)
        .extracting(m -> m.get("rule"))
        .containsExactlyInAnyOrder("not_null(amount_reporting)", startsWithIn(r));
    assertThat(q).extracting(m -> m.get("severity")).containsOnly("QUARANTINE");
    assertThat(q).allSatisfy(m -> assertThat((String) m.get("row_json")).contains("\"p9\""));
    assertThat(r.quality().results())
        .filteredOn(e -> e.rule().startsWith("max_quarantined_fraction"))
        .singleElement()
        .satisfies(e -> assertThat(e.observed()).startsWith("1 of 4 rows"));
  }

  @Test
  void aBuiltInRuleReAddedAsBlockingBlocksAndEachQuarantineRowKeepsItsSeverity() {
    PaymentEvent odd = Events.payment("p9", "u9", at("11:00"), 700);
    odd.put("currency", "XXX");
    Lakehouse lake = seedBronze(odd);

    // A merchant that wants a missing reporting amount to stop the day, whatever the share.
    SilverResult r =
        SilverJob.builder(lake)
            .clock(CLOCK)
            .maxQuarantinedFraction(1)
            .expect(Expectation.notNull("amount_reporting"))
            .build()
            .run(D);

    assertThat(r.published()).isFalse();
    assertThat(r.quarantined()).isEqualTo(1);
    List<Map<String, Object>> q =
        lake.scan(lake.quarantinePath("enriched_transactions")).on(D).rows();
    assertThat(q)
        .filteredOn(m -> "not_null(amount_reporting)".equals(m.get("rule")))
        .extracting(m -> m.get("severity"))
        .containsExactlyInAnyOrder("QUARANTINE", "BLOCK");
  }

  @Test
  void tooManyBadRowsBlockTheDateQuarantineThemAndWriteJson() throws Exception {
    PaymentEvent odd = Events.payment("p9", "u9", at("11:00"), 700);
    odd.put("currency", "XXX");
    Lakehouse lake = seedBronze(odd);

    // 1 bad row of 4 is above the default limit of 0.1%.
    SilverResult r = SilverJob.builder(lake).clock(CLOCK).build().run(D);

    assertThat(r.published()).isFalse();
    assertThat(r.rows()).isZero();
    assertThat(lake.scan(lake.silverPath()).count()).isZero();
    assertThat(r.quarantined()).isEqualTo(1);
    List<Map<String, Object>> q =
        lake.scan(lake.quarantinePath("enriched_transactions")).on(D).rows();
    assertThat(q)
        .extracting(m -> m.get("rule"))
        .containsExactlyInAnyOrder("not_null(amount_reporting)", startsWithIn(r));
    assertThat((String) q.get(0).get("row_json")).contains("\"payment_id\":\"p9\"");
    String json = Files.readString(Path.of(java.net.URI.create(r.qualityResultPath())));
    assertThat(json)
        .contains("\"publishable\": false")
        .contains("not_null(amount_reporting)")
        .contains("\"rule\": \"max_quarantined_fraction(0.001)\", \"severity\": \"BLOCK\"")
        .contains("1 of 4 rows broke a quarantine rule (0.2500)");
    // With no tolerance at all, the same holds for one bad row in any number.
    assertThat(
            SilverJob.builder(lake)
                .clock(CLOCK)
                .maxQuarantinedFraction(0)
                .build()
                .run(D)
                .published())
        .isFalse();
    assertThatThrownBy(() -> SilverJob.builder(lake).maxQuarantinedFraction(-0.1))
        .hasMessageContaining("silver maxQuarantinedFraction was -0.1, must be in [0, 1]");
  }

  private static String startsWithIn(SilverResult r) {
    return r.quality().failures().stream()
        .map(f -> f.rule())
        .filter(s -> s.startsWith("in(currency"))
        .findFirst()
        .orElseThrow();
  }

  @Test
  void quarantineSeverityPublishesTheRest() throws Exception {
    PaymentEvent odd = Events.payment("p9", "u9", at("11:00"), 700);
    odd.put("currency", "XXX");
    Lakehouse lake = seedBronze(odd);
    // A merchant that accepts unknown currencies as quarantine-only, relaxing the built-in rules.
    SilverResult r =
        SilverJob.builder(lake)
            .clock(CLOCK)
            .fxRate("XXX", 1.0)
            .maxQuarantinedFraction(1)
            .expect(
                Expectation.between("amount_minor", 0, 600)
                    .withSeverity(dev.frip.core.quality.Severity.QUARANTINE))
            .build()
            .run(D);
    assertThat(r.published()).isTrue();
    assertThat(byPayment(lake).keySet()).containsExactlyInAnyOrder("p3");
    assertThat(r.quarantined()).isEqualTo(3);
    try (Stream<Path> files =
        Files.list(dir.resolve("quality/enriched_transactions/event_date=" + D))) {
      assertThat(files.filter(f -> f.toString().endsWith(".json")).count()).isEqualTo(1);
    }
  }

  @Test
  void builderValidatesArguments() {
    Lakehouse lake = Lakehouse.local(dir);
    assertThatThrownBy(() -> SilverJob.builder(lake).reportingCurrency("euro"))
        .hasMessageContaining("'euro'");
    assertThatThrownBy(() -> SilverJob.builder(lake).fxRate("USD", -1))
        .hasMessageContaining("FX rate of USD was -1.0");
    assertThatThrownBy(() -> SilverJob.builder(lake).newCountryLookback(Duration.ZERO))
        .hasMessageContaining("lookback was PT0S");
    assertThatThrownBy(() -> SilverJob.builder(lake).chargebackHorizonDays(-1))
        .hasMessageContaining("-1 days");
    assertThatThrownBy(() -> SilverJob.builder(lake).reportingCurrency("ABC").build())
        .hasMessageContaining("ABC has no FX rate");
  }

  @Test
  void reportingCurrencyConvertsThroughEur() {
    Lakehouse lake = seedBronze();
    SilverJob.builder(lake).reportingCurrency("USD").clock(CLOCK).build().run(D);
    Map<String, Object> p2 = byPayment(lake).get("p2");
    assertThat((Double) p2.get("amount_reporting")).isCloseTo(100.0, within(1e-9));
    assertThat(p2.get("reporting_currency")).isEqualTo("USD");
  }

  @Test
  void abusiveRefundsAndALaterFraudChargebackLabelTheirPayments() {
    Lakehouse lake = seedBronze();
    Instant later = at("08:00").plus(Duration.ofDays(3));
    RefundEvent ordinary = Events.chargeback("p1", "u1", later, null);
    ordinary.put("event_id", java.util.UUID.nameUUIDFromBytes("ordinary".getBytes()));
    ordinary.put("refund_type", RefundType.REFUND);
    ordinary.put("reason", "item_returned");
    RefundEvent abuse = Events.chargeback("p3", "u1", later, "refund_abuse");
    abuse.put("refund_type", RefundType.REFUND);
    abuse.put("reason", "item_not_received");
    // p2 already has a fraud chargeback on day 20; a dispute that is not fraud comes first.
    RefundEvent dispute = Events.chargeback("p2", "u2", later, null);
    dispute.put("event_id", java.util.UUID.nameUUIDFromBytes("dispute".getBytes()));
    dispute.put("reason", "merchandise_not_received");
    lake.bronzeWriter(Topics.REFUNDS)
        .write(List.of(rec(ordinary, 0, 10), rec(abuse, 0, 11), rec(dispute, 1, 12)));

    assertThat(SilverJob.builder(lake).clock(CLOCK).build().run(D).published()).isTrue();
    Map<String, Map<String, Object>> rows = byPayment(lake);

    assertThat(rows.get("p1").get("is_fraud")).isEqualTo(false); // an ordinary refund
    assertThat(rows.get("p1").get("label_available_at")).isNull();
    assertThat(rows.get("p3").get("is_fraud")).isEqualTo(true); // the abusive refund is the label
    assertThat(rows.get("p3").get("fraud_scenario")).isEqualTo("refund_abuse");
    assertThat(rows.get("p3").get("label_available_at")).isEqualTo(later);
    assertThat(rows.get("p2").get("is_fraud"))
        .isEqualTo(true); // the fraud chargeback, not the first
    assertThat(rows.get("p2").get("fraud_scenario")).isEqualTo("S2");
    assertThat(rows.get("p2").get("label_available_at"))
        .isEqualTo(at("08:00").plus(Duration.ofDays(20)));
  }
}
