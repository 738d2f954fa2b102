package dev.frip.kafka.internal;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Hands out the same {@link String} again when a field's UTF-8 bytes repeat, so fields with few
 * distinct values (country, currency, merchant category) build no string for most records.
 *
 * <p>Bounded whatever the input: {@value #SLOTS} direct-mapped slots, strings of at most {@value
 * #MAX_BYTES} bytes; a new value only evicts the one in its slot. Adaptive: after the first {@value
 * #PROBATION} reads, a field whose values repeated less than half the time (ids, IP addresses)
 * stops using the cache, and from then on costs one branch per string.
 *
 * <p>Thread-safe without locks: slots hold immutable entries, so a reader racing a writer sees an
 * old or a new complete entry; the counters are racy on purpose (an off-by-a-few decision is
 * harmless) and are no longer written once the probation is over.
 */
final class StringCache {

  static final int SLOT_BITS = 8;
  static final int SLOTS = 1 << SLOT_BITS;
  static final int MAX_BYTES = 32;
  static final int PROBATION = 4096;

  /**
   * A cached value: its UTF-8 bytes, its string, and the key the slot was computed from (the first
   * and last 8 bytes, or the bytes packed into {@code head} when fewer than 8).
   */
  private record Entry(byte[] bytes, String string, long head, long tail) {}

  private static final VarHandle LONG_LE =
      MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
  private static final long GOLDEN = 0x9e3779b97f4a7c15L;

  private final Entry[] slots = new Entry[SLOTS];
  private int reads;
  private int hits;
  private boolean off;

  /**
   * The string of {@code len} UTF-8 bytes of {@code b} from {@code from}, as new String does.
   *
   * <p>The key is the first and last 8 bytes (all bytes of values up to 16 bytes, packed into one
   * long below 8), so the slot is a multiplicative hash of two longs rather than a loop over every
   * byte, and a hit compares two longs (plus the middle bytes of values over 16 bytes). Longer
   * values that differ only in the middle share a slot, which costs hits, never correctness.
   */
  String get(byte[] b, int from, int len) {
    if (off || len > MAX_BYTES) {
      return new String(b, from, len, StandardCharsets.UTF_8);
    }
    long head = len >= 8 ? (long) LONG_LE.get(b, from) : packed(b, from, len);
    long tail = len >= 8 ? (long) LONG_LE.get(b, from + len - 8) : 0;
    int slot = (int) (((head * GOLDEN + tail + len) * GOLDEN) >>> (64 - SLOT_BITS));
    Entry e = slots[slot];
    if (e != null
        && e.head == head
        && e.tail == tail
        && e.bytes.length == len
        && (len <= 16 || Arrays.equals(e.bytes, 8, len - 8, b, from + 8, from + len - 8))) {
      if (reads < PROBATION) {
        count(true);
      }
      return e.string;
    }
    return miss(b, from, len, slot, head, tail);
  }

  /** Up to 7 bytes in one long. */
  private static long packed(byte[] b, int from, int len) {
    long v = 0;
    for (int i = from, end = from + len; i < end; i++) {
      v = (v << 8) | (b[i] & 0xff);
    }
    return v;
  }

  private String miss(byte[] b, int from, int len, int slot, long head, long tail) {
    String s = new String(b, from, len, StandardCharsets.UTF_8);
    byte[] copy = new byte[len];
    System.arraycopy(b, from, copy, 0, len);
    slots[slot] = new Entry(copy, s, head, tail);
    if (reads < PROBATION) {
      count(false);
    }
    return s;
  }

  /** Counts a read during the probation; at its end turns a cache that hit too rarely off. */
  private void count(boolean hit) {
    int n = ++reads;
    int hitCount = hit ? ++hits : hits;
    if (n == PROBATION && hitCount < PROBATION / 2) {
      off = true;
      Arrays.fill(slots, null); // no longer read: let the entries go
    }
  }

  /** Whether this cache is still in use (false once the field proved to have too many values). */
  boolean enabled() {
    return !off;
  }
}
