package dev.frip.core.internal.features;

import static org.assertj.core.api.Assertions.assertThat;

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
  void eventsBeyondTheHorizonAreDroppedSoTheBufferStaysBounded() {
    UserEvents e = new UserEvents();
    for (int d = 0; d < 365; d++) { // a payment a day for a year
      add(e, d * DAY, d, 1024);
    }

    assertThat(e.size()).isBetween(30, 32);
    assertThat(e.retainedBytes()).isLessThan(40 + 16 + 4L * 12 * 64 + 1);
    assertThat(e.droppedForCapacity()).isZero();
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
}
