package dev.frip.core;

import static dev.frip.core.TestEvents.DAY;
import static dev.frip.core.TestEvents.HOUR;
import static dev.frip.core.TestEvents.MIN;
import static dev.frip.core.TestEvents.T0;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.frip.core.events.GeoEvent;
import dev.frip.core.events.PaymentEvent;
import dev.frip.core.events.RefundEvent;
import dev.frip.core.events.RefundType;
import dev.frip.core.internal.features.UserEvents;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.avro.specific.SpecificRecord;
import org.junit.jupiter.api.Test;

/** The online store: lateness, bad input, bounded memory, snapshots. */
class FeatureStoreTest {

  private static final Clock NOW =
      Clock.fixed(Instant.ofEpochMilli(T0 + 400 * DAY), ZoneOffset.UTC);

  private static FeatureStore.Builder builder() {
    return FeatureStore.inMemory().clock(NOW).allowedLateness(Duration.ofMinutes(5));
  }

  /** A clock tests move by hand. */
  private static final class MovableClock extends Clock {
    long millis = T0;

    @Override
    public ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
      return this;
    }

    @Override
    public long millis() {
      return millis;
    }

    @Override
    public Instant instant() {
      return Instant.ofEpochMilli(millis);
    }
  }

  @Test
  void outOfOrderEventsWithinLatenessGiveTheInOrderVector() {
    List<SpecificRecord> inOrder = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      inOrder.add(TestEvents.payment("alice", T0 + i * MIN, 100 + i).build());
      inOrder.add(TestEvents.geo("alice", T0 + i * MIN + 1000, 48 + i, 2, "FR"));
    }
    PaymentEvent probe =
        TestEvents.payment("alice", T0 + 6 * MIN, 999).setLat(50.0).setLon(2.0).build();
    List<SpecificRecord> reversed = new ArrayList<>(inOrder);
    java.util.Collections.reverse(reversed); // spans 5 min 1 s: all within 6 min lateness
    FeatureStore sorted = builder().allowedLateness(Duration.ofMinutes(6)).build();
    FeatureStore shuffled = builder().allowedLateness(Duration.ofMinutes(6)).build();

    inOrder.forEach(sorted::observe);
    reversed.forEach(shuffled::observe);

    assertThat(shuffled.outcomeCounts().get(ObserveResult.ACCEPTED)).isEqualTo(12);
    assertThat(shuffled.vector(probe)).containsExactly(sorted.vector(probe));
  }

  @Test
  void vectorAndObserveGivesWhatVectorThenObserveGives() {
    // 40 days of a few users, arriving out of order within the lateness, with some events replayed
    // (duplicates) and some delayed past the lateness (rejected): the fused call and the two calls
    // agree on every payment's vector and every outcome.
    long lateness = 10 * MIN;
    List<SpecificRecord> sorted = RandomWorld.events(7, 4, 40);
    List<SpecificRecord> arrival =
        new ArrayList<>(RandomWorld.shuffledWithin(sorted, lateness, 11));
    java.util.Random r = new java.util.Random(3);
    for (int i = 0; i < arrival.size(); i += 1 + r.nextInt(40)) {
      arrival.add(i + r.nextInt(Math.min(30, arrival.size() - i)), arrival.get(i)); // a replay
    }
    for (int i = 5; i + 200 < arrival.size(); i += 97) {
      arrival.add(i + 200, arrival.remove(i)); // 200 events later: past the lateness, mostly
    }
    FeatureStore separate = builder().allowedLateness(Duration.ofMillis(lateness)).build();
    FeatureStore fused = builder().allowedLateness(Duration.ofMillis(lateness)).build();
    double[] a = new double[FeatureCatalog.size()];
    double[] b = new double[FeatureCatalog.size()];
    int payments = 0;
    for (SpecificRecord e : arrival) {
      if (e instanceof PaymentEvent p) {
        separate.vector(p, a);
        ObserveResult expected = separate.observe(p);
        assertThat(fused.vectorAndObserve(p, b)).as(p.getPaymentId()).isEqualTo(expected);
        assertThat(b).as(p.getPaymentId()).containsExactly(a);
        payments++;
      } else {
        assertThat(fused.observe(e)).isEqualTo(separate.observe(e));
      }
    }

    assertThat(payments).isGreaterThan(500);
    assertThat(fused.outcomeCounts()).isEqualTo(separate.outcomeCounts());
    assertThat(fused.outcomeCounts().get(ObserveResult.DUPLICATE)).isPositive();
    assertThat(fused.outcomeCounts().get(ObserveResult.REJECTED_TOO_LATE)).isPositive();
  }

  @Test
  void vectorAndObserveRefusesWhatVectorRefusesAndCountsRejectedFolds() {
    FeatureStore store = builder().build();
    double[] v = new double[FeatureCatalog.size()];

    assertThatThrownBy(() -> store.vectorAndObserve(TestEvents.payment(" ", T0, 100).build(), v))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("REJECTED_MISSING_KEY");
    PaymentEvent noMerchant = TestEvents.payment("alice", T0, 100).build();
    noMerchant.put("merchant_id", null);
    assertThatThrownBy(() -> store.vectorAndObserve(noMerchant, v))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("REJECTED_MISSING_KEY");
    assertThatThrownBy(() -> store.vectorAndObserve(null, v))
        .isInstanceOf(NullPointerException.class);
    assertThatThrownBy(
            () ->
                store.vectorAndObserve(TestEvents.payment("alice", T0, 100).build(), new double[3]))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("vector buffer has 3 slots");
    assertThat(store.outcomeCounts().values()).allMatch(n -> n == 0);
    assertThat(store.trackedUsers()).isZero();

    // A payment later than the clock allows still has a vector; its fold is refused and counted.
    PaymentEvent future = TestEvents.payment("alice", T0 + 401 * DAY, 100).build();
    assertThat(store.vectorAndObserve(future, v)).isEqualTo(ObserveResult.REJECTED_FUTURE);
    assertThat(v[FeatureCatalog.indexOf("user_txn_count_10m")]).isEqualTo(1);
    assertThat(store.vectorAndObserve(TestEvents.payment("alice", T0, 100).build(), v))
        .isEqualTo(ObserveResult.ACCEPTED);
    assertThat(store.outcomeCounts().get(ObserveResult.REJECTED_FUTURE)).isEqualTo(1);
    assertThat(store.outcomeCounts().get(ObserveResult.ACCEPTED)).isEqualTo(1);
  }

  @Test
  void aBatchGivesWhatEachPaymentGivesAlone() {
    // The same out-of-order stream with replays and late events as above, its payments handed over
    // in batches of 1 to 60 (across the in-process store's look-ahead of 16), with payments that
    // cannot be featurised in between: batch and one-payment calls agree on every vector and
    // outcome; the store's own batch call and the interface's default one alike.
    long lateness = 10 * MIN;
    List<SpecificRecord> arrival =
        new ArrayList<>(RandomWorld.shuffledWithin(RandomWorld.events(5, 6, 40), lateness, 13));
    for (int i = 5; i + 150 < arrival.size(); i += 89) {
      arrival.add(i + 150, arrival.remove(i)); // past the lateness, mostly
    }
    for (int i = 3; i < arrival.size(); i += 71) {
      arrival.add(i, arrival.get(i)); // a replay
    }
    List<PaymentEvent> unusable = new ArrayList<>();
    unusable.add(null);
    unusable.add(TestEvents.payment(" ", T0 + DAY, 100).build());
    PaymentEvent noMerchant = TestEvents.payment("u1", T0 + DAY, 100).build();
    noMerchant.put("merchant_id", null);
    unusable.add(noMerchant);
    PaymentEvent noTime = TestEvents.payment("u2", T0 + DAY, 100).build();
    noTime.put("event_time", null);
    unusable.add(noTime);
    for (int i = 0; i < unusable.size(); i++) {
      arrival.add(40 + 300 * i, unusable.get(i));
    }
    FeatureStore reference = builder().allowedLateness(Duration.ofMillis(lateness)).build();
    FeatureStore inMemory = builder().allowedLateness(Duration.ofMillis(lateness)).build();
    FeatureStore byDefault =
        new Delegating(builder().allowedLateness(Duration.ofMillis(lateness)).build());
    java.util.Random r = new java.util.Random(5);
    double[] expected = new double[FeatureCatalog.size()];
    int payments = 0;
    int batches = 0;
    int i = 0;
    while (i < arrival.size()) {
      if (arrival.get(i) != null && !(arrival.get(i) instanceof PaymentEvent)) {
        ObserveResult o = reference.observe(arrival.get(i));
        assertThat(inMemory.observe(arrival.get(i))).isEqualTo(o);
        assertThat(byDefault.observe(arrival.get(i))).isEqualTo(o);
        i++;
        continue;
      }
      List<PaymentEvent> batch = new ArrayList<>();
      int size = 1 + r.nextInt(60);
      while (i < arrival.size()
          && batch.size() < size
          && (arrival.get(i) == null || arrival.get(i) instanceof PaymentEvent)) {
        batch.add((PaymentEvent) arrival.get(i++));
      }
      double[][] fromStore = new double[batch.size() + 2][FeatureCatalog.size()];
      double[][] fromDefault = new double[batch.size()][FeatureCatalog.size()];
      ObserveResult[] storeOutcomes = new ObserveResult[batch.size()];
      ObserveResult[] defaultOutcomes = new ObserveResult[batch.size() + 1];
      inMemory.vectorAndObserve(batch, fromStore, storeOutcomes);
      byDefault.vectorAndObserve(batch, fromDefault, defaultOutcomes);
      batches++;
      for (int k = 0; k < batch.size(); k++) {
        PaymentEvent p = batch.get(k);
        ObserveResult o;
        if (unusable.contains(p)) {
          java.util.Arrays.fill(expected, Double.NaN);
          o = reference.observe(p);
          assertThat(o.rejected()).isTrue();
        } else {
          o = reference.vectorAndObserve(p, expected);
          payments++;
        }
        String what = p == null ? "null payment" : p.getPaymentId();
        assertThat(storeOutcomes[k]).as(what).isEqualTo(o);
        assertThat(defaultOutcomes[k]).as(what).isEqualTo(o);
        assertThat(fromStore[k]).as(what).containsExactly(expected);
        assertThat(fromDefault[k]).as(what).containsExactly(expected);
      }
      assertThat(defaultOutcomes[batch.size()]).isNull();
    }

    assertThat(payments).isGreaterThan(1000);
    assertThat(batches).isGreaterThan(30);
    Map<ObserveResult, Long> counts = reference.outcomeCounts();
    assertThat(inMemory.outcomeCounts()).isEqualTo(counts);
    assertThat(byDefault.outcomeCounts()).isEqualTo(counts);
    assertThat(counts.get(ObserveResult.DUPLICATE)).isPositive();
    assertThat(counts.get(ObserveResult.REJECTED_TOO_LATE)).isPositive();
    assertThat(counts.get(ObserveResult.REJECTED_MISSING_KEY)).isEqualTo(3);
    assertThat(counts.get(ObserveResult.REJECTED_MISSING_TIME)).isEqualTo(1);
    assertThat(inMemory.trackedUsers()).isEqualTo(reference.trackedUsers());
  }

  @Test
  void aBatchWithBuffersTooShortIsRefusedBeforeAnyFold() {
    FeatureStore store = builder().build();
    List<PaymentEvent> batch =
        List.of(
            TestEvents.payment("alice", T0, 100).build(),
            TestEvents.payment("bob", T0, 100).build());
    double[][] vectors = {new double[FeatureCatalog.size()], new double[FeatureCatalog.size()]};

    assertThatThrownBy(() -> store.vectorAndObserve(batch, vectors, new ObserveResult[1]))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "a batch of 2 payments needs as many vectors and outcomes, got 2 vectors and 1 outcomes");
    assertThatThrownBy(
            () ->
                store.vectorAndObserve(
                    batch, new double[][] {vectors[0], new double[4]}, new ObserveResult[2]))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("vector buffer 1 of the batch has 4 slots");
    assertThatThrownBy(
            () ->
                store.vectorAndObserve(
                    batch, new double[][] {vectors[0], null}, new ObserveResult[2]))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("vector buffer 1 of the batch has no array");
    assertThat(store.outcomeCounts().values()).allMatch(n -> n == 0);
    assertThat(store.trackedUsers()).isZero();

    ObserveResult[] outcomes = new ObserveResult[2];
    store.vectorAndObserve(batch, vectors, outcomes);
    assertThat(outcomes).containsExactly(ObserveResult.ACCEPTED, ObserveResult.ACCEPTED);
    assertThat(store.trackedUsers()).isEqualTo(2);
  }

  @Test
  void eventsOlderThanTheLatenessAreRejectedAndNotFolded() {
    FeatureStore store = builder().build();
    store.observe(TestEvents.payment("alice", T0 + HOUR, 100).build());
    PaymentEvent probe = TestEvents.payment("alice", T0 + HOUR + 1, 100).build();
    double[] before = store.vector(probe);

    ObserveResult late =
        store.observe(TestEvents.payment("alice", T0 + HOUR - 6 * MIN, 100).build());
    ObserveResult onTime =
        store.observe(TestEvents.payment("alice", T0 + HOUR - 4 * MIN, 100).build());

    assertThat(late).isEqualTo(ObserveResult.REJECTED_TOO_LATE);
    assertThat(onTime).isEqualTo(ObserveResult.ACCEPTED);
    assertThat(store.vector(probe)[FeatureCatalog.indexOf("user_txn_count_1h")])
        .isEqualTo(before[FeatureCatalog.indexOf("user_txn_count_1h")] + 1);
    assertThat(store.outcomeCounts().get(ObserveResult.REJECTED_TOO_LATE)).isEqualTo(1);
  }

  @Test
  void anEventStampedAheadOfTheClockDoesNotMakeOnTimeEventsLate() {
    MovableClock clock = new MovableClock();
    clock.millis = T0 + HOUR;
    FeatureStore store = builder().clock(clock).build(); // lateness 5 min, future skew 5 min
    long now = clock.millis;
    assertThat(store.observe(TestEvents.payment("alice", now - MIN, 100).build()))
        .isEqualTo(ObserveResult.ACCEPTED);
    // A phone 4 minutes fast: accepted within the future skew.
    assertThat(store.observe(TestEvents.geo("alice", now + 4 * MIN, 48.1, 11.6, "DE")))
        .isEqualTo(ObserveResult.ACCEPTED);

    PaymentEvent next = TestEvents.payment("alice", now + 1, 100).build();
    int count = FeatureCatalog.indexOf("user_txn_count_1h");
    double before = store.vector(next)[count];
    // 3 minutes late by the clock: within the lateness, though 7 minutes behind the geo fix.
    assertThat(store.observe(TestEvents.payment("alice", now - 3 * MIN, 100).build()))
        .isEqualTo(ObserveResult.ACCEPTED);
    // 6 minutes late by the clock is still too late.
    assertThat(store.observe(TestEvents.payment("alice", now - 6 * MIN, 100).build()))
        .isEqualTo(ObserveResult.REJECTED_TOO_LATE);
    assertThat(store.vector(next)[count]).isEqualTo(before + 1);

    // Once the clock passes the geo fix, lateness is measured from the newest event again.
    clock.millis = now + 10 * MIN;
    assertThat(store.observe(TestEvents.payment("alice", now + 4 * MIN - 6 * MIN, 100).build()))
        .isEqualTo(ObserveResult.REJECTED_TOO_LATE);
    assertThat(store.observe(TestEvents.payment("alice", now + 4 * MIN - 4 * MIN, 100).build()))
        .isEqualTo(ObserveResult.ACCEPTED);
  }

  @Test
  void withAFutureSkewBeyondTheWindowsAnEventTheFutureOneExpiresIsLateNotLost() {
    MovableClock clock = new MovableClock();
    clock.millis = T0 + HOUR;
    FeatureStore store = builder().clock(clock).maximumFutureSkew(Duration.ofDays(60)).build();
    long now = clock.millis;
    assertThat(store.observe(TestEvents.payment("bob", now + 40 * DAY, 100).build()))
        .isEqualTo(ObserveResult.ACCEPTED);
    // 40 days behind the newest event it would be expired at once: refused, and counted.
    assertThat(store.observe(TestEvents.payment("bob", now, 100).build()))
        .isEqualTo(ObserveResult.REJECTED_TOO_LATE);
    assertThat(store.outcomeCounts().get(ObserveResult.REJECTED_TOO_LATE)).isEqualTo(1);
  }

  @Test
  void badInputIsRejectedWithACountedReasonAndNeverFolded() {
    FeatureStore store = builder().build();
    PaymentEvent probe = TestEvents.payment("alice", T0 + DAY, 100).build();
    double[] before = store.vector(probe);
    GeoEvent good = TestEvents.geo("alice", T0, 48, 2, "FR");

    assertThat(store.observe(GeoEvent.newBuilder(good).setUserId(" ").build()))
        .isEqualTo(ObserveResult.REJECTED_MISSING_KEY);
    // A blank user is never held, so neither folding nor reading takes a blank id for a user.
    assertThat(store.observe(TestEvents.payment(" ", T0, 100).build()))
        .isEqualTo(ObserveResult.REJECTED_MISSING_KEY);
    assertThatThrownBy(() -> store.vector(TestEvents.payment("\t", T0, 100).build()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("REJECTED_MISSING_KEY");
    PaymentEvent noUser = TestEvents.payment("alice", T0, 100).build();
    noUser.put("user_id", null);
    assertThat(store.observe(noUser)).isEqualTo(ObserveResult.REJECTED_MISSING_KEY);
    GeoEvent noId = GeoEvent.newBuilder(good).build();
    noId.put("event_id", null);
    assertThat(store.observe(noId)).isEqualTo(ObserveResult.REJECTED_MISSING_KEY);
    PaymentEvent noMerchant = TestEvents.payment("alice", T0, 100).build();
    noMerchant.put("merchant_id", null);
    assertThat(store.observe(noMerchant)).isEqualTo(ObserveResult.REJECTED_MISSING_KEY);
    GeoEvent noTime = GeoEvent.newBuilder(good).build();
    noTime.put("event_time", null);
    assertThat(store.observe(noTime)).isEqualTo(ObserveResult.REJECTED_MISSING_TIME);
    assertThat(store.observe(GeoEvent.newBuilder(good).setEventTime(Instant.EPOCH).build()))
        .isEqualTo(ObserveResult.REJECTED_MISSING_TIME);
    assertThat(store.observe(TestEvents.payment("alice", NOW.millis() + 6 * MIN, 100).build()))
        .isEqualTo(ObserveResult.REJECTED_FUTURE);
    assertThat(store.observe(null)).isEqualTo(ObserveResult.REJECTED_MISSING_KEY);

    Map<ObserveResult, Long> counts = store.outcomeCounts();
    assertThat(counts.get(ObserveResult.REJECTED_MISSING_KEY)).isEqualTo(6);
    assertThat(counts.get(ObserveResult.REJECTED_MISSING_TIME)).isEqualTo(2);
    assertThat(counts.get(ObserveResult.REJECTED_FUTURE)).isEqualTo(1);
    assertThat(counts.get(ObserveResult.ACCEPTED)).isZero();
    assertThat(store.trackedUsers()).isZero();
    assertThat(store.vector(probe)).containsExactly(before);
    assertThat(ObserveResult.REJECTED_FUTURE.rejected()).isTrue();
    assertThat(ObserveResult.DUPLICATE.folded()).isTrue();
  }

  @Test
  void paymentsAndRefundsWithAnAmountOutOfRangeAreRejectedCountedAndNeverFolded() {
    SimpleMeterRegistry meters = new SimpleMeterRegistry();
    FeatureStore store = builder().meterRegistry(meters).build();
    PaymentEvent probe = TestEvents.payment("alice", T0 + HOUR, 100).build();
    double[] before = store.vector(probe);
    PaymentEvent paid = TestEvents.payment("bob", T0, 100).build();
    List<SpecificRecord> bad = new ArrayList<>();
    bad.add(TestEvents.payment("alice", T0, -1).build());
    bad.add(TestEvents.payment("alice", T0 + 1, FeatureCatalog.MAX_AMOUNT_MINOR + 1).build());
    bad.add(TestEvents.payment("alice", T0 + 2, Long.MAX_VALUE / 2).build());
    bad.add(TestEvents.payment("alice", T0 + 3, Long.MAX_VALUE / 2).build());
    bad.add(TestEvents.payment("alice", T0 + 4, Long.MIN_VALUE).build());
    RefundEvent refund = TestEvents.refund("alice", T0 + 5, paid, RefundType.REFUND, null);
    bad.add(RefundEvent.newBuilder(refund).setAmountMinor(-100).build());

    for (SpecificRecord e : bad) {
      assertThat(store.observe(e)).isEqualTo(ObserveResult.REJECTED_INVALID_AMOUNT);
    }

    assertThat(store.outcomeCounts().get(ObserveResult.REJECTED_INVALID_AMOUNT)).isEqualTo(6);
    assertThat(store.outcomeCounts().get(ObserveResult.ACCEPTED)).isZero();
    assertThat(store.trackedUsers()).isZero();
    assertThat(store.vector(probe)).containsExactly(before);
    assertThat(
            meters
                .get("frip.features.events")
                .tag("outcome", "rejected_invalid_amount")
                .functionCounter()
                .count())
        .isEqualTo(6);
    assertThat(ObserveResult.REJECTED_INVALID_AMOUNT.rejected()).isTrue();
    assertThat(ObserveResult.REJECTED_INVALID_AMOUNT.folded()).isFalse();

    // The bounds themselves are valid, and the 1h sum of two of the largest stays exact.
    assertThat(store.observe(TestEvents.payment("alice", T0, 0).build()))
        .isEqualTo(ObserveResult.ACCEPTED);
    assertThat(
            store.observe(
                TestEvents.payment("alice", T0 + 1, FeatureCatalog.MAX_AMOUNT_MINOR).build()))
        .isEqualTo(ObserveResult.ACCEPTED);
    PaymentEvent largest =
        TestEvents.payment("alice", T0 + 2, FeatureCatalog.MAX_AMOUNT_MINOR).build();
    assertThat(store.vector(largest)[FeatureCatalog.indexOf("user_amount_sum_1h")])
        .isEqualTo(2 * FeatureCatalog.MAX_AMOUNT_MINOR / 100.0);
  }

  @Test
  void aPaymentWithAnAmountOutOfRangeHasNoVectorAndTheErrorSaysWhy() {
    FeatureStore store = builder().build();
    PaymentEvent negative = TestEvents.payment("alice", T0, -250).build();
    double[] v = new double[FeatureCatalog.size()];

    assertThatThrownBy(() -> store.vector(negative))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("payment " + negative.getPaymentId())
        .hasMessageContaining("REJECTED_INVALID_AMOUNT")
        .hasMessageContaining("amount_minor -250 is outside [0, 1000000000000]");
    assertThatThrownBy(() -> store.vectorAndObserve(negative, v))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("amount_minor -250");
    assertThat(store.trackedUsers()).isZero();

    // In a batch: a NaN vector and the counted rejection, and the batch goes on.
    PaymentEvent good = TestEvents.payment("alice", T0 + 1, 100).build();
    double[][] out = new double[2][FeatureCatalog.size()];
    ObserveResult[] outcomes = new ObserveResult[2];
    store.vectorAndObserve(List.of(negative, good), out, outcomes);

    assertThat(outcomes)
        .containsExactly(ObserveResult.REJECTED_INVALID_AMOUNT, ObserveResult.ACCEPTED);
    assertThat(out[0]).containsOnly(Double.NaN);
    assertThat(out[1][FeatureCatalog.indexOf("user_txn_count_1h")]).isEqualTo(1);
    assertThat(store.outcomeCounts().get(ObserveResult.REJECTED_INVALID_AMOUNT)).isEqualTo(1);
  }

  @Test
  void aVeryLargeFutureSkewMeansNoLimitNotEveryEventInTheFuture() {
    // clock + skew would overflow to a time before every event: it saturates instead.
    for (Duration skew : List.of(Duration.ofMillis(Long.MAX_VALUE), Duration.ofDays(1L << 40))) {
      FeatureStore store = builder().maximumFutureSkew(skew).build();
      double[] v = new double[FeatureCatalog.size()];

      assertThat(store.observe(TestEvents.payment("alice", T0, 100).build()))
          .as(skew.toString())
          .isEqualTo(ObserveResult.ACCEPTED);
      assertThat(store.observe(TestEvents.geo("alice", NOW.millis() + 1000 * DAY, 48, 2, "FR")))
          .isEqualTo(ObserveResult.ACCEPTED);
      assertThat(store.vectorAndObserve(TestEvents.payment("bob", T0, 100).build(), v))
          .isEqualTo(ObserveResult.ACCEPTED);
      assertThat(store.outcomeCounts().get(ObserveResult.REJECTED_FUTURE)).isZero();
      assertThat(store.outcomeCounts().get(ObserveResult.ACCEPTED)).isEqualTo(3);
    }
    // Longer than a long of milliseconds: the same, not an ArithmeticException.
    FeatureStore longest = builder().maximumFutureSkew(Duration.ofSeconds(Long.MAX_VALUE)).build();
    assertThat(longest.observe(TestEvents.payment("alice", T0, 100).build()))
        .isEqualTo(ObserveResult.ACCEPTED);
  }

  @Test
  void ordersAndUserEventsAreIgnored() {
    FeatureStore store = builder().build();

    assertThat(store.observe(TestEvents.order("alice", T0))).isEqualTo(ObserveResult.IGNORED);
    assertThat(store.trackedUsers()).isZero();
  }

  @Test
  void replayingAnEventIsADuplicateNoOp() {
    FeatureStore store = builder().build();
    PaymentEvent p = TestEvents.payment("alice", T0, 100).build();

    assertThat(store.observe(p)).isEqualTo(ObserveResult.ACCEPTED);
    assertThat(store.observe(p)).isEqualTo(ObserveResult.DUPLICATE);
    assertThat(store.vector(p)[FeatureCatalog.indexOf("user_txn_count_10m")]).isEqualTo(1);
  }

  @Test
  void usersBeyondTheMaximumAreEvicted() {
    FeatureStore store = builder().maximumUsers(100).build();

    for (int u = 0; u < 1000; u++) {
      store.observe(TestEvents.payment("user" + u, T0 + u, 100).build());
    }

    assertThat(store.trackedUsers()).isLessThanOrEqualTo(100);
    assertThat(store.outcomeCounts().get(ObserveResult.ACCEPTED)).isEqualTo(1000);
  }

  @Test
  void idleUsersExpire() {
    MovableClock clock = new MovableClock();
    FeatureStore store =
        FeatureStore.inMemory().clock(clock).expireAfterIdle(Duration.ofHours(1)).build();
    store.observe(TestEvents.payment("alice", T0, 100).build());
    assertThat(store.trackedUsers()).isEqualTo(1);

    clock.millis += 2 * HOUR;

    assertThat(store.trackedUsers()).isZero();
  }

  @Test
  void readsDoNotKeepAnIdleUserAlive() {
    MovableClock clock = new MovableClock();
    FeatureStore store =
        FeatureStore.inMemory().clock(clock).expireAfterIdle(Duration.ofHours(1)).build();
    store.observe(TestEvents.payment("alice", T0, 100).build());
    clock.millis += 50 * 60_000L;
    store.vector(TestEvents.payment("alice", T0 + 1000, 100).build());
    assertThat(store.trackedUsers()).isEqualTo(1);

    clock.millis += 20 * 60_000L; // 70 minutes after alice's last event, 20 after the read

    assertThat(store.trackedUsers()).isZero();
  }

  @Test
  void aUserBeyondTheEventCapKeepsTheNewestEvents() {
    FeatureStore store = builder().maximumEventsPerUser(8).build();
    for (int i = 0; i < 20; i++) {
      store.observe(TestEvents.payment("alice", T0 + i * 1000, 100).build());
    }
    PaymentEvent probe = TestEvents.payment("alice", T0 + 20_000, 100).build();

    assertThat(store.vector(probe)[FeatureCatalog.indexOf("user_txn_count_10m")]).isEqualTo(9);
  }

  @Test
  void restoreFromASnapshotGivesTheSameVectorsAndTheRecordedOffsets() throws IOException {
    FeatureStore store = builder().build();
    List<SpecificRecord> world = RandomWorld.events(3, 20, 5);
    world.forEach(store::observe);
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    store.snapshot(bytes, Map.of("payments-0", 120L, "geo_events-3", 7L));

    FeatureStore restored = builder().build();
    Map<String, Long> offsets = restored.restore(new ByteArrayInputStream(bytes.toByteArray()));

    assertThat(offsets)
        .containsExactlyInAnyOrderEntriesOf(Map.of("payments-0", 120L, "geo_events-3", 7L));
    assertThat(restored.trackedUsers()).isEqualTo(store.trackedUsers());
    for (SpecificRecord e : world) {
      if (e instanceof PaymentEvent p) {
        assertThat(restored.vector(p)).as(p.getPaymentId()).containsExactly(store.vector(p));
      }
    }
    // Replaying from older offsets after a restore is harmless: the events are duplicates.
    PaymentEvent last = null;
    for (SpecificRecord e : world) {
      last = e instanceof PaymentEvent p ? p : last;
    }
    assertThat(restored.observe(last)).isEqualTo(ObserveResult.DUPLICATE);
  }

  @Test
  void restoreRefusesAStreamThatIsNoSnapshot() {
    FeatureStore store = builder().build();

    assertThatThrownBy(
            () -> store.restore(new ByteArrayInputStream(new byte[] {1, 2, 3, 4, 5, 6, 7, 8})))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("not a FRIP feature-store snapshot");
  }

  @Test
  void everyTruncationOfASnapshotIsAnIOExceptionAndChangesNothing() throws IOException {
    FeatureStore source = builder().build();
    RandomWorld.events(3, 3, 2).forEach(source::observe);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    source.snapshot(out, Map.of("payments-0", 120L));
    byte[] bytes = out.toByteArray();
    FeatureStore store = builder().build();
    PaymentEvent probe = TestEvents.payment("alice", T0 + HOUR, 100).build();
    store.observe(TestEvents.payment("alice", T0, 250).build());
    double[] before = store.vector(probe);

    for (int length = 0; length < bytes.length; length++) {
      byte[] prefix = java.util.Arrays.copyOf(bytes, length);
      assertThatThrownBy(() -> store.restore(new ByteArrayInputStream(prefix)))
          .as("the first %d of %d bytes", length, bytes.length)
          .isInstanceOf(IOException.class)
          .hasMessageContaining("snapshot is truncated: it ends at byte " + length + " inside ");
      assertThat(store.trackedUsers()).as("users after %d bytes", length).isEqualTo(1);
    }
    assertThat(store.vector(probe)).containsExactly(before);
    assertThat(store.restore(new ByteArrayInputStream(bytes))).containsEntry("payments-0", 120L);
    assertThat(store.trackedUsers()).isEqualTo(1 + source.trackedUsers());
  }

  @Test
  void aCorruptSnapshotIsAnIOExceptionNamingUserAndOffsetAndChangesNothing() throws IOException {
    FeatureStore store = builder().build();
    PaymentEvent probe = TestEvents.payment("alice", T0 + HOUR, 100).build();
    store.observe(TestEvents.payment("alice", T0, 250).build());
    double[] before = store.vector(probe);
    long[][] good = {{T0, 100}, {T0 + MIN, 200}};
    // bob's record is fine and comes first: it must not be restored either.
    Map<String, SnapshotWriter> corrupt = new java.util.LinkedHashMap<>();
    corrupt.put(
        "user 'carol' (record 1): events length -12 is not a non-negative multiple of 12",
        new SnapshotWriter().user("bob", good).user("carol", T0, 0, -12, good));
    corrupt.put(
        "user 'carol' (record 1): events length 13 is not",
        new SnapshotWriter().user("bob", good).user("carol", T0, 0, 13, good));
    corrupt.put(
        "snapshot is truncated: it ends at byte", // a length far beyond the bytes: no huge array
        new SnapshotWriter().user("bob", good).user("carol", T0, 0, Integer.MAX_VALUE - 7, good));
    corrupt.put(
        "user 'carol' (record 1): event 1: amount_minor -5 is outside [0, 1000000000000]",
        new SnapshotWriter().user("bob", good).user("carol", new long[][] {{T0, 1}, {T0 + 1, -5}}));
    corrupt.put(
        "user 'carol' (record 1): event 1 at " + T0 + " sorts before event 0 at " + (T0 + MIN),
        new SnapshotWriter().user("bob", good).user("carol", new long[][] {good[1], good[0]}));
    corrupt.put(
        "user 'carol' (record 1): event 0: time 0 is not positive",
        new SnapshotWriter().user("bob", good).user("carol", new long[][] {{0, 1}}));
    corrupt.put(
        "user 'carol' (record 1): newest time " + T0 + " is before event 1",
        new SnapshotWriter().user("bob", good).user("carol", T0, 0, 2 * 12, good));
    corrupt.put(
        "user 'carol' (record 1): events dropped for capacity -1 is negative",
        new SnapshotWriter().user("bob", good).user("carol", T0 + MIN, -1, 2 * 12, good));
    corrupt.put(
        "user 'bob' (record 1): recorded twice",
        new SnapshotWriter().user("bob", good).user("bob", good));
    corrupt.put(
        "user ' ' (record 1): blank user id",
        new SnapshotWriter().user("bob", good).user(" ", good));
    corrupt.put(
        "record marker 7 after 1 users, must be 0 or 1",
        new SnapshotWriter().user("bob", good).marker(7));
    corrupt.put("offset count -1 is negative", new SnapshotWriter(-1));

    for (Map.Entry<String, SnapshotWriter> c : corrupt.entrySet()) {
      byte[] bytes = c.getValue().end();
      assertThatThrownBy(() -> store.restore(new ByteArrayInputStream(bytes)))
          .isInstanceOf(IOException.class)
          .hasMessageContaining(c.getKey())
          .hasMessageMatching("(?s).*(corrupt snapshot at byte \\d+|truncated).*");
      assertThat(store.trackedUsers()).as(c.getKey()).isEqualTo(1);
      assertThat(store.vector(probe)).as(c.getKey()).containsExactly(before);
    }
    // The same writer makes a snapshot that restores.
    store.restore(
        new ByteArrayInputStream(new SnapshotWriter().user("bob", good).user("carol", good).end()));
    assertThat(store.trackedUsers()).isEqualTo(3);
    PaymentEvent bobs = TestEvents.payment("bob", T0 + 2 * MIN, 300).build();
    assertThat(store.vector(bobs)[FeatureCatalog.indexOf("user_amount_sum_1h")]).isEqualTo(6.0);
  }

  /** Writes the snapshot format by hand, to corrupt it on purpose. */
  private static final class SnapshotWriter {
    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    private final java.io.DataOutputStream out = new java.io.DataOutputStream(bytes);

    SnapshotWriter() {
      this(0);
    }

    SnapshotWriter(int offsets) {
      try {
        out.writeInt(0x4652_4653);
        out.writeInt(1);
        out.writeUTF(FeatureCatalog.VERSION);
        out.writeInt(offsets);
      } catch (IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
    }

    /** A user with payments of {time, amount}, its newest time the last one's. */
    SnapshotWriter user(String id, long[][] payments) {
      return user(id, payments[payments.length - 1][0], 0, payments.length * 12, payments);
    }

    SnapshotWriter user(String id, long maxTime, long dropped, int length, long[][] payments) {
      try {
        out.writeBoolean(true);
        out.writeUTF(id);
        out.writeLong(maxTime);
        out.writeLong(dropped);
        out.writeInt(length);
        for (int i = 0; i < payments.length; i++) {
          long time = payments[i][0];
          long amount = payments[i][1];
          int flags = UserEvents.KIND_PAYMENT | UserEvents.HAS_MERCHANT | UserEvents.HAS_COUNTRY;
          int[] row = {
            (int) (time >>> 32),
            (int) time,
            i,
            flags,
            (int) (amount >>> 32),
            (int) amount,
            1,
            0,
            2,
            0,
            0,
            0
          };
          for (int v : row) {
            out.writeInt(v);
          }
        }
      } catch (IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
      return this;
    }

    SnapshotWriter marker(int marker) {
      bytes.write(marker);
      return this;
    }

    byte[] end() {
      byte[] b = bytes.toByteArray();
      b = java.util.Arrays.copyOf(b, b.length + 1); // the end marker, false
      return b;
    }
  }

  @Test
  void vectorNamesWhatIsWrongWithAnUnusablePayment() {
    FeatureStore store = builder().build();
    PaymentEvent noUser = TestEvents.payment("alice", T0, 100).build();
    noUser.put("user_id", null);

    assertThatThrownBy(() -> store.vector(noUser))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("REJECTED_MISSING_KEY");
    assertThatThrownBy(() -> store.vector(TestEvents.payment("a", T0, 1).build(), new double[3]))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("needs " + FeatureCatalog.size());
  }

  @Test
  void builderRejectsNonsenseAtOnce() {
    assertThatThrownBy(() -> FeatureStore.inMemory().maximumUsers(0))
        .hasMessageContaining("maximumUsers was 0");
    assertThatThrownBy(() -> FeatureStore.inMemory().allowedLateness(Duration.ofSeconds(-1)))
        .hasMessageContaining("allowedLateness was PT-1S");
    assertThatThrownBy(() -> FeatureStore.inMemory().expireAfterIdle(Duration.ZERO))
        .hasMessageContaining("expireAfterIdle was PT0S");
    assertThatThrownBy(() -> FeatureStore.inMemory().maximumFutureSkew(Duration.ofSeconds(-1)))
        .hasMessageContaining("maximumFutureSkew");
    assertThatThrownBy(() -> FeatureStore.inMemory().maximumEventsPerUser(2))
        .hasMessageContaining("maximumEventsPerUser was 2");
  }

  @Test
  void outcomesAndUsersArePublishedAsMetrics() {
    SimpleMeterRegistry meters = new SimpleMeterRegistry();
    FeatureStore store = builder().meterRegistry(meters).build();
    store.observe(TestEvents.payment("alice", T0, 100).build());
    store.observe(TestEvents.payment("alice", T0 + HOUR, 100).build());
    store.observe(TestEvents.payment("alice", T0, 100).build()); // now too late

    assertThat(
            meters.get("frip.features.events").tag("outcome", "accepted").functionCounter().count())
        .isEqualTo(2);
    assertThat(
            meters
                .get("frip.features.events")
                .tag("outcome", "rejected_too_late")
                .functionCounter()
                .count())
        .isEqualTo(1);
    assertThat(meters.get("frip.features.users").gauge().value()).isEqualTo(1);
  }

  @Test
  void concurrentWritersToOneUserLoseNothing() throws InterruptedException {
    FeatureStore store = builder().allowedLateness(Duration.ofHours(1)).build();
    Thread[] writers = new Thread[4];
    for (int w = 0; w < writers.length; w++) {
      final int offset = w;
      writers[w] =
          new Thread(
              () -> {
                for (int i = 0; i < 200; i++) {
                  store.observe(
                      TestEvents.payment("alice", T0 + (i * 4L + offset) * 1000, 1).build());
                }
              });
      writers[w].start();
    }
    for (Thread t : writers) {
      t.join();
    }
    PaymentEvent probe = TestEvents.payment("alice", T0 + 800_000, 1).build();

    assertThat(store.outcomeCounts().get(ObserveResult.ACCEPTED)).isEqualTo(800);
    assertThat(store.vector(probe)[FeatureCatalog.indexOf("user_txn_count_24h")]).isEqualTo(801);
  }

  @Test
  void theStoreExposesTheCatalogueLayout() {
    FeatureStore store = builder().build();

    assertThat(store.featureNames()).isEqualTo(FeatureCatalog.names());
    assertThat(store.featureVersion()).isEqualTo(FeatureCatalog.VERSION);
  }

  /** A store that implements only the abstract methods, so the interface's defaults run. */
  private static final class Delegating implements FeatureStore {
    private final FeatureStore inner;

    Delegating(FeatureStore inner) {
      this.inner = inner;
    }

    @Override
    public ObserveResult observe(SpecificRecord event) {
      return inner.observe(event);
    }

    @Override
    public void vector(PaymentEvent payment, double[] out) {
      inner.vector(payment, out);
    }

    @Override
    public void loadBatchFeatures(BatchFeatures batch) {
      inner.loadBatchFeatures(batch);
    }

    @Override
    public Map<ObserveResult, Long> outcomeCounts() {
      return inner.outcomeCounts();
    }

    @Override
    public long trackedUsers() {
      return inner.trackedUsers();
    }

    @Override
    public void snapshot(java.io.OutputStream out, Map<String, Long> offsets) throws IOException {
      inner.snapshot(out, offsets);
    }

    @Override
    public Map<String, Long> restore(java.io.InputStream in) throws IOException {
      return inner.restore(in);
    }
  }
}
