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
   * A set of ints that forgets its contents when its stamp moves. The first few values live in a
   * small array scanned linearly (users mostly have one to three devices, countries, IPs); past
   * that, values go to an open-addressing table.
   */
  static final class IntSet {
    private static final int SMALL = 8;
    private final int[] small = new int[SMALL];
    private int[] keys = new int[64];
    private int[] stamps = new int[64];
    private int stamp = 1;
    private int size;
    private boolean spilled;

    void reset(int capacityHint) {
      size = 0;
      spilled = false;
      int need = Integer.highestOneBit(Math.max(16, capacityHint) * 2 - 1) << 1;
      if (need > keys.length) {
        keys = new int[need];
        stamps = new int[need];
        stamp = 1;
        return;
      }
      if (++stamp == 0) { // wrapped after 2^32 resets: start from clean stamps
        java.util.Arrays.fill(stamps, 0);
        stamp = 1;
      }
    }

    void add(int key) {
      if (!spilled) {
        for (int i = 0; i < size; i++) {
          if (small[i] == key) {
            return;
          }
        }
        if (size < SMALL) {
          small[size++] = key;
          return;
        }
        spilled = true;
        for (int i = 0; i < SMALL; i++) {
          insert(small[i]);
        }
      }
      if (insert(key)) {
        size++;
      }
    }

    private boolean insert(int key) {
      int mask = keys.length - 1;
      int i = (key * 0x9E37_79B9) >>> 7 & mask;
      while (stamps[i] == stamp) {
        if (keys[i] == key) {
          return false;
        }
        i = (i + 1) & mask;
      }
      stamps[i] = stamp;
      keys[i] = key;
      return true;
    }

    int size() {
      return size;
    }
  }
}
