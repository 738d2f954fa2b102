package dev.frip.lakehouse;

import static dev.frip.lakehouse.Events.rec;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.frip.core.Topics;
import dev.frip.core.events.Action;
import dev.frip.core.events.FraudScore;
import dev.frip.core.events.PaymentEvent;
import dev.frip.core.events.PaymentStatus;
import dev.frip.core.events.RefundEvent;
import dev.frip.core.events.RefundType;
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
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Bronze to silver to gold on local disk, read back with Delta Kernel. */
class GoldJobTest {

  @TempDir Path dir;

  private static final LocalDate D = LocalDate.parse("2026-02-25");
  private static final Instant T = Instant.parse("2026-02-25T12:00:00Z");
  private static final Clock CLOCK = Clock.fixed(T.plus(Duration.ofDays(30)), ZoneOffset.UTC);

  private Lakehouse pipeline() {
    Lakehouse lake = Lakehouse.local(dir);
    lake.bronzeWriter(Topics.USERS)
        .write(
            List.of(
                rec(Events.user("u1", T.minus(Duration.ofDays(5)), "DE", 52.5, 13.4), 0, 0),
                rec(Events.user("u2", T.minus(Duration.ofDays(5)), "DE", 52.5, 13.4), 1, 0)));
    PaymentEvent p1 = Events.payment("p1", "u1", T, 1000);
    PaymentEvent p2 = Events.payment("p2", "u2", T, 3000);
    PaymentEvent p3 = Events.payment("p3", "u1", T, 500);
    p3.put("status", PaymentStatus.DECLINED);
    PaymentEvent p4 = Events.payment("p4", "u2", T, 10000);
    p4.put("merchant_id", "m2");
    p4.put("currency", "USD");
    lake.bronzeWriter(Topics.PAYMENTS)
        .write(List.of(rec(p1, 0, 0), rec(p2, 1, 0), rec(p3, 0, 1), rec(p4, 1, 1)));
    RefundEvent refund = Events.chargeback("p1", "u1", T.plus(Duration.ofDays(2)), null);
    refund.put("event_id", Events.id("refund-p1"));
    refund.put("refund_type", RefundType.REFUND);
    refund.put("reason", "item_not_received");
    refund.put("amount_minor", 400L);
    RefundEvent cb = Events.chargeback("p2", "u2", T.plus(Duration.ofDays(10)), "S1");
    cb.put("amount_minor", 3000L);
    lake.bronzeWriter(Topics.REFUNDS).write(List.of(rec(refund, 0, 0), rec(cb, 1, 0)));
    assertThat(SilverJob.builder(lake).clock(CLOCK).build().run(D).published()).isTrue();
    return lake;
  }

  private static Map<String, Map<String, Object>> byMerchant(Lakehouse lake, String table) {
    return lake.scan(lake.goldPath(table)).on(D).rows().stream()
        .collect(Collectors.toMap(r -> (String) r.get("merchant_id"), Function.identity()));
  }

  @Test
  void dailyRevenueNetsRefundsAndChargebacksPerMerchantAndCurrency() {
    Lakehouse lake = pipeline();

    GoldResult r = GoldJob.builder(lake).clock(CLOCK).build().run(D);

    assertThat(r.published()).isTrue();
    assertThat(r.tables().get(GoldJob.DAILY_REVENUE).rows()).isEqualTo(2);
    Map<String, Map<String, Object>> rev = byMerchant(lake, GoldJob.DAILY_REVENUE);
    Map<String, Object> m1 = rev.get("m1");
    assertThat(m1.get("currency")).isEqualTo("EUR");
    assertThat(m1.get("payments")).isEqualTo(3L);
    assertThat(m1.get("approved")).isEqualTo(2L);
    assertThat((Double) m1.get("approval_rate")).isCloseTo(2.0 / 3, within(1e-12));
    assertThat(m1.get("gmv_minor")).isEqualTo(4000L);
    assertThat((Double) m1.get("gmv_reporting")).isCloseTo(40.0, within(1e-9));
    assertThat(m1.get("refunds_minor")).isEqualTo(400L);
    assertThat(m1.get("chargebacks_minor")).isEqualTo(3000L);
    assertThat(m1.get("net_revenue_minor")).isEqualTo(600L);
    assertThat((Double) m1.get("net_revenue_reporting")).isCloseTo(6.0, within(1e-9));
    assertThat(m1.get("refund_rate")).isEqualTo(0.5);
    Map<String, Object> m2 = rev.get("m2");
    assertThat(m2.get("currency")).isEqualTo("USD");
    assertThat((Double) m2.get("gmv_reporting")).isCloseTo(92.0, within(1e-9));
    assertThat(m2.get("net_revenue_minor")).isEqualTo(10000L);
  }

