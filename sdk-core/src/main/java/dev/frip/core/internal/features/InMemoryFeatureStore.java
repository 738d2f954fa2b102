package dev.frip.core.internal.features;

import dev.frip.core.BatchFeatures;
import dev.frip.core.FeatureCatalog;
import dev.frip.core.FeatureStore;
import dev.frip.core.ObserveResult;
import dev.frip.core.events.PaymentEvent;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UTFDataFormatException;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.Collections;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.LongAdder;
import org.apache.avro.specific.SpecificRecord;

/**
 * The in-process {@link FeatureStore}: a bounded {@link UserTable} of {@link UserEvents} per user,
 * each locked while it is updated or read, and the shared {@link FeatureKernel} for reads.
 */
public final class InMemoryFeatureStore implements FeatureStore {

  private static final int SNAPSHOT_MAGIC = 0x4652_4653; // "FRFS"
  private static final int SNAPSHOT_FORMAT = 1;

  private final UserTable users;
  private final long lateness;
  private final long retention;
  private final long futureSkew;
  private final int maxEvents;
  private final Clock clock;
  private final LongAdder[] outcomes = new LongAdder[ObserveResult.values().length];
  private volatile BatchFeatures batch;

  /** Use {@link FeatureStore#inMemory()}. */
  public InMemoryFeatureStore(
      long maximumUsers,
      Duration expireAfterIdle,
      Duration allowedLateness,
      Duration maximumFutureSkew,
      int maximumEventsPerUser,
      Clock clock,
      BatchFeatures batch,
      MeterRegistry meters) {
    this.clock = clock;
    this.users = new UserTable(maximumUsers, expireAfterIdle.toMillis());
    this.lateness = allowedLateness.toMillis();
    this.retention = FeatureCatalog.LONGEST_WINDOW_MS + lateness;
    this.futureSkew = saturatedMillis(maximumFutureSkew);
    this.maxEvents = maximumEventsPerUser;
    this.batch = batch;
    for (int i = 0; i < outcomes.length; i++) {
      outcomes[i] = new LongAdder();
    }
    if (meters != null) {
      for (ObserveResult r : ObserveResult.values()) {
        FunctionCounter.builder("frip.features.events", outcomes[r.ordinal()], LongAdder::sum)
            .description("Events offered to the feature store, by outcome")
            .tag("outcome", r.name().toLowerCase(Locale.ROOT))
            .register(meters);
      }
      Gauge.builder("frip.features.users", users, UserTable::size)
          .description("Users whose state the feature store holds")
          .register(meters);
    }
  }

  @Override
  public ObserveResult observe(SpecificRecord event) {
    ObserveResult r = observeUncounted(event);
    outcomes[r.ordinal()].increment();
    return r;
  }

  private ObserveResult observeUncounted(SpecificRecord event) {
    if (event == null) {
      return ObserveResult.REJECTED_MISSING_KEY;
    }
    long now = clock.millis();
    ObserveResult check = EventFold.checkExceptBlankUser(event, latestAllowed(now));
    if (check != ObserveResult.ACCEPTED) {
      return check == ObserveResult.IGNORED ? check : EventFold.check(event, latestAllowed(now));
    }
    UserEvents state = users.getOrCreate(EventFold.userId(event), now);
    if (state == null) {
      return ObserveResult.REJECTED_MISSING_KEY; // a blank user id
    }
    int folded;
    synchronized (state) {
      if (event instanceof PaymentEvent) {
        // A payment's vector is read around its fold (before, to score it; after, in a replay):
        // fetch the rows that read touches together with the ones the fold touches.
        Scratch.get().sink += state.prefetch(state.size(), FeatureKernel.PREFETCH_EVENTS);
      }
      folded = EventFold.fold(event, state, latenessAt(state, now), retention, maxEvents);
      state.touch(now);
    }
    return outcome(folded);
  }

  /**
   * The lateness to apply to {@code state} now: the allowed lateness, measured from the earlier of
   * the user's newest event time and the clock. An event stamped ahead of the clock (a device with
   * a fast clock, within the future skew) must not make the user's on-time events late.
   */
  private long latenessAt(UserEvents state, long now) {
    long newest = state.maxTime();
    if (newest <= now) {
      return lateness;
    }
    long ahead = newest - now;
    // Never so far back that an accepted event would already be expired behind the newest one
    // (a future skew beyond the longest window): such an event is refused as late instead.
    return ahead >= retention - lateness ? retention - 1 : lateness + ahead;
  }

