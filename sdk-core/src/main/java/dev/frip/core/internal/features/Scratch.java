package dev.frip.core.internal.features;

/**
 * Per-thread working memory of {@link FeatureKernel}, so a vector read allocates nothing: four
 * open-addressing sets for the distinct counts, cleared in O(1) by bumping a stamp, the window
 * accumulators and the 30-day totals.
 */
public final class Scratch {

  private static final ThreadLocal<Scratch> PER_THREAD = ThreadLocal.withInitial(Scratch::new);

  final IntSet merchants = new IntSet();
  final IntSet devices = new IntSet();
  final IntSet countries = new IntSet();
  final IntSet ips = new IntSet();
  final long[] counts = new long[5];
  final long[] sums = new long[5];
  final long[] totals = new long[UserEvents.TOTALS];
  long sink; // consumes UserEvents.prefetch's loads
  // A batch's next users, for InMemoryFeatureStore.warm.
  final String[] aheadIds = new String[InMemoryFeatureStore.WARM_AHEAD];
  final int[] aheadHashes = new int[InMemoryFeatureStore.WARM_AHEAD];
  final UserEvents[] ahead = new UserEvents[InMemoryFeatureStore.WARM_AHEAD];
  final long[][] aheadRows = new long[InMemoryFeatureStore.WARM_AHEAD][];

  /** The calling thread's scratch. */
  public static Scratch get() {
    return PER_THREAD.get();
  }

  void reset(int capacityHint) {
    merchants.reset(capacityHint);
    devices.reset(capacityHint);
    countries.reset(capacityHint);
    ips.reset(capacityHint);
  }

  /**
   * A set of ints that forgets its contents when its stamp moves: an open-addressing table of
   * longs, each the stamp of the reset that wrote it (high half) and a key (low half), so a probe
   * is one load and one comparison, without the data-dependent exits of a linear scan.
   */
  static final class IntSet {
    private long[] slots = new long[64];
    private long stamp = 1L << 32;
    private int size;

    void reset(int capacityHint) {
      size = 0;
      int need = Integer.highestOneBit(Math.max(16, capacityHint) * 2 - 1) << 1;
      if (need > slots.length) {
        slots = new long[need];
        stamp = 1L << 32;
        return;
      }
      stamp += 1L << 32;
      if (stamp == 0) { // wrapped after 2^32 resets: start from clean stamps
        java.util.Arrays.fill(slots, 0L);
        stamp = 1L << 32;
      }
    }

    void add(int key) {
      long[] t = slots;
      int mask = t.length - 1;
      long want = stamp | (key & 0xFFFF_FFFFL);
      int i = (key * 0x9E37_79B9) >>> 7 & mask;
      while (true) {
        long v = t[i];
        if (v == want) {
          return;
        }
        if ((v & 0xFFFF_FFFF_0000_0000L) != stamp) {
          t[i] = want;
          size++;
          return;
        }
        i = (i + 1) & mask;
      }
    }

    int size() {
      return size;
    }
  }
}