  @Test
  void fraudKpisForTheDayAndEachMerchant() {
    Lakehouse lake = pipeline();

    GoldJob.builder(lake).clock(CLOCK).visaThreshold(0.009, 1).build().run(D);

    Map<String, Map<String, Object>> kpis = byMerchant(lake, GoldJob.FRAUD_KPIS);
    assertThat(kpis).containsOnlyKeys("*", "m1", "m2");
    Map<String, Object> all = kpis.get("*");
    assertThat(all.get("transactions")).isEqualTo(3L);
    assertThat(all.get("fraud_transactions")).isEqualTo(1L);
    assertThat((Double) all.get("fraud_rate_count")).isCloseTo(1.0 / 3, within(1e-12));
    assertThat((Double) all.get("amount_reporting")).isCloseTo(132.0, within(1e-9));
    assertThat((Double) all.get("fraud_rate_amount")).isCloseTo(30.0 / 132, within(1e-9));
    assertThat((Double) all.get("fraud_loss_bps")).isCloseTo(30.0 / 132 * 10_000, within(1e-6));
    assertThat(all.get("chargebacks")).isEqualTo(1L);
    assertThat(all.get("visa_threshold_breached")).isEqualTo(true);
    assertThat(all.get("mastercard_threshold_breached")).isEqualTo(false); // needs 100
    assertThat(all.get("scored_transactions")).isEqualTo(0L); // no scores in bronze
    assertThat(all.get("alert_precision")).isNull();
    assertThat(all.get("alert_recall")).isNull();
    assertThat(kpis.get("m2").get("fraud_transactions")).isEqualTo(0L);
  }

  @Test
  void alertPrecisionAndRecallJoinTheFirstScoreOfEachPaymentWithSilverLabels() {
    Lakehouse lake = pipeline();
    Instant late = D.atTime(23, 59, 59, 999_000_000).toInstant(ZoneOffset.UTC);
    FraudScore p1 = Events.score("p1", "u1", T, 0.4, Action.REVIEW, List.of("amount_z"));
    FraudScore p2 = Events.score("p2", "u2", T, 0.9, Action.BLOCK, List.of("new_device"));
    FraudScore p2Replayed = Events.score("p2", "u2", T, 0.1, Action.ALLOW, List.of());
    p2Replayed.put("event_id", Events.id("score-p2-replayed"));
    p2Replayed.put("event_time", T.plusMillis(1)); // the replay happened to score faster
    FraudScore p3 = Events.score("p3", "u1", T, 0.95, Action.BLOCK, List.of()); // declined
    FraudScore p4 = Events.score("p4", "u2", late, 0.01, Action.ALLOW, List.of());
    p4.put("merchant_id", "m2");
    FraudScore yesterday =
        Events.score("p0", "u1", T.minus(Duration.ofDays(1)), 0.9, Action.BLOCK, List.of());
    yesterday.put("event_time", T);
    lake.bronzeWriter(Topics.FRAUD_SCORES)
        .write(
            List.of(
                rec(p1, 0, 0),
                rec(p2, 1, 0),
                rec(p2Replayed, 1, 1),
                rec(p3, 0, 1),
                rec(p4, 1, 2),
                rec(yesterday, 0, 2)));
    assertThat(lake.scan(lake.bronzePath(Topics.FRAUD_SCORES)).on(D.plusDays(1)).count())
        .isEqualTo(1); // p4, scored 2 ms after its payment, just after midnight
    GoldJob job = GoldJob.builder(lake).clock(CLOCK).build();

    job.run(D);
    GoldResult again = job.run(D);

    assertThat(again.published()).isTrue();
    Map<String, Map<String, Object>> kpis = byMerchant(lake, GoldJob.FRAUD_KPIS);
    assertThat(kpis).hasSize(3);
    // Authorized payments of D: p1 (m1, legitimate), p2 (m1, fraud), p4 (m2, legitimate); p3 is
    // declined. First scores: p1 REVIEW, p2 BLOCK (its replayed ALLOW has a later offset, though
    // an earlier event time), p4 ALLOW.
    Map<String, Object> all = kpis.get("*");
    assertThat(all.get("scored_transactions")).isEqualTo(3L);
    assertThat(all.get("alerts")).isEqualTo(2L);
    assertThat(all.get("alerted_frauds")).isEqualTo(1L);
    assertThat(all.get("alert_precision")).isEqualTo(0.5);
    assertThat(all.get("alert_recall")).isEqualTo(1.0);
    Map<String, Object> m2 = kpis.get("m2");
    assertThat(m2.get("scored_transactions")).isEqualTo(1L);
    assertThat(m2.get("alerts")).isEqualTo(0L);
    assertThat(m2.get("alert_precision")).isNull(); // no alerts
    assertThat(m2.get("alert_recall")).isNull(); // no fraud among its scored payments
  }