  @Override
  public ObserveResult vectorAndObserve(PaymentEvent payment, double[] out) {
    Objects.requireNonNull(payment, "payment");
    checkLength(out);
    long now = clock.millis();
    if (EventFold.checkExceptBlankUser(payment, latestAllowed(now)) != ObserveResult.ACCEPTED) {
      vector(payment, out); // throws for a payment without a vector
      return observe(payment); // counts the rejection (a late or future payment)
    }
    UserEvents state = users.getOrCreate(payment.getUserId(), now);
    if (state == null) { // a blank user id: no vector, so not folded either (as vector + observe)
      throw notFeaturised(payment);
    }
    int folded;
    synchronized (state) {
      // Read first: the vector sees only events before the payment, so reading after the fold
      // would give the same; before it, the fold finds the rows the read fetched.
      FeatureKernel.compute(state, payment, batch, Scratch.get(), out);
      folded = EventFold.fold(payment, state, latenessAt(state, now), retention, maxEvents);
      state.touch(now);
    }
    ObserveResult r = outcome(folded);
    outcomes[r.ordinal()].increment();
    return r;
  }

  /**
   * As the interface's batch call, with the users of each {@link #WARM_AHEAD} payments looked up
   * first, together, and the rows a read touches first loaded: the look-ups of one user after
   * another are each a chain of dependent cache misses (payment, user id, table slot, buffer,
   * rows), which the processor overlaps only when the chains are issued side by side.
   */
  @Override
  public void vectorAndObserve(
      List<PaymentEvent> payments, double[][] out, ObserveResult[] outcomes) {
    BatchCalls.check(payments, out, outcomes);
    int n = payments.size();
    Scratch s = Scratch.get();
    for (int from = 0; from < n; from += WARM_AHEAD) {
      int to = Math.min(n, from + WARM_AHEAD);
      warm(payments, from, to, s);
      for (int i = from; i < to; i++) {
        outcomes[i] = BatchCalls.one(this, payments.get(i), out[i]);
      }
    }
  }

  /**
   * Payments whose users a batch looks up together before it reads and folds them: enough misses in
   * flight to fill the core's miss buffers, few enough that the state they fetch (about 1 kB per
   * user) is still in the cache when it is used. 8, 16 and 32 measured alike (RESULTS.md, session
   * 8).
   */
  static final int WARM_AHEAD = 16;

  /**
   * Fetches the state of the users of {@code payments[from, to)} into the cache, one stage at a
   * time over all of them (see {@link UserTable#peekAll}); changes nothing.
   */
  private void warm(List<PaymentEvent> payments, int from, int to, Scratch s) {
    int n = to - from;
    String[] ids = s.aheadIds;
    for (int i = 0; i < n; i++) {
      PaymentEvent p = payments.get(from + i);
      ids[i] = p == null ? null : p.getUserId();
    }
    UserEvents[] ahead = s.ahead;
    long x = users.peekAll(ids, s.aheadHashes, ahead, n);
    long[][] rows = s.aheadRows;
    for (int i = 0; i < n; i++) {
      rows[i] = ahead[i] == null ? null : ahead[i].rows();
      x += rows[i] == null ? 0 : rows[i].length;
    }
    for (int i = 0; i < n; i++) {
      if (rows[i] != null) {
        x += ahead[i].warm(rows[i], FeatureKernel.PREFETCH_EVENTS);
      }
      ids[i] = null;
      ahead[i] = null;
      rows[i] = null;
    }
    s.sink += x;
  }

  /**
   * The newest event time accepted at clock {@code now}: {@code now + futureSkew}, saturated at
   * {@link Long#MAX_VALUE}, so that a very large skew means "no limit" instead of overflowing to a
   * time before every event (which would reject them all as in the future).
   */
  private long latestAllowed(long now) {
    long latest = now + futureSkew;
    return ((now ^ latest) & (futureSkew ^ latest)) < 0 ? Long.MAX_VALUE : latest;
  }

  /** {@code d.toMillis()}, or {@link Long#MAX_VALUE} for a duration too long for it. */
  private static long saturatedMillis(Duration d) {
    try {
      return d.toMillis();
    } catch (ArithmeticException tooLong) {
      return Long.MAX_VALUE;
    }
  }

