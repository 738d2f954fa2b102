package dev.frip.kafka;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * Exponential backoff for a consumer loop that waits for a dependency (the schema registry) to
 * answer again: each {@link #pause} waits twice as long as the one before, up to a maximum, and
 * returns early once the loop is asked to stop; {@link #reset} starts over after a success. One
 * loop thread uses an instance.
 *
 * @since 0.1.0
 */
public final class Backoff {

  private final long minMillis;
  private final long maxMillis;
  private long nextMillis;

  /**
   * @param min the first pause
   * @param max the longest pause
   */
  public Backoff(Duration min, Duration max) {
    Objects.requireNonNull(min, "min");
    Objects.requireNonNull(max, "max");
    if (min.isNegative() || min.isZero() || max.compareTo(min) < 0) {
      throw new IllegalArgumentException(
          "backoff needs 0 < min <= max but was min " + min + ", max " + max);
    }
    this.minMillis = min.toMillis();
    this.maxMillis = max.toMillis();
    this.nextMillis = minMillis;
  }

  /** The pause the next {@link #pause} takes, in milliseconds. */
  public long nextMillis() {
    return nextMillis;
  }

  /** Waits the next pause, or less when {@code stopped} turns true or the thread is interrupted. */
  public void pause(BooleanSupplier stopped) {
    long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(nextMillis);
    nextMillis = Math.min(2 * nextMillis, maxMillis);
    while (!stopped.getAsBoolean()) {
      long left = end - System.nanoTime();
      if (left <= 0) {
        return;
      }
      try {
        Thread.sleep(Math.min(TimeUnit.NANOSECONDS.toMillis(left) + 1, 50));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  /** After a success: the next pause is the first one again. */
  public void reset() {
    nextMillis = minMillis;
  }
}