  @Test
  void merchantRiskTiersMerchantsByFraudAndChargebacks() {
    Lakehouse lake = pipeline();

    GoldJob.builder(lake).clock(CLOCK).build().run(D);

    Map<String, Map<String, Object>> risk = byMerchant(lake, GoldJob.MERCHANT_RISK);
    Map<String, Object> m1 = risk.get("m1");
    assertThat(m1.get("transactions")).isEqualTo(3L);
    assertThat((Double) m1.get("decline_rate")).isCloseTo(1.0 / 3, within(1e-12));
    assertThat(m1.get("fraud_rate")).isEqualTo(0.5);
    assertThat(m1.get("chargebacks")).isEqualTo(1L);
    assertThat(m1.get("distinct_cards")).isEqualTo(2L);
    assertThat((Double) m1.get("avg_amount_reporting")).isCloseTo(20.0, within(1e-9));
    assertThat(m1.get("night_share")).isEqualTo(0.0); // 12:00 UTC is 13:00 in Berlin
    assertThat(m1.get("risk_tier")).isEqualTo("HIGH");
    assertThat(risk.get("m2").get("risk_tier")).isEqualTo("LOW");
  }

  @Test
  void customerMetricsSumEachCustomersDay() {
    Lakehouse lake = pipeline();

    GoldJob.builder(lake).clock(CLOCK).build().run(D);

    Map<String, Map<String, Object>> users =
        lake.scan(lake.goldPath(GoldJob.CUSTOMER_METRICS)).on(D).rows().stream()
            .collect(Collectors.toMap(r -> (String) r.get("user_id"), Function.identity()));
    Map<String, Object> u2 = users.get("u2");
    assertThat(u2.get("transactions")).isEqualTo(2L);
    assertThat(u2.get("approved")).isEqualTo(2L);
    assertThat((Double) u2.get("spend_reporting")).isCloseTo(122.0, within(1e-9));
    assertThat((Double) u2.get("max_amount_reporting")).isCloseTo(92.0, within(1e-9));
    assertThat(u2.get("distinct_merchants")).isEqualTo(2L);
    assertThat(u2.get("fraud_transactions")).isEqualTo(1L);
    assertThat(u2.get("chargebacks")).isEqualTo(1L);
    Map<String, Object> u1 = users.get("u1");
    assertThat(u1.get("transactions")).isEqualTo(2L);
    assertThat(u1.get("approved")).isEqualTo(1L);
    assertThat(u1.get("distinct_countries")).isEqualTo(1L);
  }