  private static ObserveResult outcome(int folded) {
    switch (folded) {
      case UserEvents.INSERTED:
        return ObserveResult.ACCEPTED;
      case UserEvents.DUPLICATE:
        return ObserveResult.DUPLICATE;
      default:
        return ObserveResult.REJECTED_TOO_LATE;
    }
  }

  private static void checkLength(double[] out) {
    if (out.length < FeatureCatalog.size()) {
      throw new IllegalArgumentException(
          "vector buffer has "
              + out.length
              + " slots, the catalogue "
              + FeatureCatalog.VERSION
              + " needs "
              + FeatureCatalog.size());
    }
  }

  @Override
  public void vector(PaymentEvent payment, double[] out) {
    checkLength(out);
    if (EventFold.checkExceptBlankUser(payment, Long.MAX_VALUE) != ObserveResult.ACCEPTED) {
      throw notFeaturised(payment);
    }
    // A read is not activity: idle means no event folded.
    UserEvents state = users.get(payment.getUserId(), clock.millis());
    Scratch scratch = Scratch.get();
    if (state == null) {
      if (payment.getUserId().isBlank()) {
        throw notFeaturised(payment); // a held user passed this test when added
      }
      FeatureKernel.compute(null, payment, batch, scratch, out);
      return;
    }
    synchronized (state) {
      FeatureKernel.compute(state, payment, batch, scratch, out);
    }
  }

  private static IllegalArgumentException notFeaturised(PaymentEvent payment) {
    return new IllegalArgumentException(
        "payment "
            + payment.getPaymentId()
            + " cannot be featurised: "
            + EventFold.reason(payment, EventFold.check(payment, Long.MAX_VALUE)));
  }

  @Override
  public void loadBatchFeatures(BatchFeatures batch) {
    this.batch = batch;
  }

  @Override
  public Map<ObserveResult, Long> outcomeCounts() {
    Map<ObserveResult, Long> m = new EnumMap<>(ObserveResult.class);
    for (ObserveResult r : ObserveResult.values()) {
      m.put(r, outcomes[r.ordinal()].sum());
    }
    return Collections.unmodifiableMap(m);
  }

  @Override
  public long trackedUsers() {
    users.cleanUp(clock.millis());
    return users.size();
  }

  @Override
  public void snapshot(OutputStream out, Map<String, Long> offsets) throws IOException {
    DataOutputStream data = new DataOutputStream(new BufferedOutputStream(out, 1 << 16));
    data.writeInt(SNAPSHOT_MAGIC);
    data.writeInt(SNAPSHOT_FORMAT);
    data.writeUTF(FeatureCatalog.VERSION);
    data.writeInt(offsets.size());
    for (Map.Entry<String, Long> e : offsets.entrySet()) {
      data.writeUTF(e.getKey());
      data.writeLong(e.getValue());
    }
    try {
      users.forEachActive(
          clock.millis(),
          (user, state) -> {
            int[] packed;
            long maxTime;
            long dropped;
            synchronized (state) {
              packed = state.packed();
              maxTime = state.maxTime();
              dropped = state.droppedForCapacity();
            }
            try {
              data.writeBoolean(true);
              data.writeUTF(user);
              data.writeLong(maxTime);
              data.writeLong(dropped);
              data.writeInt(packed.length);
              for (int v : packed) {
                data.writeInt(v);
              }
            } catch (IOException e) {
              throw new UncheckedIOException(e);
            }
          });
    } catch (UncheckedIOException e) {
      throw e.getCause();
    }
    data.writeBoolean(false);
    data.flush();
  }

  /** Ints of packed events read at a time: a corrupt length costs at most this before EOF. */
  private static final int RESTORE_CHUNK = 1 << 16;

