package dev.frip.kafka.internal;

import java.nio.charset.StandardCharsets;

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

  static final int SLOTS = 64;
  static final int MAX_BYTES = 32;
  static final int PROBATION = 4096;

  private record Entry(byte[] bytes, String string) {}

  private final Entry[] slots = new Entry[SLOTS];
  private int reads;
  private int hits;
  private boolean off;

  /** The string of {@code len} UTF-8 bytes of {@code b} from {@code off}, as new String does. */
  String get(byte[] b, int from, int len) {
    if (off || len > MAX_BYTES) {
      return new String(b, from, len, StandardCharsets.UTF_8);
    }
    int h = len;
    for (int i = from, end = from + len; i < end; i++) {
      h = 31 * h + b[i];
    }
    int slot = (h ^ (h >>> 6) ^ (h >>> 12)) & (SLOTS - 1);
    Entry e = slots[slot];
    boolean hit = e != null && same(e.bytes, b, from, len);
    String s;
    if (hit) {
      s = e.string;
    } else {
      s = new String(b, from, len, StandardCharsets.UTF_8);
      byte[] copy = new byte[len];
      System.arraycopy(b, from, copy, 0, len);
      slots[slot] = new Entry(copy, s);
    }
    int n = reads;
    if (n < PROBATION) {
      int hitCount = hits + (hit ? 1 : 0);
      hits = hitCount;
      reads = ++n;
      if (n == PROBATION && hitCount < PROBATION / 2) {
        off = true;
      }
    }
    return s;
  }

  /** Whether this cache is still in use (false once the field proved to have too many values). */
  boolean enabled() {
    return !off;
  }

  private static boolean same(byte[] cached, byte[] b, int from, int len) {
    if (cached.length != len) {
      return false;
    }
    for (int i = 0; i < len; i++) {
      if (cached[i] != b[from + i]) {
        return false;
      }
    }
    return true;
  }
}