  @Test
  void rerunningADateReplacesItsGoldPartitions() {
    Lakehouse lake = pipeline();
    GoldJob job = GoldJob.builder(lake).clock(CLOCK).build();
    job.run(D);
    GoldResult again = job.run(D);
    assertThat(again.published()).isTrue();
    assertThat(lake.scan(lake.goldPath(GoldJob.DAILY_REVENUE)).count()).isEqualTo(2);
    assertThat(lake.scan(lake.goldPath(GoldJob.FRAUD_KPIS)).count()).isEqualTo(3);
  }

  @Test
  void emptyDayPublishesEmptyPartitions() {
    Lakehouse lake = Lakehouse.local(dir);
    GoldResult r = GoldJob.builder(lake).clock(CLOCK).build().run(D);
    assertThat(r.published()).isTrue();
    assertThat(r.tables().get(GoldJob.FRAUD_KPIS).rows()).isZero();
  }

  @Test
  void builderValidatesThresholds() {
    Lakehouse lake = Lakehouse.local(dir);
    assertThatThrownBy(() -> GoldJob.builder(lake).visaThreshold(1.5, 100))
        .hasMessageContaining("Visa threshold ratio was 1.5");
    assertThatThrownBy(() -> GoldJob.builder(lake).mastercardThreshold(0.01, -1))
        .hasMessageContaining("Mastercard minimum chargeback count was -1");
    assertThatThrownBy(() -> GoldJob.builder(lake).chargebackHorizonDays(-2))
        .hasMessageContaining("-2 days");
  }

  private static RefundEvent refundOf(
      String id,
      String payment,
      String user,
      int days,
      long amount,
      String currency,
      RefundType type) {
    RefundEvent r = Events.chargeback(payment, user, T.plus(Duration.ofDays(days)), null);
    r.put("event_id", Events.id(id));
    r.put("refund_type", type);
    r.put("reason", type == RefundType.REFUND ? "item_returned" : "fraud_card_not_present");
    r.put("amount_minor", amount);
    r.put("currency", currency);
    return r;
  }

  @Test
  void refundsOfDeclinedPaymentsInAnotherCurrencyNotPositiveOrBeyondThePaymentAreQuarantined() {
    Lakehouse lake = pipeline(); // p1 (EUR 10.00) refunded 4.00, p2 (EUR 30.00) charged back
    lake.bronzeWriter(Topics.REFUNDS)
        .write(
            List.of(
                rec(refundOf("yen", "p1", "u1", 3, 100, "JPY", RefundType.REFUND), 0, 1),
                rec(refundOf("minus", "p1", "u1", 3, -50, "EUR", RefundType.REFUND), 0, 2),
                rec(refundOf("rest", "p1", "u1", 4, 600, "EUR", RefundType.REFUND), 0, 3),
                rec(refundOf("twice", "p2", "u2", 12, 3000, "EUR", RefundType.CHARGEBACK), 1, 1),
                rec(refundOf("declined", "p3", "u1", 3, 500, "EUR", RefundType.REFUND), 0, 4)));

    GoldResult r = GoldJob.builder(lake).clock(CLOCK).build().run(D);

    assertThat(r.published()).isTrue();
    assertThat(r.refunds()).isEqualTo(new GoldResult.Refunds(7, 3, 4));
    assertThat(r.refunds().reconciles()).isTrue();
    Map<String, Object> m1 = byMerchant(lake, GoldJob.DAILY_REVENUE).get("m1");
    assertThat(m1.get("refunds_minor")).isEqualTo(1000L); // 400 + 600, not the yen nor -50
    assertThat(m1.get("chargebacks_minor")).isEqualTo(3000L); // the first chargeback only
    assertThat(m1.get("net_revenue_minor")).isEqualTo(0L);
    List<Map<String, Object>> refused = lake.scan(lake.quarantinePath("refunds")).on(D).rows();
    assertThat(refused)
        .extracting(q -> (String) q.get("rule"))
        .containsExactlyInAnyOrder(
            "refund(currency = payment's EUR)",
            "refund(amount_minor > 0)",
            "refund(total returned <= payment's 3000)",
            "refund(payment AUTHORIZED, not DECLINED)");
    assertThat(refused)
        .allSatisfy(q -> assertThat((String) q.get("row_json")).contains("\"payment_id\""));
    // A rerun replaces the quarantine partition instead of adding to it.
    GoldJob.builder(lake).clock(CLOCK).build().run(D);
    assertThat(lake.scan(lake.quarantinePath("refunds")).on(D).rows()).hasSize(4);
  }

