package dev.frip.core.internal.features;

import java.util.Arrays;

/**
 * One user's recent events, sorted by (event time, event-id hash) and packed into a single {@code
 * int[]}: 12 ints = 48 bytes per event, plus one array header and this object (about 40 bytes).
 * Entries older than the longest window plus the allowed lateness, behind the user's newest event
 * time, are dropped when the array would otherwise grow.
 *
 * <p>Not thread-safe: the online store locks on the instance; the offline path owns its instances.
 */
public final class UserEvents {

  static final int STRIDE = 12;
  private static final int T_HI = 0;
  private static final int T_LO = 1;
  private static final int TB = 2;
  private static final int FLAGS = 3;
  private static final int A_HI = 4;
  private static final int A_LO = 5;
  private static final int MERCHANT = 6;
  private static final int DEVICE = 7;
  private static final int COUNTRY = 8;
  private static final int IP = 9;
  private static final int LAT = 10;
  private static final int LON = 11;

  /** Event kinds, in the low three bits of the flags. */
  public static final int KIND_PAYMENT = 0;

  public static final int KIND_GEO = 1;
  public static final int KIND_DEVICE = 2;
  public static final int KIND_REFUND = 3;
  static final int KIND_MASK = 7;

  /** Presence bits: which of the hashed attributes the event carries. */
  public static final int HAS_MERCHANT = 1 << 3;

  public static final int HAS_DEVICE = 1 << 4;
  public static final int HAS_COUNTRY = 1 << 5;
  public static final int HAS_IP = 1 << 6;
  public static final int HAS_LOC = 1 << 7;

  /** Insert outcomes. */
  public static final int INSERTED = 0;

  public static final int DUPLICATE = 1;
  public static final int TOO_LATE = 2;

  private static final int INITIAL_EVENTS = 4;

  private int[] data;
  private int size;
  private long maxTime = Long.MIN_VALUE;
  private long droppedForCapacity;

  /** An empty buffer. */
  public UserEvents() {
    data = new int[INITIAL_EVENTS * STRIDE];
  }

  private UserEvents(int[] data, int size, long maxTime, long dropped) {
    this.data = data;
    this.size = size;
    this.maxTime = maxTime;
    this.droppedForCapacity = dropped;
  }

  /**
   * Folds one event in at its sorted position.
   *
   * @param lateness allowed lateness in ms: events older than the newest minus this are refused
   * @param retention how far behind the newest event entries must be kept (longest window plus
   *     lateness)
   * @param maxEvents cap on entries; beyond it the oldest entry is dropped
   * @return {@link #INSERTED}, {@link #DUPLICATE} or {@link #TOO_LATE}
   */
  public int insert(
      long time,
      int idHash,
      int flags,
      long amount,
      int merchant,
      int device,
      int country,
      int ip,
      float lat,
      float lon,
      long lateness,
      long retention,
      int maxEvents) {
    int pos = lowerBound(time, idHash);
    // Equal keys: the same event again (a replay), unless it is of another kind. Checked before
    // lateness so that a replay after a restore counts as duplicates, not as rejections.
    for (int i = pos; i < size && time(i) == time && idHash(i) == idHash; i++) {
      if ((flags(i) & KIND_MASK) == (flags & KIND_MASK)) {
        return DUPLICATE;
      }
    }
    if (size > 0 && time < maxTime - lateness) {
      return TOO_LATE;
    }
    if (size * STRIDE == data.length) {
      long newest = Math.max(maxTime, time);
      int expired = lowerBound(newest - retention + 1, Integer.MIN_VALUE);
      if (expired > 0) {
        removeFirst(expired);
        pos -= Math.min(pos, expired);
      } else if (size < maxEvents) {
        data = Arrays.copyOf(data, Math.min(maxEvents, size * 2) * STRIDE);
      } else {
        droppedForCapacity++;
        if (pos == 0) {
          return INSERTED; // older than everything kept: it would be dropped at once
        }
        removeFirst(1);
        pos--;
      }
    }
    int at = pos * STRIDE;
    if (pos < size) {
      System.arraycopy(data, at, data, at + STRIDE, (size - pos) * STRIDE);
    }
    data[at + T_HI] = (int) (time >>> 32);
    data[at + T_LO] = (int) time;
    data[at + TB] = idHash;
    data[at + FLAGS] = flags;
    data[at + A_HI] = (int) (amount >>> 32);
    data[at + A_LO] = (int) amount;
    data[at + MERCHANT] = merchant;
    data[at + DEVICE] = device;
    data[at + COUNTRY] = country;
    data[at + IP] = ip;
    data[at + LAT] = Float.floatToRawIntBits(lat);
    data[at + LON] = Float.floatToRawIntBits(lon);
    size++;
    if (time > maxTime) {
      maxTime = time;
    }
    return INSERTED;
  }

