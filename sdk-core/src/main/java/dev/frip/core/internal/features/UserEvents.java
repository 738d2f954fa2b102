package dev.frip.core.internal.features;

import dev.frip.core.FeatureCatalog;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Arrays;

/**
 * One user's recent events, sorted by (event time, event-id hash), in a ring of {@code capacity}
 * rows (a power of two) of six longs, 48 bytes per event slot, in one {@code long[]} that also
 * holds 40 bytes of running totals; plus the array header and this object (88 bytes, the online
 * table's links included). A row holds:
 *
 * <ul>
 *   <li>time (ms);
 *   <li>amount (minor units);
 *   <li>event-id hash (high half) and kind and presence flags (low half);
 *   <li>merchant and device hashes;
 *   <li>country and IP hashes;
 *   <li>latitude and longitude (float bits).
 * </ul>
 *
 * <p>A ring because expiry then moves nothing: the oldest entries, those older than the longest
 * window plus the allowed lateness behind the user's newest event time, are dropped by advancing
 * the head as an insert moves the newest time past them, found by walking forward from the head.
 * The ring doubles when full and is halved when expiry leaves it less than a quarter used (not
 * below its initial 4 slots), so memory follows the events held, not their high-water mark. The
 * running totals (payments, amounts, squared amounts, refunds over every event held) let a read
 * take its 30-day totals without scanning 30 days back ({@link #totals}).
 *
 * <p>Not thread-safe: the online store locks on the instance; the offline path owns its instances.
 */
public final class UserEvents {

  /** Ints per event in {@link #packed()} (the snapshot's row format). */
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

  /** Positions within a row of {@link #data}. */
  private static final int C_TIME = 0;

  private static final int C_AMOUNT = 1;
  private static final int C_KEY = 2; // id hash << 32 | flags
  private static final int C_MD = 3; // merchant << 32 | device
  private static final int C_CI = 4; // country << 32 | ip
  private static final int C_LOC = 5; // lat bits << 32 | lon bits
  private static final int ROW = 6; // longs per event

  /**
   * Running totals over every event held, after the rows ({@code data[ROW * capacity ..]}), so that
   * a read takes its 30-day totals as these minus the few events outside its window instead of
   * scanning 30 days back. Integers, hence exact whatever the order of insertion and expiry.
   */
  static final int T_PAYMENTS = 0;

  static final int T_REFUNDS = 1;
  static final int T_AMOUNT_SUM = 2;
  static final int T_SQUARES_HI = 3; // sum of squared payment amounts, 128 bits
  static final int T_SQUARES_LO = 4;
  static final int TOTALS = 5;

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
  private static final long LOW = 0xFFFF_FFFFL;

  private static final VarHandle LAST_ACTIVE;

