package dev.frip.core;

import static dev.frip.core.TestEvents.DAY;
import static dev.frip.core.TestEvents.HOUR;
import static dev.frip.core.TestEvents.MIN;
import static dev.frip.core.TestEvents.T0;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.frip.core.events.PaymentEvent;
import dev.frip.core.events.RefundType;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

/** Each feature's definition, checked on small hand-made histories through the online store. */
class FeatureDefinitionsTest {

  private final FeatureStore store =
      FeatureStore.inMemory()
          .clock(Clock.fixed(Instant.parse("2030-01-01T00:00:00Z"), ZoneOffset.UTC))
          .build();

  private double feature(PaymentEvent p, String name) {
    return store.vector(p)[FeatureCatalog.indexOf(name)];
  }

  private PaymentEvent pay(long t, long amount) {
    PaymentEvent p = TestEvents.payment("alice", t, amount).build();
    store.observe(p);
    return p;
  }

  @Test
  void countWindowsIncludeTheCurrentPaymentAndAreOpenAtTheirStart() {
    long t = T0 + 40 * DAY;
    pay(t - 31 * DAY, 100);
    pay(t - 29 * DAY, 100);
    pay(t - 3 * DAY, 100);
    pay(t - 2 * HOUR, 100);
    pay(t - 10 * MIN, 100); // exactly 10 min before: outside (t - 10m, t]
    pay(t - 10 * MIN + 1, 100);
    PaymentEvent now = pay(t, 100);

    assertThat(feature(now, "user_txn_count_10m")).isEqualTo(2);
    assertThat(feature(now, "user_txn_count_1h")).isEqualTo(3);
    assertThat(feature(now, "user_txn_count_24h")).isEqualTo(4);
    assertThat(feature(now, "user_txn_count_7d")).isEqualTo(5);
    assertThat(feature(now, "user_txn_count_30d")).isEqualTo(6);
  }

  @Test
  void sumsAndAveragesAreInMajorUnits() {
    long t = T0 + 10 * DAY;
    pay(t - 2 * DAY, 3000);
    pay(t - 2 * HOUR, 1000);
    PaymentEvent now = pay(t, 2050);

    assertThat(feature(now, "amount")).isEqualTo(20.50);
    assertThat(feature(now, "user_amount_sum_1h")).isEqualTo(20.50);
    assertThat(feature(now, "user_amount_sum_24h")).isEqualTo(30.50);
    assertThat(feature(now, "user_amount_sum_7d")).isEqualTo(60.50);
    assertThat(feature(now, "user_amount_avg_24h")).isEqualTo(15.25);
    assertThat(feature(now, "user_amount_avg_7d")).isCloseTo(60.50 / 3, within(1e-12));
  }

  @Test
  void zScoreComparesWithThePriorPaymentsOnly() {
    long t = T0 + 10 * DAY;
    PaymentEvent first = pay(t - 3 * HOUR, 1000);
    PaymentEvent second = pay(t - 2 * HOUR, 3000);
    PaymentEvent now = pay(t, 5000);

    assertThat(feature(first, "user_amount_zscore")).isNaN();
    assertThat(feature(second, "user_amount_zscore")).isNaN();
    // prior amounts 1000, 3000: mean 2000, population std 1000
    assertThat(feature(now, "user_amount_zscore")).isCloseTo(3.0, within(1e-12));
  }

  @Test
  void secondsSinceLastTransactionIsNanForTheFirst() {
    PaymentEvent first = pay(T0, 100);
    PaymentEvent second = pay(T0 + 90_500, 100);

    assertThat(feature(first, "seconds_since_last_txn")).isNaN();
    assertThat(feature(second, "seconds_since_last_txn")).isEqualTo(90.5);
  }

  @Test
  void distinctCountsCoverTheirWindowsAndAllEventTypes() {
    long t = T0 + 20 * DAY;
    store.observe(TestEvents.payment("alice", t - 8 * DAY, 100).setMerchantId("m3").build());
    store.observe(TestEvents.payment("alice", t - 2 * DAY, 100).setMerchantId("m2").build());
    store.observe(TestEvents.geo("alice", t - 2 * HOUR, 48.8, 2.3, "ES"));
    store.observe(TestEvents.device("alice", t - HOUR, "phone", "1.1.1.1", "DE"));
    PaymentEvent now =
        TestEvents.payment("alice", t, 100).setDeviceId("laptop").setIp("2.2.2.2").build();
    store.observe(now);

    assertThat(feature(now, "user_distinct_merchants_24h")).isEqualTo(1);
    assertThat(feature(now, "user_distinct_merchants_7d")).isEqualTo(2);
    assertThat(feature(now, "user_distinct_devices_24h")).isEqualTo(3); // laptop, phone, geo's
    assertThat(feature(now, "user_distinct_countries_24h")).isEqualTo(3); // FR, DE, ES
    assertThat(feature(now, "user_distinct_ips_24h")).isEqualTo(2);
    assertThat(feature(now, "user_distinct_ips_7d")).isEqualTo(2);
  }