  /** Attempt {@code n} of a payment of u1: its own event id, the payment id shared. */
  private static PaymentEvent attempt(String payment, int n, PaymentStatus status, long amount) {
    PaymentEvent p = Events.payment(payment, "u1", T.plus(Duration.ofMinutes(n)), amount);
    p.put("event_id", Events.id("pay-" + payment + "-" + n));
    p.put("status", status);
    return p;
  }

  @Test
  void refundsOfAPaymentIdOnTwoSilverRowsAreCheckedAgainstTheAuthorizedOneInEitherOrder() {
    Lakehouse lake = Lakehouse.local(dir);
    lake.bronzeWriter(Topics.USERS)
        .write(
            List.of(rec(Events.user("u1", T.minus(Duration.ofDays(5)), "DE", 52.5, 13.4), 0, 0)));
    // Silver keeps bronze's Kafka order: "retried" declined then authorized, "reversed" the other
    // way round.
    lake.bronzeWriter(Topics.PAYMENTS)
        .write(
            List.of(
                rec(attempt("retried", 1, PaymentStatus.DECLINED, 1000), 0, 0),
                rec(attempt("retried", 2, PaymentStatus.AUTHORIZED, 1000), 0, 1),
                rec(attempt("reversed", 1, PaymentStatus.AUTHORIZED, 2000), 0, 2),
                rec(attempt("reversed", 2, PaymentStatus.DECLINED, 2000), 0, 3)));
    lake.bronzeWriter(Topics.REFUNDS)
        .write(
            List.of(
                rec(refundOf("r-retried", "retried", "u1", 2, 400, "EUR", RefundType.REFUND), 0, 0),
                rec(
                    refundOf("r-reversed", "reversed", "u1", 2, 500, "EUR", RefundType.REFUND),
                    0,
                    1),
                rec(
                    refundOf("cb-retried", "retried", "u1", 9, 600, "EUR", RefundType.CHARGEBACK),
                    0,
                    2)));
    assertThat(SilverJob.builder(lake).clock(CLOCK).build().run(D).published()).isTrue();
    assertThat(lake.scan(lake.silverPath()).count()).isEqualTo(4);

    GoldResult r = GoldJob.builder(lake).clock(CLOCK).build().run(D);

    assertThat(r.published()).isTrue();
    assertThat(r.refunds()).isEqualTo(new GoldResult.Refunds(3, 3, 0));
    assertThat(r.refunds().reconciles()).isTrue();
    Map<String, Object> m1 = byMerchant(lake, GoldJob.DAILY_REVENUE).get("m1");
    assertThat(m1.get("payments")).isEqualTo(4L);
    assertThat(m1.get("approved")).isEqualTo(2L);
    assertThat(m1.get("gmv_minor")).isEqualTo(3000L);
    assertThat(m1.get("refunds_minor")).isEqualTo(900L); // both refunds, each counted once
    assertThat(m1.get("chargebacks_minor")).isEqualTo(600L);
    assertThat(m1.get("net_revenue_minor")).isEqualTo(1500L);
    assertThat(m1.get("refunded_payments")).isEqualTo(2L);
    assertThat(m1.get("refund_rate")).isEqualTo(1.0);
    // The chargeback is the authorized row's, not also the declined attempt's.
    assertThat(lake.scan(lake.goldPath(GoldJob.CUSTOMER_METRICS)).on(D).rows())
        .singleElement()
        .satisfies(u1 -> assertThat(u1.get("chargebacks")).isEqualTo(1L));
  }
}