  /**
   * {@inheritDoc}
   *
   * <p>All or nothing: the whole snapshot is read and checked before any user is replaced, so a
   * snapshot that is truncated or corrupt leaves the store as it was. Lengths are checked before
   * anything is allocated for them and arrays grow only with the bytes actually read, so a corrupt
   * length cannot allocate more than the stream holds. Every failure is an {@link IOException}
   * naming what was wrong, the user and the byte offset of its record.
   */
  @Override
  public Map<String, Long> restore(InputStream in) throws IOException {
    Counting counted = new Counting(new BufferedInputStream(in, 1 << 16));
    DataInputStream data = new DataInputStream(counted);
    String reading = "the header";
    Map<String, Long> offsets = new LinkedHashMap<>();
    Map<String, UserEvents> parsed = new LinkedHashMap<>();
    try {
      int magic = data.readInt();
      if (magic != SNAPSHOT_MAGIC) {
        throw new IOException(
            "not a FRIP feature-store snapshot: magic was 0x" + Integer.toHexString(magic));
      }
      int format = data.readInt();
      if (format != SNAPSHOT_FORMAT) {
        throw new IOException(
            "snapshot format " + format + " is not supported; this store reads " + SNAPSHOT_FORMAT);
      }
      String version = data.readUTF();
      if (!FeatureCatalog.VERSION.equals(version)) {
        throw new IOException(
            "snapshot holds features "
                + version
                + ", this store computes "
                + FeatureCatalog.VERSION
                + "; rebuild state by replaying the topics instead");
      }
      reading = "the offset count";
      long at = counted.count;
      int n = data.readInt();
      if (n < 0) {
        throw corrupt("offset count " + n + " is negative", at);
      }
      for (int i = 0; i < n; i++) {
        reading = "offset " + i + " of " + n;
        at = counted.count;
        String source = data.readUTF();
        if (offsets.put(source, data.readLong()) != null) {
          throw corrupt("offset of " + source + " recorded twice", at);
        }
      }
      while (true) {
        at = counted.count;
        reading = "the marker after user record " + parsed.size();
        int marker = data.readUnsignedByte();
        if (marker == 0) {
          break;
        }
        if (marker != 1) {
          throw corrupt(
              "record marker " + marker + " after " + parsed.size() + " users, must be 0 or 1", at);
        }
        reading = "user record " + parsed.size();
        String user = data.readUTF();
        String which = "user '" + user + "' (record " + parsed.size() + ")";
        reading = which;
        if (user.isBlank()) {
          throw corrupt(which + ": blank user id", at);
        }
        if (parsed.containsKey(user)) {
          throw corrupt(which + ": recorded twice", at);
        }
        long maxTime = data.readLong();
        long dropped = data.readLong();
        int length = data.readInt();
        if (length < 0 || length % UserEvents.STRIDE != 0) {
          throw corrupt(
              which
                  + ": events length "
                  + length
                  + " is not a non-negative multiple of "
                  + UserEvents.STRIDE,
              at);
        }
        int[] packed = readInts(data, length);
        try {
          parsed.put(user, UserEvents.restore(packed, maxTime, dropped));
        } catch (IllegalArgumentException e) {
          throw corrupt(which + ": " + e.getMessage(), at);
        }
      }
    } catch (EOFException e) {
      throw new IOException(
          "snapshot is truncated: it ends at byte " + counted.count + " inside " + reading, e);
    } catch (UTFDataFormatException e) {
      throw new IOException(
          "corrupt snapshot: malformed string in "
              + reading
              + " before byte "
              + counted.count
              + ": "
              + e.getMessage(),
          e);
    }
    long now = clock.millis();
    parsed.forEach((user, state) -> users.put(user, state, now));
    return Collections.unmodifiableMap(offsets);
  }

  private static IOException corrupt(String what, long offset) {
    return new IOException("corrupt snapshot at byte " + offset + ": " + what);
  }

  /**
   * {@code length} ints, read into an array that grows only as they arrive: a corrupt length meets
   * the end of the stream (an {@link EOFException}) before it costs more memory than the bytes
   * read.
   */
  private static int[] readInts(DataInputStream data, int length) throws IOException {
    int[] values = new int[Math.min(length, RESTORE_CHUNK)];
    for (int i = 0; i < length; i++) {
      if (i == values.length) {
        values = Arrays.copyOf(values, (int) Math.min(length, 2L * values.length));
      }
      values[i] = data.readInt();
    }
    return values;
  }

  /** Counts the bytes read through it, for the offsets in error messages. */
  private static final class Counting extends FilterInputStream {
    long count;

    Counting(InputStream in) {
      super(in);
    }

    @Override
    public int read() throws IOException {
      int b = super.read();
      if (b >= 0) {
        count++;
      }
      return b;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      int n = super.read(b, off, len);
      if (n > 0) {
        count += n;
      }
      return n;
    }

    @Override
    public long skip(long n) throws IOException {
      long skipped = super.skip(n);
      count += skipped;
      return skipped;
    }

    @Override
    public boolean markSupported() {
      return false;
    }
  }
}