  private void removeFirst(int n) {
    System.arraycopy(data, n * STRIDE, data, 0, (size - n) * STRIDE);
    size -= n;
  }

  /** Events {@link #lowerBound} checks backwards from the end before it searches. */
  private static final int LINEAR_PROBES = 8;

  /** First index whose key is not less than (time, idHash). */
  public int lowerBound(long time, int idHash) {
    if (size == 0) {
      return 0;
    }
    long last = time(size - 1);
    if (last < time || (last == time && idHash(size - 1) < idHash)) {
      return size; // the common case: a key after every event held
    }
    // Keys are looked up near the end (a payment just folded, an event within the allowed
    // lateness): walk back a few events, which the caller is about to read anyway, before a binary
    // search whose probes would each touch a cold cache line of this user's buffer.
    int hi = size - 1;
    for (int steps = 0; steps < LINEAR_PROBES && hi > 0; steps++, hi--) {
      long t = time(hi - 1);
      if (t < time || (t == time && idHash(hi - 1) < idHash)) {
        return hi;
      }
    }
    int lo = 0;
    while (lo < hi) {
      int mid = (lo + hi) >>> 1;
      long t = time(mid);
      if (t < time || (t == time && idHash(mid) < idHash)) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    return lo;
  }

  /** Number of events held. */
  public int size() {
    return size;
  }

  /** Newest event time folded, or {@link Long#MIN_VALUE} when none. */
  public long maxTime() {
    return maxTime;
  }

  /** Entries dropped because the user exceeded the per-user cap. */
  public long droppedForCapacity() {
    return droppedForCapacity;
  }

  /** Bytes held by this buffer, object headers included (compressed oops assumed). */
  public long retainedBytes() {
    return 40L + 16L + 4L * data.length;
  }

  long time(int i) {
    int at = i * STRIDE;
    return ((long) data[at + T_HI] << 32) | (data[at + T_LO] & 0xFFFF_FFFFL);
  }

  int idHash(int i) {
    return data[i * STRIDE + TB];
  }

  int flags(int i) {
    return data[i * STRIDE + FLAGS];
  }

  int kind(int i) {
    return data[i * STRIDE + FLAGS] & KIND_MASK;
  }

  long amount(int i) {
    int at = i * STRIDE;
    return ((long) data[at + A_HI] << 32) | (data[at + A_LO] & 0xFFFF_FFFFL);
  }

  int merchant(int i) {
    return data[i * STRIDE + MERCHANT];
  }

  int device(int i) {
    return data[i * STRIDE + DEVICE];
  }

  int country(int i) {
    return data[i * STRIDE + COUNTRY];
  }

  int ip(int i) {
    return data[i * STRIDE + IP];
  }

  float lat(int i) {
    return Float.intBitsToFloat(data[i * STRIDE + LAT]);
  }

  float lon(int i) {
    return Float.intBitsToFloat(data[i * STRIDE + LON]);
  }

  /** The packed entries, for snapshots: {@code size() * 12} ints. */
  public int[] packed() {
    return Arrays.copyOf(data, size * STRIDE);
  }

  /** A buffer restored from {@link #packed()} and the other accessors. */
  public static UserEvents restore(int[] packed, long maxTime, long droppedForCapacity) {
    if (packed.length % STRIDE != 0) {
      throw new IllegalArgumentException(
          "packed events length " + packed.length + " is not a multiple of " + STRIDE);
    }
    int n = packed.length / STRIDE;
    int[] data = Arrays.copyOf(packed, Math.max(INITIAL_EVENTS, n) * STRIDE);
    return new UserEvents(data, n, maxTime, droppedForCapacity);
  }
}
