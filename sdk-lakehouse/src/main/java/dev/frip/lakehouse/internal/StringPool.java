package dev.frip.lakehouse.internal;

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

  private static final class Segment {
    private String[] slots = new String[INITIAL_SLOTS];
    private int size;

    String intern(String s, int h) {
      String[] t = slots;
      int mask = t.length - 1;
      for (int i = h & mask; ; i = (i + 1) & mask) {
        String k = t[i];
        if (k == null) {
          t[i] = s;
          if (++size > t.length >>> 1) {
            grow();
          }
          return s;
        }
        if (k == s || k.equals(s)) {
          return k;
        }
      }
    }

    private void grow() {
      String[] old = slots;
      String[] t = new String[old.length * 2];
      int mask = t.length - 1;
      for (String k : old) {
        if (k != null) {
          int i = spread(k.hashCode()) & mask;
          while (t[i] != null) {
            i = (i + 1) & mask;
          }
          t[i] = k;
        }
      }
      slots = t;
    }
  }
}
