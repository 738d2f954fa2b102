package dev.frip.core.internal.generator;

import static org.assertj.core.api.Assertions.assertThat;

import dev.frip.core.GeneratedEvent;
import dev.frip.core.GeneratorConfig;
import dev.frip.core.Profile;
import dev.frip.core.events.PaymentEvent;
import org.junit.jupiter.api.Test;

/** Memory depends on what is in flight, not on how many days are generated. */
class WorldStreamMemoryTest {

  private static final long DAY_MS = 86_400_000L;

  @Test
  void aYearOfPlatformEventsKeepsTheWaitingQueueBounded() {
    GeneratorConfig config =
        GeneratorConfig.builder()
            .seed(8)
            .days(365)
            .users(300)
            .merchants(30)
            .terminals(60)
            .fraudRate(0.05)
            .build();
    WorldStream stream = (WorldStream) WorldStream.open(config);
    int[] maxPendingByQuarter = new int[5];
    int maxBuffered = 0;
    long start = config.startDate().toEpochDay() * DAY_MS;
    long payments = 0;
    while (stream.hasNext()) {
      GeneratedEvent e = stream.next();
      int day = (int) ((e.eventTime() - start) / DAY_MS);
      int quarter = Math.min(4, day / 91);
      maxPendingByQuarter[quarter] = Math.max(maxPendingByQuarter[quarter], stream.pendingLater());
      maxBuffered = Math.max(maxBuffered, stream.bufferedToday());
      if (e.value() instanceof PaymentEvent) {
        payments++;
      }
    }
    System.out.printf(
        "365 days, %d payments: max waiting per quarter %s, max day buffer %d%n",
        payments, java.util.Arrays.toString(maxPendingByQuarter), maxBuffered);
    // Chargebacks wait up to 60 days, so the queue fills in the first quarter and then stays flat.
    assertThat(maxPendingByQuarter[3]).isLessThan(2 * maxPendingByQuarter[1]);
    assertThat(stream.maxPendingLater()).isLessThan((int) (payments / 365 * 61));
    assertThat(maxBuffered).isLessThan((int) (payments / 365 * 10));
    assertThat(stream.pendingLater()).isZero();
    stream.close();
  }

  @Test
  void aYearOfHandbookEventsKeepsTheWaitingQueueBounded() {
    GeneratorConfig config =
        GeneratorConfig.builder()
            .profile(Profile.HANDBOOK)
            .seed(8)
            .days(365)
            .users(200)
            .terminals(2_000)
            .build();
    WorldStream stream = (WorldStream) WorldStream.open(config);
    long events = 0;
    long start = config.startDate().toEpochDay() * DAY_MS;
    int[] maxPendingByHalf = new int[3];
    while (stream.hasNext()) {
      GeneratedEvent e = stream.next();
      events++;
      int half = Math.min(2, (int) ((e.eventTime() - start) / DAY_MS) / 183);
      maxPendingByHalf[half] = Math.max(maxPendingByHalf[half], stream.pendingLater());
    }
    // Chargebacks wait at most 7 days, so the second half of the year waits no more than the first.
    assertThat(events).isGreaterThan(200_000);
    assertThat(maxPendingByHalf[0]).isPositive();
    assertThat(maxPendingByHalf[1]).isLessThan(2 * maxPendingByHalf[0]);
    assertThat(stream.maxPendingLater()).isLessThan((int) (events / 365));
  }
}