  static {
    try {
      LAST_ACTIVE =
          MethodHandles.lookup().findVarHandle(UserEvents.class, "lastActive", long.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  private long[] data;
  private int capacity;
  private int mask;
  private int head; // slot of the oldest event
  private int size;
  private long maxTime = Long.MIN_VALUE;
  private long droppedForCapacity;
  private long lastActive; // through LAST_ACTIVE: written under the lock, read by the table's sweep

  // The online UserTable's entry: the user id, its spread hash, the id's characters inline when
  // it has at most 16 of them, all Latin-1 (UserKey; length -1 otherwise), and the next entry of
  // the chain.
  String user;
  int userHash;
  int keyLength;
  long key0;
  long key1;
  UserEvents next;

  /** An empty buffer. */
  public UserEvents() {
    allocate(INITIAL_EVENTS);
  }

  private void allocate(int slots) {
    capacity = slots;
    mask = slots - 1;
    data = new long[ROW * slots + TOTALS];
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
    // Expire as soon as the newest time moves past an entry's retention, not only when the ring is
    // full: a read then finds nothing older than its 30-day window but events within the lateness,
    // so neither its walk to the window's start nor its totals correction passes over expired rows.
    if (size > 0 && time(0) <= Math.max(maxTime, time) - retention) {
      int expired = countBefore(Math.max(maxTime, time) - retention + 1);
      dropFirst(expired);
      pos -= Math.min(pos, expired);
      shrinkIfSparse();
    }
    if (size == capacity || size >= maxEvents) {
      if (size < maxEvents) {
        grow();
      } else {
        droppedForCapacity++;
        if (pos == 0) {
          return INSERTED; // older than everything kept: it would be dropped at once
        }
        dropFirst(1);
        pos--;
      }
    }
    for (int j = size; j > pos; j--) { // an event within the lateness: shift the newer ones
      int to = (head + j) & mask;
      int from = (head + j - 1) & mask;
      System.arraycopy(data, from * ROW, data, to * ROW, ROW);
    }
    int at = (head + pos) & mask;
    long[] d = data;
    int cap = capacity;
    d[at * ROW + C_TIME] = time;
    d[at * ROW + C_AMOUNT] = amount;
    d[at * ROW + C_KEY] = (long) idHash << 32 | (flags & LOW);
    d[at * ROW + C_MD] = (long) merchant << 32 | (device & LOW);
    d[at * ROW + C_CI] = (long) country << 32 | (ip & LOW);
    d[at * ROW + C_LOC] =
        (long) Float.floatToRawIntBits(lat) << 32 | (Float.floatToRawIntBits(lon) & LOW);
    size++;
    addTo(d, ROW * cap, at, 1);
    if (time > maxTime) {
      maxTime = time;
    }
    return INSERTED;
  }

  /**
   * Adds ({@code sign} 1) or subtracts ({@code sign} -1) the event in ring slot {@code at} to the
   * totals at {@code t[base .. base + TOTALS)}.
   */
  private void addTo(long[] t, int base, int at, int sign) {
    long key = data[at * ROW + C_KEY];
    int kind = (int) key & KIND_MASK;
    if (kind == KIND_PAYMENT) {
      long a = data[at * ROW + C_AMOUNT];
      long lo = a * a;
      long hi = Math.multiplyHigh(a, a);
      long sqLo = t[base + T_SQUARES_LO];
      t[base + T_PAYMENTS] += sign;
      t[base + T_AMOUNT_SUM] += sign * a;
      if (sign > 0) {
        long sum = sqLo + lo;
        t[base + T_SQUARES_HI] += hi + (Long.compareUnsigned(sum, lo) < 0 ? 1 : 0);
        t[base + T_SQUARES_LO] = sum;
      } else {
        t[base + T_SQUARES_HI] -= hi + (Long.compareUnsigned(sqLo, lo) < 0 ? 1 : 0);
        t[base + T_SQUARES_LO] = sqLo - lo;
      }
    } else if (kind == KIND_REFUND) {
      t[base + T_REFUNDS] += sign;
    }
  }

  /**
   * Totals of the events at indices {@code [from, end)} into {@code out[0 .. TOTALS)}: payments,
   * their amount sum and 128-bit sum of squared amounts, refunds. Taken as the running totals minus
   * the events outside the range, or summed directly when that is the shorter walk; the result is
   * the same.
   */
  void totals(int from, int end, long[] out) {
    if (end - from <= from + size - end) {
      Arrays.fill(out, 0, TOTALS, 0L);
      for (int i = from; i < end; i++) {
        addTo(out, 0, slot(i), 1);
      }
      return;
    }
    System.arraycopy(data, ROW * capacity, out, 0, TOTALS);
    for (int i = 0; i < from; i++) {
      addTo(out, 0, slot(i), -1);
    }
    for (int i = end; i < size; i++) {
      addTo(out, 0, slot(i), -1);
    }
  }

  /** Number of leading events older than {@code cut}: a walk from the head, where they are. */
  private int countBefore(long cut) {
    int n = 0;
    while (n < size && time(n) < cut) {
      n++;
    }
    return n;
  }

  private void dropFirst(int n) {
    for (int i = 0; i < n; i++) {
      addTo(data, ROW * capacity, slot(i), -1);
    }
    head = (head + n) & mask;
    size -= n;
  }

  /** Doubles the ring, its events moved to slots 0 .. size-1. */
  private void grow() {
    resize(capacity * 2);
  }

  /**
   * Halves the ring while it is less than a quarter full, down to the initial capacity, so a user
   * whose burst of events has expired does not keep the burst's memory while it stays active.
   * Growth waits for a full ring, so a ring just halved (less than half full) does not grow back at
   * once.
   */
  private void shrinkIfSparse() {
    int slots = capacity;
    while (slots > INITIAL_EVENTS && size < slots / 4) {
      slots /= 2;
    }
    if (slots != capacity) {
      resize(slots);
    }
  }

  /** Moves the events to slots 0 .. size-1 of a ring of {@code slots}, the totals after them. */
  private void resize(int slots) {
    long[] old = data;
    int oldCapacity = capacity;
    int first = Math.min(size, oldCapacity - head); // events before the ring wraps
    allocate(slots);
    System.arraycopy(old, head * ROW, data, 0, first * ROW);
    System.arraycopy(old, 0, data, first * ROW, (size - first) * ROW);
    System.arraycopy(old, ROW * oldCapacity, data, ROW * capacity, TOTALS);
    head = 0;
  }

  /**
   * Loads a word of each of the {@code n} events before index {@code end}, of the oldest event and
   * of the running totals, the words a read is about to use, so that their cache lines, when cold,
   * are fetched together instead of one after another as the read reaches them. The caller consumes
   * the result.
   */
  long prefetch(int end, int n) {
    long x = data[ROW * capacity] + (size > 0 ? data[slot(0) * ROW] : 0);
    for (int i = Math.max(0, end - n); i < end; i++) {
      x += data[slot(i) * ROW];
    }
    return x;
  }

  /** The rows array, for {@link #warm}: read without the lock, a hint only. */
  long[] rows() {
    return data;
  }

  /**
   * As {@link #prefetch} for the newest {@code n} events, but safe without the lock: a concurrent
   * fold may replace the array or move the ring, so every index is checked against {@code d}, the
   * array {@link #rows} gave, and loads outside it are skipped. Whatever it loads is only a hint to
   * the cache.
   *
   * <p>The indices come from this object's fields, not from {@code d.length}: the array's header is
   * itself a cache miss when the rows are, and deriving the indices from it would make every row's
   * load wait for it. The checks are branches, which the processor predicts and runs past.
   */
  long warm(long[] d, int n) {
    int m = mask;
    int h = head;
    int end = size;
    int totals = ROW * capacity;
    long x = 0;
    if (totals < d.length) {
      x += d[totals];
    }
    int oldest = (h & m) * ROW;
    if (oldest < d.length) {
      x += d[oldest];
    }
    for (int i = Math.max(0, end - n); i < end; i++) {
      int at = ((h + i) & m) * ROW;
      if (at < d.length) {
        x += d[at];
      }
    }
    return x;
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

  /**
   * Records the store's clock when an event of this user was folded, for idle expiry and eviction.
   * An opaque write: atomic without a fence; the table's readers need no ordering.
   */
  void touch(long now) {
    LAST_ACTIVE.setOpaque(this, now);
  }

  /** The clock at the last {@link #touch}. */
  long lastActive() {
    return (long) LAST_ACTIVE.getOpaque(this);
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

  /** Event slots of the ring: grows by doubling when full, halves when under a quarter full. */
  int capacity() {
    return capacity;
  }

  /** Bytes held by this buffer, object headers included (compressed oops assumed). */
  public long retainedBytes() {
    return 72L + 16L + 8L * data.length;
  }

  private int slot(int i) {
    return (head + i) & mask;
  }

  long time(int i) {
    return data[slot(i) * ROW + C_TIME];
  }

  int idHash(int i) {
    return (int) (data[slot(i) * ROW + C_KEY] >> 32);
  }

  int flags(int i) {
    return (int) data[slot(i) * ROW + C_KEY];
  }

  long amount(int i) {
    return data[slot(i) * ROW + C_AMOUNT];
  }

  int merchant(int i) {
    return (int) (data[slot(i) * ROW + C_MD] >> 32);
  }

  int device(int i) {
    return (int) data[slot(i) * ROW + C_MD];
  }

  int country(int i) {
    return (int) (data[slot(i) * ROW + C_CI] >> 32);
  }

  int ip(int i) {
    return (int) data[slot(i) * ROW + C_CI];
  }

  float lat(int i) {
    return Float.intBitsToFloat((int) (data[slot(i) * ROW + C_LOC] >> 32));
  }

  float lon(int i) {
    return Float.intBitsToFloat((int) data[slot(i) * ROW + C_LOC]);
  }

  /**
   * The entries in the snapshot's row format, oldest first: {@code size() * 12} ints of time (high,
   * low), id hash, flags, amount (high, low), merchant, device, country, IP, lat and lon bits.
   */
  public int[] packed() {
    int[] data = new int[size * STRIDE];
    for (int i = 0; i < size; i++) {
      int at = i * STRIDE;
      long time = time(i);
      long amount = amount(i);
      data[at + T_HI] = (int) (time >>> 32);
      data[at + T_LO] = (int) time;
      data[at + TB] = idHash(i);
      data[at + FLAGS] = flags(i);
      data[at + A_HI] = (int) (amount >>> 32);
      data[at + A_LO] = (int) amount;
      data[at + MERCHANT] = merchant(i);
      data[at + DEVICE] = device(i);
      data[at + COUNTRY] = country(i);
      data[at + IP] = ip(i);
      data[at + LAT] = Float.floatToRawIntBits(lat(i));
      data[at + LON] = Float.floatToRawIntBits(lon(i));
    }
    return data;
  }

  /**
   * A buffer restored from {@link #packed()} and the other accessors, checked first: only what a
   * fold can produce is restored, so a corrupt snapshot cannot put a buffer out of order, with
   * unknown flags or an amount a fold refuses into the store.
   *
   * @throws IllegalArgumentException naming the first event (by index) or value that is wrong
   */
  public static UserEvents restore(int[] packed, long maxTime, long droppedForCapacity) {
    if (packed.length % STRIDE != 0) {
      throw new IllegalArgumentException(
          "packed events length " + packed.length + " is not a multiple of " + STRIDE);
    }
    int n = packed.length / STRIDE;
    check(packed, n, maxTime, droppedForCapacity);
    UserEvents e = new UserEvents();
    if (n > INITIAL_EVENTS) {
      e.allocate(Integer.highestOneBit(n - 1) << 1);
    }
    long[] d = e.data;
    int cap = e.capacity;
    for (int i = 0; i < n; i++) {
      int at = i * STRIDE;
      d[i * ROW + C_TIME] = (long) packed[at + T_HI] << 32 | (packed[at + T_LO] & LOW);
      d[i * ROW + C_AMOUNT] = (long) packed[at + A_HI] << 32 | (packed[at + A_LO] & LOW);
      d[i * ROW + C_KEY] = (long) packed[at + TB] << 32 | (packed[at + FLAGS] & LOW);
      d[i * ROW + C_MD] = (long) packed[at + MERCHANT] << 32 | (packed[at + DEVICE] & LOW);
      d[i * ROW + C_CI] = (long) packed[at + COUNTRY] << 32 | (packed[at + IP] & LOW);
      d[i * ROW + C_LOC] = (long) packed[at + LAT] << 32 | (packed[at + LON] & LOW);
    }
    e.size = n;
    for (int i = 0; i < n; i++) {
      e.addTo(d, ROW * cap, i, 1);
    }
    e.maxTime = maxTime;
    e.droppedForCapacity = droppedForCapacity;
    return e;
  }

  /** The bits a fold sets in an event's flags: its kind and the presence bits. */
  private static final int KNOWN_FLAGS =
      KIND_MASK | HAS_MERCHANT | HAS_DEVICE | HAS_COUNTRY | HAS_IP | HAS_LOC;

  /** Refuses packed events that no sequence of folds produces (see {@link #restore}). */
  private static void check(int[] packed, int n, long maxTime, long droppedForCapacity) {
    if (droppedForCapacity < 0) {
      throw new IllegalArgumentException(
          "events dropped for capacity " + droppedForCapacity + " is negative");
    }
    long previousTime = Long.MIN_VALUE;
    int previousId = 0;
    int sameKeyFrom = 0; // first event of the run with the current (time, id hash)
    for (int i = 0; i < n; i++) {
      int at = i * STRIDE;
      long time = (long) packed[at + T_HI] << 32 | (packed[at + T_LO] & LOW);
      long amount = (long) packed[at + A_HI] << 32 | (packed[at + A_LO] & LOW);
      int id = packed[at + TB];
      int flags = packed[at + FLAGS];
      if (time <= 0) {
        throw new IllegalArgumentException("event " + i + ": time " + time + " is not positive");
      }
      if ((flags & ~KNOWN_FLAGS) != 0 || (flags & KIND_MASK) > KIND_REFUND) {
        throw new IllegalArgumentException(
            "event " + i + ": flags 0x" + Integer.toHexString(flags) + " are not a fold's");
      }
      if (!EventFold.validAmount(amount)) {
        throw new IllegalArgumentException(
            "event " + i + ": " + FeatureCatalog.amountProblem(amount));
      }
      if (i > 0 && (time < previousTime || (time == previousTime && id < previousId))) {
        throw new IllegalArgumentException(
            "event "
                + i
                + " at "
                + time
                + " sorts before event "
                + (i - 1)
                + " at "
                + previousTime);
      }
      if (i == 0 || time != previousTime || id != previousId) {
        sameKeyFrom = i;
      }
      for (int j = sameKeyFrom; j < i; j++) {
        if ((packed[j * STRIDE + FLAGS] & KIND_MASK) == (flags & KIND_MASK)) {
          throw new IllegalArgumentException("event " + i + " repeats event " + j);
        }
      }
      previousTime = time;
      previousId = id;
    }
    if (n > 0 && maxTime < previousTime) {
      throw new IllegalArgumentException(
          "newest time " + maxTime + " is before event " + (n - 1) + " at " + previousTime);
    }
  }
}