  @Test
  void newDeviceAndNewCountryLookThirtyDaysBack() {
    long t = T0 + 40 * DAY;
    store.observe(TestEvents.device("alice", t - 31 * DAY, "old", "1.1.1.1", "DE"));
    store.observe(TestEvents.device("alice", t - 2 * DAY, "phone", "1.1.1.1", "FR"));
    PaymentEvent known = TestEvents.payment("alice", t, 100).setDeviceId("phone").build();
    PaymentEvent stale =
        TestEvents.payment("alice", t, 100).setDeviceId("old").setCountry("DE").build();
    PaymentEvent none = TestEvents.payment("alice", t, 100).build();

    assertThat(feature(known, "new_device")).isEqualTo(0);
    assertThat(feature(known, "new_country")).isEqualTo(0);
    assertThat(feature(stale, "new_device")).isEqualTo(1);
    assertThat(feature(stale, "new_country")).isEqualTo(1);
    assertThat(feature(none, "new_device")).isNaN();
  }

  @Test
  void geoVelocityFlagsImpossibleTravel() {
    store.observe(TestEvents.geo("alice", T0, 48.8566, 2.3522, "FR")); // Paris
    PaymentEvent newYork =
        TestEvents.payment("alice", T0 + HOUR, 100).setLat(40.7128).setLon(-74.0060).build();
    PaymentEvent noLocation = TestEvents.payment("alice", T0 + HOUR, 100).build();

    // Paris to New York is about 5,837 km: in one hour, about 5,837 km/h
    assertThat(feature(newYork, "geo_velocity_kmh")).isCloseTo(5837, within(10.0));
    assertThat(feature(noLocation, "geo_velocity_kmh")).isNaN();
  }

  @Test
  void refundRatioCountsMerchantRefundsNotChargebacks() {
    long t = T0 + 5 * DAY;
    PaymentEvent a = pay(t - 3 * DAY, 100);
    PaymentEvent b = pay(t - 2 * DAY, 100);
    store.observe(TestEvents.refund("alice", t - DAY, a, RefundType.REFUND, null));
    ObserveResult chargeback =
        store.observe(TestEvents.refund("alice", t - DAY, b, RefundType.CHARGEBACK, "S1"));
    PaymentEvent now = pay(t, 100);

    assertThat(chargeback).isEqualTo(ObserveResult.IGNORED);
    assertThat(feature(now, "refund_ratio_30d")).isCloseTo(1.0 / 3, within(1e-12));
  }

  @Test
  void timeOfDayFeaturesUseUtcAndTheHandbookNightRule() {
    PaymentEvent mondaySixFiftyNine = pay(T0 + 6 * HOUR + 59 * MIN, 100);
    PaymentEvent mondaySeven = pay(T0 + 7 * HOUR, 100);
    PaymentEvent saturdayNoon = pay(T0 + 5 * DAY + 12 * HOUR, 100);

    assertThat(feature(mondaySixFiftyNine, "hour_of_day")).isEqualTo(6);
    assertThat(feature(mondaySixFiftyNine, "is_night")).isEqualTo(1);
    assertThat(feature(mondaySeven, "is_night")).isEqualTo(0);
    assertThat(feature(mondaySeven, "is_weekend")).isEqualTo(0);
    assertThat(feature(saturdayNoon, "is_weekend")).isEqualTo(1);
    assertThat(feature(saturdayNoon, "hour_of_day")).isEqualTo(12);
  }

  @Test
  void aPaymentCountsInItsOwnWindowsWhetherObservedOrNot() {
    pay(T0, 100);
    PaymentEvent next = TestEvents.payment("alice", T0 + MIN, 200).build();
    double[] before = store.vector(next);
    store.observe(next);

    assertThat(store.vector(next)).containsExactly(before);
    assertThat(before[FeatureCatalog.indexOf("user_txn_count_10m")]).isEqualTo(2);
  }

  @Test
  void batchFeaturesComeFromTheTableOfThePaymentsDay() {
    LocalDate day = LocalDate.of(2026, 3, 2);
    store.loadBatchFeatures(
        BatchFeatures.builder()
            .day(day)
            .terminalRisk("T1", 0.25, 0.125)
            .merchantRisk("m1", 0.5, 0.0625)
            .cardsPerDevice("D1", 3)
            .usersPerIp("9.9.9.9", 7)
            .build());
    PaymentEvent known =
        TestEvents.payment("bob", T0 + HOUR, 100)
            .setTerminalId("T1")
            .setDeviceId("D1")
            .setIp("9.9.9.9")
            .build();
    PaymentEvent unknown =
        TestEvents.payment("bob", T0 + HOUR, 100).setTerminalId("T2").setDeviceId("D2").build();
    PaymentEvent dayBefore = TestEvents.payment("bob", T0 - HOUR, 100).setTerminalId("T1").build();

    double[] v = store.vector(known);
    int b = FeatureCatalog.indexOf("terminal_risk_7d");
    assertThat(v).containsSequence(0.25, 0.125, 0.5, 0.0625, 3, 7);
    assertThat(b).isEqualTo(FeatureCatalog.BATCH_IDX);
    double[] u = store.vector(unknown);
    assertThat(u[b]).isZero(); // a terminal without payments in the window: risk 0
    assertThat(u[FeatureCatalog.indexOf("users_per_ip_30d")]).isNaN(); // no IP
    assertThat(store.vector(dayBefore)[b]).isNaN(); // no table for that day
  }
}
