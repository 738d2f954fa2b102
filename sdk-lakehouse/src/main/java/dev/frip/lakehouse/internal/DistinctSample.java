package dev.frip.lakehouse.internal;

/**
 * The distinct non-null values among rows {@code [from, to)} of one column of a {@link Columns}
 * table, counted exactly with an open-addressing set, and what they imply about the column: the
 * number of distinct values expected among more rows of the same kind.
 *
 * @param values non-null values sampled
 * @param distinct distinct values among them
 * @param averageBytes for a string column, the average UTF-8 length of the sampled values (an upper
 *     bound from their UTF-16 length when they are not all ASCII); 0 otherwise
 */
record DistinctSample(int values, int distinct, long averageBytes) {

  /** Counts the distinct values of rows {@code [from, to)} of column {@code col}. */
  static DistinctSample of(Columns rows, int col, int from, int to) {
    boolean[] nulls = rows.nulls(col);
    Object data = rows.data(col);
    int bits = 33 - Integer.numberOfLeadingZeros(Math.max(16, to - from) - 1); // 2x the rows
    int cap = 1 << bits;
    int values = 0;
    int distinct = 0;
    if (data instanceof String[] strings) {
      String[] set = new String[cap];
      long chars = 0;
      for (int r = from; r < to; r++) {
        String v = strings[r];
        if (v == null || (nulls != null && nulls[r])) {
          continue;
        }
        values++;
        chars += utf8Bound(v);
        int i = slot(v.hashCode(), bits);
        while (set[i] != null && !set[i].equals(v)) {
          i = (i + 1) & (cap - 1);
        }
        if (set[i] == null) {
          set[i] = v;
          distinct++;
        }
      }
      return new DistinctSample(values, distinct, values == 0 ? 0 : chars / values);
    }
    long[] set = new long[cap];
    boolean[] used = new boolean[cap];
    for (int r = from; r < to; r++) {
      if (nulls != null && nulls[r]) {
        continue;
      }
      long v;
      if (data instanceof long[] l) {
        v = l[r];
      } else if (data instanceof int[] ints) {
        v = ints[r];
      } else if (data instanceof double[] d) {
        v = Double.doubleToRawLongBits(d[r]);
      } else {
        return new DistinctSample(0, 0, 0);
      }
      values++;
      int i = slot(v, bits);
      while (used[i] && set[i] != v) {
        i = (i + 1) & (cap - 1);
      }
      if (!used[i]) {
        used[i] = true;
        set[i] = v;
        distinct++;
      }
    }
    return new DistinctSample(values, distinct, 0);
  }

  /** Fibonacci hashing: the top {@code bits} bits of {@code h} times 2^64 / phi. */
  private static int slot(long h, int bits) {
    return (int) ((h * 0x9E3779B97F4A7C15L) >>> (64 - bits));
  }

  /** The UTF-8 length of {@code s} when it is ASCII, else an upper bound (3 bytes per char). */
  private static int utf8Bound(String s) {
    int n = s.length();
    for (int i = 0; i < n; i++) {
      if (s.charAt(i) >= 0x80) {
        return 3 * n;
      }
    }
    return n;
  }

  /**
   * The distinct values expected among {@code n} values drawn like the sampled ones. The domain is
   * estimated from the sample's repeats as if values were drawn uniformly from it ({@code domain =
   * values^2 / (2 * repeats)}, from the expected number of colliding pairs), unbounded when the
   * sample has none; skewed columns repeat more, so the estimate errs low, towards keeping the
   * dictionary.
   */
  double expectedDistinct(long n) {
    int repeats = values - distinct;
    if (repeats == 0) {
      return n;
    }
    double domain = (double) values * values / (2.0 * repeats);
    return domain * -Math.expm1(-n / domain);
  }
}
