package dev.frip.core.internal.generator;

import dev.frip.core.GeneratedEvent;
import dev.frip.core.TopicSpec;
import java.util.Arrays;
import java.util.PriorityQueue;
import java.util.UUID;
import org.apache.avro.specific.SpecificRecord;

/**
 * Puts events in global {@code event_time} order with bounded memory. The events of the current day
 * sit in a buffer sorted once per day; events timed after the current day (chargebacks, refunds,
 * sessions crossing midnight) wait in a priority queue until their day comes. Ties are broken by
 * creation order, so an order created before its payment is emitted before it.
 */
final class Timeline {

  static final long DAY_MS = 86_400_000L;

  /** Buffer keys: milliseconds into the day in the high bits, buffer index in the low 36. */
  private static final int INDEX_BITS = 36;

  private static final long INDEX_MASK = (1L << INDEX_BITS) - 1;

  /** Below this many events a comparison sort beats clearing the radix buckets. */
  private static final int RADIX_THRESHOLD = 4096;

  private static final int LOW_DIGIT_BITS = 14;

  private final long startMillis;
  private final EventIds ids;
  private long dayStart;
  private long dayEnd;
  private long[] keys = new long[4096];
  private GeneratedEvent[] buffer = new GeneratedEvent[4096];
  private long[] scratch = new long[0];
  private final int[] counts = new int[(1 << LOW_DIGIT_BITS) + 1];
  private final Tally tally;
  private int size;
  private int cursor;
  private final PriorityQueue<Later> later = new PriorityQueue<>();
  private long created;
  private int maxLater;

  Timeline(long startMillis, long seed, Tally tally) {
    this.startMillis = startMillis;
    this.tally = tally;
    this.ids = new EventIds(seed);
    this.dayStart = startMillis;
    this.dayEnd = startMillis;
  }

  /** Epoch millis of midnight (UTC) of the given day. */
  long dayStart(int day) {
    return startMillis + day * DAY_MS;
  }

  /** A new event id; call once per event, in creation order. */
  UUID newEventId() {
    return ids.next();
  }

  /**
   * Schedules an event.
   *
   * @throws IllegalStateException if the event is timed before the current day: a generator bug
   *     that would break global time order
   */
  void add(TopicSpec topic, String key, SpecificRecord value, long time) {
    GeneratedEvent e = new GeneratedEvent(topic, key, value, time);
    // Counted here, while the event is hot in cache; every added event is emitted before the
    // stream reports exhaustion, so the counts equal what was emitted.
    tally.emitted(topic);
    long seq = created++;
    if (time >= dayEnd) {
      later.add(new Later(time, seq, e));
      if (later.size() > maxLater) {
        maxLater = later.size();
      }
      return;
    }
    if (time < dayStart) {
      throw new IllegalStateException(
          "event on " + topic.name() + " at " + time + " is before the current day " + dayStart);
    }
    if (size == keys.length) {
      keys = Arrays.copyOf(keys, size * 2);
      buffer = Arrays.copyOf(buffer, size * 2);
    }
    keys[size] = ((time - dayStart) << INDEX_BITS) | size;
    buffer[size++] = e;
  }

  /** Opens a day: from now on events before its end go to the day buffer. */
  void openDay(int day) {
    // A fresh array each day, sized like yesterday's: a young array takes young events without
    // the old-to-young bookkeeping a long-lived array would need on every store.
    buffer = new GeneratedEvent[Math.max(4096, size + size / 4)];
    if (keys.length < buffer.length) {
      keys = new long[buffer.length];
    }
    size = 0;
    cursor = 0;
    dayStart = dayStart(day);
    dayEnd = dayStart + DAY_MS;
  }

  /** Sorts the day's buffer; call after the day's events are added. */
  void sealDay() {
    if (size < RADIX_THRESHOLD) {
      Arrays.sort(keys, 0, size);
      return;
    }
    // Two stable counting passes over the 27 bits of milliseconds-into-the-day: linear, where a
    // comparison sort of tens of thousands of keys a day showed up in profiles. The buffer index
    // in the low bits already increases in creation order, so stability keeps ties in that order.
    if (scratch.length < size) {
      scratch = new long[keys.length];
    }
    radixPass(keys, scratch, size, INDEX_BITS, LOW_DIGIT_BITS);
    radixPass(scratch, keys, size, INDEX_BITS + LOW_DIGIT_BITS, 27 - LOW_DIGIT_BITS);
  }

  private void radixPass(long[] from, long[] to, int n, int shift, int bits) {
    int buckets = 1 << bits;
    int mask = buckets - 1;
    int[] count = this.counts;
    Arrays.fill(count, 0, buckets + 1, 0);
    for (int i = 0; i < n; i++) {
      count[(int) (from[i] >>> shift) & mask]++;
    }
    int sum = 0;
    for (int b = 0; b < buckets; b++) {
      int c = count[b];
      count[b] = sum;
      sum += c;
    }
    for (int i = 0; i < n; i++) {
      long k = from[i];
      to[count[(int) (k >>> shift) & mask]++] = k;
    }
  }

  /** After the last day: everything still waiting is released in time order. */
  void drain() {
    Arrays.fill(buffer, 0, size, null);
    size = 0;
    cursor = 0;
    dayEnd = Long.MAX_VALUE;
  }

  /** The next event of the open day (or of the drain), or {@code null} when there is none. */
  GeneratedEvent poll() {
    Later head = later.peek();
    boolean haveLater = head != null && head.time < dayEnd;
    if (cursor < size) {
      long key = keys[cursor];
      // Waiting events were created on earlier days, so they win ties with today's events.
      if (haveLater && head.time <= dayStart + (key >>> INDEX_BITS)) {
        return later.poll().event;
      }
      cursor++;
      return buffer[(int) (key & INDEX_MASK)];
    }
    return haveLater ? later.poll().event : null;
  }

  /** Events waiting for a later day. */
  int pendingLater() {
    return later.size();
  }

  /** The most events that ever waited for a later day at once. */
  int maxPendingLater() {
    return maxLater;
  }

  /** Events buffered for the open day. */
  int bufferedToday() {
    return size;
  }

  void release() {
    keys = new long[0];
    scratch = new long[0];
    buffer = new GeneratedEvent[0];
    size = 0;
    cursor = 0;
    later.clear();
  }

  /** An event waiting for its day, ordered by time, then creation. */
  private static final class Later implements Comparable<Later> {
    final long time;
    final long seq;
    final GeneratedEvent event;

    Later(long time, long seq, GeneratedEvent event) {
      this.time = time;
      this.seq = seq;
      this.event = event;
    }

    @Override
    public int compareTo(Later o) {
      int c = Long.compare(time, o.time);
      return c != 0 ? c : Long.compare(seq, o.seq);
    }
  }
}
