package dev.frip.lakehouse;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Collects records for a {@link BronzeTableWriter} and writes them in one commit when the buffer
 * holds {@code maxRecords} or its oldest record has waited {@code maxAge}: large commits for
 * throughput, bounded latency when traffic is thin. Not thread-safe: one per consumer thread.
 *
 * <pre>{@code
 * BronzeBuffer buffer = lake.bronzeWriter(Topics.PAYMENTS).buffered(50_000, Duration.ofSeconds(5));
 * for (ConsumerRecord<String, PaymentEvent> r : consumer.poll(timeout)) buffer.add(toBronze(r));
 * buffer.flushIfDue();
 * // on rebalance (partitions revoked) or shutdown:
 * buffer.flush();
 * }</pre>
 *
 * @since 0.1.0
 */
public final class BronzeBuffer {

  private final BronzeTableWriter writer;
  private final int maxRecords;
  private final Duration maxAge;
  private final Clock clock;
  private List<BronzeRecord> pending = new ArrayList<>();
  private Instant oldest;

  BronzeBuffer(BronzeTableWriter writer, int maxRecords, Duration maxAge, Clock clock) {
    if (maxRecords < 1) {
      throw new IllegalArgumentException(
          "bronze buffer size was " + maxRecords + ", must be at least 1 record");
    }
    Objects.requireNonNull(maxAge, "maxAge");
    if (maxAge.isNegative() || maxAge.isZero()) {
      throw new IllegalArgumentException("bronze buffer max age was " + maxAge + ", must be > 0");
    }
    this.writer = writer;
    this.maxRecords = maxRecords;
    this.maxAge = maxAge;
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  /** Buffers a record; writes the buffer when it is full. */
  public Optional<BronzeCommit> add(BronzeRecord record) {
    hold(record);
    return isFull() ? flush() : Optional.empty();
  }

  /** Writes the buffer if its oldest record has waited {@code maxAge} or more. */
  public Optional<BronzeCommit> flushIfDue() {
    return isDue() ? flush() : Optional.empty();
  }

  /** Buffers a record without writing, for a caller that writes {@link #drain()}ed batches. */
  void hold(BronzeRecord record) {
    Objects.requireNonNull(record, "record");
    if (pending.isEmpty()) {
      oldest = clock.instant();
    }
    pending.add(record);
  }

  /** True when the buffer holds {@code maxRecords} or more. */
  boolean isFull() {
    return pending.size() >= maxRecords;
  }

  /** True when the buffer is not empty and its oldest record has waited {@code maxAge}. */
  boolean isDue() {
    return !pending.isEmpty() && !clock.instant().isBefore(oldest.plus(maxAge));
  }

  /** Empties the buffer and returns what it held, to be written by the caller. */
  List<BronzeRecord> drain() {
    List<BronzeRecord> out = pending;
    pending = new ArrayList<>(Math.min(out.size(), maxRecords));
    oldest = null;
    return out;
  }

  /** The writer this buffer writes through. */
  BronzeTableWriter writer() {
    return writer;
  }

  /** Writes whatever is buffered (call on rebalance and shutdown); empty when nothing was. */
  public Optional<BronzeCommit> flush() {
    if (pending.isEmpty()) {
      return Optional.empty();
    }
    BronzeCommit c = writer.write(pending);
    pending.clear();
    oldest = null;
    return Optional.of(c);
  }

  /** Records waiting to be written. */
  public int size() {
    return pending.size();
  }
}
