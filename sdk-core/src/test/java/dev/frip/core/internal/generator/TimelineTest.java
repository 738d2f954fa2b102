package dev.frip.core.internal.generator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.frip.core.GeneratedEvent;
import dev.frip.core.Topics;
import dev.frip.core.events.PaymentEvent;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The time ordering machinery and the random helpers. */
class TimelineTest {

  private static final long DAY_MS = 86_400_000L;

  @Test
  void anEventBeforeTheOpenDayIsAGeneratorBug() {
    Timeline tl = new Timeline(0, 1, new Tally(3));
    tl.openDay(2);
    assertThat(tl.dayStart(2)).isEqualTo(2 * DAY_MS);
    PaymentEvent p = new PaymentEvent();
    assertThatThrownBy(() -> tl.add(Topics.PAYMENTS, "u1", p, DAY_MS))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("before the current day");
  }

  @Test
  void eventsTimedLaterWaitAndTiesKeepCreationOrder() {
    Timeline tl = new Timeline(0, 1, new Tally(3));
    tl.openDay(0);
    PaymentEvent p = new PaymentEvent();
    tl.add(Topics.PAYMENTS, "later", p, DAY_MS + 5);
    tl.add(Topics.PAYMENTS, "b", p, 10);
    tl.add(Topics.PAYMENTS, "a", p, 5);
    tl.add(Topics.PAYMENTS, "c", p, 10);
    tl.sealDay();
    assertThat(tl.poll().key()).isEqualTo("a");
    assertThat(tl.poll().key()).isEqualTo("b");
    assertThat(tl.poll().key()).isEqualTo("c");
    assertThat(tl.poll()).isNull();
    assertThat(tl.pendingLater()).isEqualTo(1);
    tl.openDay(1);
    tl.add(Topics.PAYMENTS, "same-time-today", p, DAY_MS + 5);
    tl.sealDay();
    assertThat(tl.poll().key()).isEqualTo("later");
    assertThat(tl.poll().key()).isEqualTo("same-time-today");
    tl.drain();
    assertThat(tl.poll()).isNull();
  }

  @Test
  void seedsAreStableAndPoissonMeansHold() {
    assertThat(Seeds.derive(1, 2, 3, 4))
        .isEqualTo(Seeds.derive(1, 2, 3, 4))
        .isNotEqualTo(Seeds.derive(1, 2, 4, 3));
    java.util.SplittableRandom r = new java.util.SplittableRandom(1);
    long small = 0;
    long large = 0;
    for (int i = 0; i < 20_000; i++) {
      small += Seeds.poisson(r, 2.0);
      large += Seeds.poisson(r, 100.0);
    }
    assertThat(small / 20_000.0).isBetween(1.95, 2.05);
    assertThat(large / 20_000.0).isBetween(99.5, 100.5);
    assertThat(Seeds.poisson(r, 0)).isZero();
  }

  @Test
  void aLargeDayIsSortedByTimeWithTiesInCreationOrder() {
    Timeline tl = new Timeline(0, 1, new Tally(3));
    tl.openDay(1);
    PaymentEvent p = new PaymentEvent();
    SplittableRandom r = new SplittableRandom(3);
    int n = 50_000;
    for (int i = 0; i < n; i++) {
      // Few distinct times, so many ties: the key says when, the creation number breaks ties.
      long at = DAY_MS + r.nextInt(2_000) * 43_000L + r.nextInt(3);
      tl.add(Topics.PAYMENTS, Integer.toString(i), p, at);
    }
    tl.sealDay();
    long lastTime = -1;
    int lastCreated = -1;
    for (int i = 0; i < n; i++) {
      GeneratedEvent e = tl.poll();
      int created = Integer.parseInt(e.key());
      assertThat(e.eventTime()).isGreaterThanOrEqualTo(lastTime);
      if (e.eventTime() == lastTime) {
        assertThat(created).isGreaterThan(lastCreated);
      }
      lastTime = e.eventTime();
      lastCreated = created;
    }
    assertThat(tl.poll()).isNull();
  }
}
