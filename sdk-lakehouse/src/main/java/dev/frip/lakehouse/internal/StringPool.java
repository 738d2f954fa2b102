package dev.frip.lakehouse.internal;

import java.nio.charset.StandardCharsets;

/**
 * One {@code String} instance per distinct value, shared by every thread that reads through the
 * pool: for id columns that repeat across files and tables (users, cards, devices, IPs), so that a
 * read of many files holds each id once instead of once per row, and equal ids are the same
 * instance (hash tables then match them by identity, the hash already cached).
 *
 * <p>Open addressing in segments, each a {@code String[]} probed linearly and locked on its own, so
 * parallel file reads rarely wait for each other; no node or boxed value per entry. Unbounded: use
 * it for columns whose distinct values are far fewer than their rows.
 */
public final class StringPool {

  private static final int SEGMENT_BITS = 6;
  private static final int INITIAL_SLOTS = 1 << 10;

  private final Segment[] segments = new Segment[1 << SEGMENT_BITS];

  /** An empty pool. */
  public StringPool() {
    for (int i = 0; i < segments.length; i++) {
      segments[i] = new Segment();
    }
  }

  /** The pool's instance equal to {@code s}, which becomes it when there is none; null for null. */
  public String intern(String s) {
    if (s == null) {
      return null;
    }
    int h = spread(s.hashCode());
    Segment seg = segments[h >>> (32 - SEGMENT_BITS)];
    synchronized (seg) {
      return seg.intern(s, h);
    }
  }

  /**
   * The pool's instance of the UTF-8 text in {@code bytes[offset, offset + length)}, as {@link
   * #intern(String)} of that text. ASCII text (ids) is hashed and compared as bytes, so a value
   * already pooled costs no decoding and no {@code String}; other text is decoded first.
   */
  public String intern(byte[] bytes, int offset, int length) {
    int end = offset + length;
    int hash = 0;
    int ascii = 0;
    for (int i = offset; i < end; i++) {
      int b = bytes[i];
      ascii |= b;
      hash = 31 * hash + b;
    }
    if (ascii < 0) { // a byte >= 0x80: not ASCII
      return intern(new String(bytes, offset, length, StandardCharsets.UTF_8));
    }
    // For ASCII text this is String.hashCode of the decoded value: the same slot as intern(String).
    int h = spread(hash);
    Segment seg = segments[h >>> (32 - SEGMENT_BITS)];
    synchronized (seg) {
      return seg.intern(bytes, offset, length, h);
    }
  }

  /** Number of distinct values held. */
  public int size() {
    int n = 0;
    for (Segment seg : segments) {
      synchronized (seg) {
        n += seg.size;
      }
    }
    return n;
  }

  private static int spread(int h) {
    return h * 0x9E37_79B9;
  }

  /**
   * Linear probing over the values and, beside them, their spread hashes: a probe compares the hash
   * first and touches a pooled value only when the hashes match.
   */
  private static final class Segment {
    private String[] slots = new String[INITIAL_SLOTS];
    private int[] hashes = new int[INITIAL_SLOTS];
    private int size;

    String intern(String s, int h) {
      String[] t = slots;
      int mask = t.length - 1;
      for (int i = h & mask; ; i = (i + 1) & mask) {
        String k = t[i];
        if (k == null) {
          return add(i, s, h);
        }
        if (k == s || (hashes[i] == h && k.equals(s))) {
          return k;
        }
      }
    }

    /** As {@link #intern(String, int)} for ASCII bytes whose {@code String} hash spreads to h. */
    String intern(byte[] bytes, int offset, int length, int h) {
      String[] t = slots;
      int mask = t.length - 1;
      for (int i = h & mask; ; i = (i + 1) & mask) {
        String k = t[i];
        if (k == null) {
          return add(i, new String(bytes, offset, length, StandardCharsets.ISO_8859_1), h);
        }
        if (hashes[i] == h && sameAscii(k, bytes, offset, length)) {
          return k;
        }
      }
    }

    private String add(int i, String s, int h) {
      slots[i] = s;
      hashes[i] = h;
      if (++size > slots.length >>> 1) {
        grow();
      }
      return s;
    }

    private static boolean sameAscii(String k, byte[] bytes, int offset, int length) {
      if (k.length() != length) {
        return false;
      }
      for (int j = 0; j < length; j++) {
        if (k.charAt(j) != bytes[offset + j]) {
          return false;
        }
      }
      return true;
    }

    private void grow() {
      String[] old = slots;
      int[] oldHashes = hashes;
      String[] t = new String[old.length * 2];
      int[] th = new int[t.length];
      int mask = t.length - 1;
      for (int j = 0; j < old.length; j++) {
        if (old[j] != null) {
          int i = oldHashes[j] & mask;
          while (t[i] != null) {
            i = (i + 1) & mask;
          }
          t[i] = old[j];
          th[i] = oldHashes[j];
        }
      }
      slots = t;
      hashes = th;
    }
  }
}
