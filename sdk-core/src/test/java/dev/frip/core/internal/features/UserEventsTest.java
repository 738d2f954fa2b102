package dev.frip.core.internal.features;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigInteger;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class UserEventsTest {

  private static final long DAY = 86_400_000L;
  private static final long RETENTION = 30 * DAY + 300_000L;

  private static int add(UserEvents e, long time, int id, int maxEvents) {
    return e.insert(
        time, id, UserEvents.KIND_PAYMENT, 100, 1, 2, 3, 4, 1f, 2f, 300_000L, RETENTION, maxEvents);
  }

  @Test
  void warmingWithoutTheLockStaysInsideTheArrayWhileAFoldGrowsAndWrapsTheRing() throws Exception {
    // The batch look-ahead reads buffers that another thread may be folding into: the array it
    // read, head and size may disagree, but every load stays within that array.
    java.util.concurrent.atomic.AtomicReference<UserEvents> current =
        new java.util.concurrent.atomic.AtomicReference<>(new UserEvents());
    java.util.concurrent.atomic.AtomicBoolean done =
        new java.util.concurrent.atomic.AtomicBoolean();
    java.util.concurrent.atomic.AtomicReference<Throwable> failure =
        new java.util.concurrent.atomic.AtomicReference<>();
    long[] warmed = new long[1];
    Thread reader =
        new Thread(
            () -> {
              try {
                while (!done.get()) {
                  UserEvents u = current.get();
                  warmed[0] += 1 + (u.warm(u.rows(), 16) & 0);
                }
              } catch (Throwable t) {
                failure.set(t);
              }
            });
    reader.start();
    UserEvents e = current.get();
    for (int i = 0; i < 300_000; i++) {
      if (i % 64 == 0) { // a fresh buffer every 64 events: it grows from 4 slots to 64 each time
        e = new UserEvents();
        current.set(e);
      }
      synchronized (e) {
        // 64 events 12 hours apart: the ring grows to 64 slots, and the last events expire the
        // first ones (30 days), so its head moves too.
        add(e, (i % 64) * (DAY / 2), i, 1024);
      }
    }
    done.set(true);
    reader.join();

    assertThat(failure.get()).isNull();
    assertThat(warmed[0]).isPositive();
    assertThat(e.warm(e.rows(), 16)).isEqualTo(e.prefetch(e.size(), 16));
  }

  @Test
  void eventsBeyondTheHorizonAreDroppedSoTheBufferStaysBounded() {
    UserEvents e = new UserEvents();
    for (int d = 0; d < 365; d++) { // a payment a day for a year
      add(e, d * DAY, d, 1024);
      // Expired as soon as the newest time passes them, not when the ring fills: days d-30 .. d.
      assertThat(e.size()).isEqualTo(Math.min(d + 1, 31));
      assertThat(e.time(0)).isEqualTo(Math.max(0, d - 30) * DAY);
    }

    assertThat(e.retainedBytes()).isLessThanOrEqualTo(88 + 40 + 48L * 32); // 32 slots
    assertThat(e.droppedForCapacity()).isZero();
  }

  @Test
  void theRingShrinksBackAfterABurstExpiresAndItsTotalsStayExact() {
    UserEvents e = new UserEvents();
    for (int i = 0; i < 1000; i++) { // a burst: 1000 events in 17 minutes
      e.insert(1000L * i, i, flags(i), 100 + i, 1, i, 3, 4, 1f, 2f, 300_000L, RETENTION, 1024);
    }
    assertThat(e.retainedBytes()).isEqualTo(88 + 40 + 48L * 1024);

    UserEvents steady = new UserEvents(); // the same user without the burst
    for (int d = 1; d <= 40; d++) { // then a payment a day: the burst expires on day 31
      for (UserEvents u : new UserEvents[] {e, steady}) {
        u.insert(
            d * DAY, 5000 + d, flags(d), 7L * d, 1, d, 3, 4, 1f, 2f, 300_000L, RETENTION, 1024);
      }
      if (d >= 31) {
        // 31 events: halved while under a quarter full, 1024 -> 64 slots, not back to 32, which
        // would be full at the next insert
        assertThat(e.size()).isEqualTo(31);
        assertThat(e.capacity()).isEqualTo(64);
        assertThat(e.retainedBytes()).isEqualTo(88 + 40 + 48L * 64);
      }
      assertThat(e.capacity()).isLessThanOrEqualTo(1024);
      for (int from = 0; from <= e.size(); from++) {
        assertTotals(e, from, e.size());
        assertTotals(e, 0, from);
      }
    }
    assertThat(e.packed()).isEqualTo(steady.packed());

    for (int d = 50; d <= 400; d += 10) { // quieter still: 3 or 4 events held
      e.insert(d * DAY, 5000 + d, flags(d), 7L * d, 1, d, 3, 4, 1f, 2f, 300_000L, RETENTION, 1024);
      assertTotals(e, 0, e.size());
      assertTotals(e, 1, e.size());
    }
    assertThat(e.size()).isBetween(3, 4);
    assertThat(e.capacity()).isEqualTo(8); // 4 slots would be full with 4
    assertThat(e.retainedBytes()).isEqualTo(88 + 40 + 48L * 8);
    UserEvents restored = UserEvents.restore(e.packed(), e.maxTime(), e.droppedForCapacity());
    assertThat(restored.packed()).isEqualTo(e.packed());
  }

  @Test
  void theCapDropsTheOldestAndCountsIt() {
    UserEvents e = new UserEvents();
    for (int i = 0; i < 10; i++) {
      add(e, 1000L * i, i, 4);
    }

    assertThat(e.size()).isEqualTo(4);
    assertThat(e.time(0)).isEqualTo(6000L);
    assertThat(e.droppedForCapacity()).isEqualTo(6);
  }

  @Test
  void keysOrderByTimeThenIdHashAndEqualKeysAreDuplicates() {
    UserEvents e = new UserEvents();
    add(e, 2000, 5, 16);
    add(e, 1000, 9, 16);
    add(e, 2000, -3, 16);

    assertThat(add(e, 2000, 5, 16)).isEqualTo(UserEvents.DUPLICATE);
    assertThat(e.idHash(0)).isEqualTo(9);
    assertThat(e.idHash(1)).isEqualTo(-3);
    assertThat(e.idHash(2)).isEqualTo(5);
    assertThat(e.lowerBound(2000, 0)).isEqualTo(2);
  }

  @Test
  void aPackedBufferRestoresEqual() {
    UserEvents e = new UserEvents();
    add(e, 1000, 1, 16);
    add(e, 2000, 2, 16);

    UserEvents r = UserEvents.restore(e.packed(), e.maxTime(), e.droppedForCapacity());

    assertThat(r.packed()).isEqualTo(e.packed());
    assertThat(r.maxTime()).isEqualTo(2000);
    assertThat(r.amount(1)).isEqualTo(100);
    assertThat(r.lat(0)).isEqualTo(1f);
  }

  @Test
  void lowerBoundAgreesWithALinearScanForKeysNearAndFarFromTheEnd() {
    Random rnd = new Random(5);
    UserEvents e = new UserEvents();
    for (int i = 0; i < 200; i++) {
      add(e, 1000L * (i / 3), rnd.nextInt(), 1024); // three events per millisecond tick
    }
    for (int probe = 0; probe < 2000; probe++) {
      long time = rnd.nextInt(70_000) - 1000;
      int idHash = probe % 3 == 0 ? Integer.MIN_VALUE : rnd.nextInt();
      int expected = 0;
      while (expected < e.size()
          && (e.time(expected) < time
              || (e.time(expected) == time && e.idHash(expected) < idHash))) {
        expected++;
      }
      assertThat(e.lowerBound(time, idHash)).as("time %d id %d", time, idHash).isEqualTo(expected);
    }
  }

  @Test
  void theRingKeepsEveryEventWithinRetentionSortedAcrossWrapsGrowthAndLateInserts() {
    Random rnd = new Random(11);
    long lateness = 6 * 3_600_000L;
    long retention = 3 * DAY + lateness;
    UserEvents e = new UserEvents();
    java.util.TreeMap<Long, Integer> kept = new java.util.TreeMap<>(); // time -> id, distinct times
    long newest = Long.MIN_VALUE;
    for (int n = 0; n < 3000; n++) {
      // mostly in order, a quarter up to the lateness behind the newest; rates change so the ring
      // grows, wraps and expires at varying positions
      long step = n < 1000 ? 3_600_000L : n < 2000 ? 1_200_000L : 7_200_000L;
      long time =
          newest == Long.MIN_VALUE
              ? DAY
              : rnd.nextInt(4) == 0
                  ? newest - rnd.nextInt((int) lateness)
                  : newest + 1 + rnd.nextInt((int) step);
      if (kept.containsKey(time)) {
        continue;
      }
      int id = rnd.nextInt();
      int flags = flags(id);
      assertThat(
              e.insert(
                  time, id, flags, time * 3, 1, id, 3, 4, 1f, 2f, lateness, retention, 100_000))
          .isEqualTo(UserEvents.INSERTED);
      kept.put(time, id);
      newest = Math.max(newest, time);
      assertThat(
              e.insert(
                  time, id, flags, time * 3, 1, id, 3, 4, 1f, 2f, lateness, retention, 100_000))
          .isEqualTo(UserEvents.DUPLICATE);

      // every event within the retention is held, in order, with its own attributes
      java.util.NavigableMap<Long, Integer> due = kept.tailMap(newest - retention + 1, true);
      int first = e.size() - due.size();
      assertThat(first).isGreaterThanOrEqualTo(0);
      int i = first;
      for (Map.Entry<Long, Integer> d : due.entrySet()) {
        assertThat(e.time(i)).isEqualTo(d.getKey());
        assertThat(e.idHash(i)).isEqualTo(d.getValue());
        assertThat(e.device(i)).isEqualTo(d.getValue());
        assertThat(e.amount(i)).isEqualTo(d.getKey() * 3);
        assertThat(e.flags(i)).isEqualTo(flags(d.getValue()));
        i++;
      }
      for (int j = 1; j < first; j++) {
        assertThat(e.time(j)).isGreaterThan(e.time(j - 1));
      }
      int from = rnd.nextInt(e.size() + 1);
      assertTotals(e, from, from + rnd.nextInt(e.size() - from + 1));
    }
    UserEvents r = UserEvents.restore(e.packed(), e.maxTime(), e.droppedForCapacity());
    assertThat(r.packed()).isEqualTo(e.packed());
    assertThat(e.retainedBytes()).isLessThanOrEqualTo(88 + 40 + 48L * 1024);
  }

  private static int flags(int id) {
    return (id & 3) == 0 ? UserEvents.KIND_REFUND : UserEvents.KIND_PAYMENT | UserEvents.HAS_DEVICE;
  }

  /** {@link UserEvents#totals} against sums of the accessors, in BigInteger. */
  private static void assertTotals(UserEvents e, int from, int end) {
    long payments = 0;
    long refunds = 0;
    long sum = 0;
    BigInteger squares = BigInteger.ZERO;
    for (int i = from; i < end; i++) {
      if ((e.flags(i) & UserEvents.KIND_MASK) == UserEvents.KIND_PAYMENT) {
        payments++;
        sum += e.amount(i);
        squares = squares.add(BigInteger.valueOf(e.amount(i)).pow(2));
      } else {
        refunds++;
      }
    }
    long[] out = new long[UserEvents.TOTALS];
    e.totals(from, end, out);
    assertThat(out[UserEvents.T_PAYMENTS]).as("payments [%d, %d)", from, end).isEqualTo(payments);
    assertThat(out[UserEvents.T_REFUNDS]).isEqualTo(refunds);
    assertThat(out[UserEvents.T_AMOUNT_SUM]).isEqualTo(sum);
    assertThat(
            BigInteger.valueOf(out[UserEvents.T_SQUARES_HI])
                .shiftLeft(64)
                .add(new BigInteger(Long.toUnsignedString(out[UserEvents.T_SQUARES_LO]))))
        .isEqualTo(squares);
  }

  @Test
  void shiftedSquaresAreExactInIntegersThenRoundedOnce() {
    Random rnd = new Random(13);
    for (int k = 0; k < 20_000; k++) {
      int n = 1 + rnd.nextInt(2000);
      long bound = k % 3 == 0 ? 1L << 40 : k % 3 == 1 ? 100_000 : 1L << 50;
      long s = 0;
      BigInteger sq = BigInteger.ZERO;
      long[] amounts = new long[n];
      for (int i = 0; i < n; i++) {
        amounts[i] = (rnd.nextLong() % bound) * (k % 5 == 0 ? 1 : Long.signum(rnd.nextLong()));
        s += amounts[i];
        sq = sq.add(BigInteger.valueOf(amounts[i]).pow(2));
      }
      long b = rnd.nextBoolean() ? amounts[0] : rnd.nextLong() % bound;
      BigInteger expected = BigInteger.ZERO;
      for (long a : amounts) {
        expected = expected.add(BigInteger.valueOf(a - b).pow(2));
      }
      double got =
          FeatureKernel.shiftedSquares(
              n,
              s,
              sq.shiftRight(64).longValue(),
              sq.longValue(), // low 64 bits
              b);
      double want = expected.doubleValue();
      assertThat(Math.abs(got - want))
          .as("n %d b %d", n, b)
          .isLessThanOrEqualTo(2 * Math.ulp(want));
    }
  }

  @Test
  void theArcsineSeriesMatchesMathAsinWhereItIsUsed() {
    Random rnd = new Random(9);
    for (int i = 0; i < 100_000; i++) {
      double x = rnd.nextDouble() * 0x1p-7 * (i % 2 == 0 ? 1 : rnd.nextDouble() * 1e-3);
      assertThat(Math.abs(FeatureKernel.asin(x) - Math.asin(x)))
          .as("asin(%s)", x)
          .isLessThanOrEqualTo(Math.ulp(Math.asin(x)));
    }
    assertThat(FeatureKernel.asin(0)).isZero();
    assertThat(FeatureKernel.asin(0.5)).isEqualTo(Math.asin(0.5));
    assertThat(FeatureKernel.asin(1)).isEqualTo(Math.PI / 2);
  }

  @Test
  void theSineSeriesMatchesMathSinWhereItIsUsed() {
    Random rnd = new Random(11);
    for (int i = 0; i < 100_000; i++) {
      double x = (rnd.nextDouble() * 2 - 1) * 0x1p-4 * (i % 2 == 0 ? 1 : rnd.nextDouble() * 1e-3);
      assertThat(Math.abs(FeatureKernel.sin(x) - Math.sin(x)))
          .as("sin(%s)", x)
          .isLessThanOrEqualTo(Math.ulp(Math.sin(x)));
    }
    assertThat(FeatureKernel.sin(0)).isZero();
    assertThat(FeatureKernel.sin(1)).isEqualTo(Math.sin(1));
  }

  @Test
  void theSpeedMatchesTheTextbookHaversine() {
    Random rnd = new Random(12);
    for (int i = 0; i < 100_000; i++) {
      float lat1 = (float) (rnd.nextDouble() * 170 - 85);
      float lon1 = (float) (rnd.nextDouble() * 360 - 180);
      double spread = i % 3 == 0 ? 180 : i % 3 == 1 ? 1 : 1e-3; // far, regional, same city
      float lat2 =
          (float) Math.max(-89.9, Math.min(89.9, lat1 + (rnd.nextDouble() * 2 - 1) * spread));
      float lon2 = (float) (lon1 + (rnd.nextDouble() * 2 - 1) * spread);
      long ms = 1_000 + rnd.nextInt(86_400_000);
      double p1 = Math.toRadians(lat1);
      double p2 = Math.toRadians(lat2);
      double dl = Math.toRadians((double) lon2 - lon1);
      double h =
          Math.pow(Math.sin((p2 - p1) / 2), 2)
              + Math.cos(p1) * Math.cos(p2) * Math.pow(Math.sin(dl / 2), 2);
      double want = 2 * 6371.0088 * Math.asin(Math.min(1, Math.sqrt(h))) / (ms / 3_600_000.0);
      double got = FeatureKernel.kmPerHour(lat1, lon1, lat2, lon2, ms);
      assertThat(got)
          .as("%s,%s -> %s,%s", lat1, lon1, lat2, lon2)
          .isCloseTo(want, org.assertj.core.data.Offset.offset(1e-9 * want + 1e-12));
    }
    assertThat(FeatureKernel.kmPerHour(48.85f, 2.35f, 48.85f, 2.35f, 60_000)).isZero();
    // Half the circumference in one hour.
    assertThat(FeatureKernel.kmPerHour(0f, 0f, 0f, 180f, 3_600_000))
        .isCloseTo(Math.PI * 6371.0088, org.assertj.core.data.Offset.offset(1e-6));
  }
}
