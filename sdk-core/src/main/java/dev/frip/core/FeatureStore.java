package dev.frip.core;

import dev.frip.core.events.PaymentEvent;
import dev.frip.core.internal.features.BatchCalls;
import dev.frip.core.internal.features.InMemoryFeatureStore;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.apache.avro.specific.SpecificRecord;

/**
 * Online fraud features: per-user state folded from the event streams, read as a feature vector in
 * microseconds when a payment is scored. The vector is the {@link FeatureCatalog} one, computed by
 * the same code as {@link OfflineFeatures}, so a model sees at serving time exactly the features it
 * was trained on.
 *
 * <pre>{@code
 * FeatureStore store = FeatureStore.inMemory()
 *     .maximumUsers(2_000_000)
 *     .expireAfterIdle(Duration.ofDays(31))
 *     .allowedLateness(Duration.ofMinutes(5))
 *     .build();
 * store.observe(paymentEvent);                 // also geo, device and refund events
 * double[] v = new double[FeatureCatalog.size()];
 * store.vector(paymentEvent, v);               // allocation-free read
 * store.vectorAndObserve(paymentEvent, v);     // or read, then fold: scoring on arrival
 * }</pre>
 *
 * <p><b>Event time and lateness.</b> Each user's events are kept sorted by event time. An event up
 * to {@link Builder#allowedLateness} older than the newest event of the same user is inserted at
 * its place; an older one is rejected ({@link ObserveResult#REJECTED_TOO_LATE}) and never folded.
 * When the newest event is stamped ahead of the store's clock (accepted within the future skew: a
 * device with a fast clock), the lateness is measured from the clock instead, so such an event does
 * not turn the user's on-time events away. A vector is computed as of the payment's own event time
 * from the events that sort before it, so once every event up to that time has arrived (at the
 * latest when the user's stream has moved {@code allowedLateness} past it) the vector equals the
 * one from in-order events and the offline computation. A vector read on arrival, as a scorer does,
 * reflects what has arrived by then.
 *
 * <p><b>Bad input.</b> Events without {@code user_id} or {@code event_id}, without event time, with
 * a negative {@code amount_minor} or one above {@link FeatureCatalog#MAX_AMOUNT_MINOR} (payments
 * and refunds), or later than the clock plus {@link Builder#maximumFutureSkew} are rejected with a
 * counted reason ({@link #outcomeCounts()}). Replaying an event already folded is a counted no-op
 * ({@link ObserveResult#DUPLICATE}), so replaying Kafka after {@link #restore} is safe.
 *
 * <p><b>Memory.</b> Users live in a concurrent hash table bounded by {@link Builder#maximumUsers}
 * (beyond it, the least recently active of a random sample of users is evicted) and {@link
 * Builder#expireAfterIdle}; a user is idle when no event of theirs was folded for that long
 * (reading a vector does not count as activity). A user costs about 165 bytes (table slot, key
 * string, user id held inline, buffer object, running totals) plus 48 bytes per event slot, slots
 * growing by doubling (and halving again once expiry leaves them less than a quarter used, so a
 * burst's memory is returned): measured 360 bytes per user with 1M users of 4 events, 936 bytes at
 * 16 events, 3.2 KB at 60 events (a user paying twice a day). Events older than 30 days plus the
 * lateness are dropped and at most {@link Builder#maximumEventsPerUser} are kept. See {@code
 * benchmarks/RESULTS.md}.
 *
 * <p>Implementations are thread-safe; updates to one user are serialised.
 *
 * @since 0.1.0
 */
public interface FeatureStore {

  /** A builder for the in-process store. */
  static Builder inMemory() {
    return new Builder();
  }

  /**
   * Folds an event into its user's state: payments, geo events, device events and merchant refunds.
   * Chargebacks (labels), orders and user events are {@link ObserveResult#IGNORED}.
   *
   * @return what happened; every outcome is also counted
   */
  ObserveResult observe(SpecificRecord event);

  /**
   * Writes the feature vector of a payment, as of its event time, into {@code out[0 ..
   * FeatureCatalog.size())}. The payment itself need not have been observed; it counts in its own
   * windows either way. Allocates nothing.
   *
   * @throws IllegalArgumentException when the payment lacks user, id, time, merchant or country,
   *     its {@code amount_minor} is outside [0, {@link FeatureCatalog#MAX_AMOUNT_MINOR}], or {@code
   *     out} is shorter than {@link FeatureCatalog#size()}
   */
  void vector(PaymentEvent payment, double[] out);

  /**
   * Reads a payment's vector, then folds the payment in: {@link #vector(PaymentEvent, double[])}
   * followed by {@link #observe(SpecificRecord)}, the work of scoring a payment as it arrives. The
   * in-process store does both under one look-up of the user and one lock, so a concurrent event of
   * the same user cannot fall between the read and the fold. The vector is the one {@link
   * #vector(PaymentEvent, double[])} gives: it does not depend on whether the payment was folded.
   *
   * @return the fold's outcome, counted as by {@link #observe}; a payment the store rejects (too
   *     late, in the future) still gets its vector
   * @throws IllegalArgumentException as {@link #vector(PaymentEvent, double[])} does, and then the
   *     payment is not folded
   */
  default ObserveResult vectorAndObserve(PaymentEvent payment, double[] out) {
    vector(payment, out);
    return observe(payment);
  }

  /**
   * Reads and folds a batch of payments in order: for each {@code i}, {@link
   * #vectorAndObserve(PaymentEvent, double[])} of {@code payments.get(i)} into {@code out[i]}, with
   * its outcome in {@code outcomes[i]}. This is the way to score a poll of payments: the in-process
   * store looks up the users of the next few payments together, so that their state comes from
   * memory in parallel instead of one user after another.
   *
   * <p>A payment the store cannot featurise (a {@code null} payment, one without user, id, time,
   * merchant or country, or with an amount out of range) does not stop the batch: its vector is all
   * {@link Double#NaN} (missing), and its outcome is the rejection {@link #observe} gives it,
   * counted as {@code observe} counts it. Every other payment gets exactly the vector and outcome
   * of the one-payment call.
   *
   * @throws IllegalArgumentException when {@code out} or {@code outcomes} is shorter than the
   *     batch, or a vector buffer shorter than {@link FeatureCatalog#size()}; then nothing is
   *     folded
   */
  default void vectorAndObserve(
      List<PaymentEvent> payments, double[][] out, ObserveResult[] outcomes) {
    BatchCalls.check(payments, out, outcomes);
    for (int i = 0; i < payments.size(); i++) {
      outcomes[i] = BatchCalls.one(this, payments.get(i), out[i]);
    }
  }

  /** As {@link #vector(PaymentEvent, double[])} into a new array. */
  default double[] vector(PaymentEvent payment) {
    double[] out = new double[FeatureCatalog.size()];
    vector(payment, out);
    return out;
  }

  /** Feature names in vector order ({@link FeatureCatalog#names()}). */
  default List<String> featureNames() {
    return FeatureCatalog.names();
  }

  /** Version of the vector layout ({@link FeatureCatalog#VERSION}). */
  default String featureVersion() {
    return FeatureCatalog.VERSION;
  }

  /** Replaces the read-only batch table (terminal and merchant risk, cards per device, ...). */
  void loadBatchFeatures(BatchFeatures batch);

  /** How many events ended in each outcome since the store was built. */
  Map<ObserveResult, Long> outcomeCounts();

  /** Users currently held, after pending evictions have run. */
  long trackedUsers();

  /**
   * Writes every user's state and the given source offsets. Pause feeding while it runs, so the
   * state matches the offsets: after {@link #restore}, replaying from those offsets resumes
   * exactly.
   *
   * @param offsets next offset to read per source, e.g. {@code "payments-3" -> 1234}
   */
  void snapshot(OutputStream out, Map<String, Long> offsets) throws IOException;

  /**
   * Loads a {@link #snapshot} into this store, replacing users it contains. All or nothing: the
   * in-process store reads and checks the whole snapshot before it replaces any user.
   *
   * @return the offsets recorded with the snapshot, from which to replay
   * @throws IOException when the stream is not a snapshot of this format and feature version, or is
   *     truncated or corrupt (the message names what is wrong, the user and the byte offset); the
   *     store is then unchanged
   */
  Map<String, Long> restore(InputStream in) throws IOException;

  /**
   * Configures the in-process store. Every setter checks its argument at once.
   *
   * @since 0.1.0
   */
  final class Builder {
    private long maximumUsers = 1_000_000;
    private Duration expireAfterIdle = Duration.ofDays(31);
    private Duration allowedLateness = Duration.ofMinutes(5);
    private Duration maximumFutureSkew = Duration.ofMinutes(5);
    private int maximumEventsPerUser = 1024;
    private Clock clock = Clock.systemUTC();
    private BatchFeatures batch;
    private MeterRegistry meterRegistry;

    private Builder() {}

    /** Most users held; the least valuable are evicted beyond it. Default 1,000,000. */
    public Builder maximumUsers(long maximumUsers) {
      if (maximumUsers < 1) {
        throw new IllegalArgumentException(
            "maximumUsers was " + maximumUsers + ", must be at least 1");
      }
      this.maximumUsers = maximumUsers;
      return this;
    }

    /** A user without events for this long is dropped (reads do not count). Default 31 days. */
    public Builder expireAfterIdle(Duration expireAfterIdle) {
      requirePositive("expireAfterIdle", expireAfterIdle);
      this.expireAfterIdle = expireAfterIdle;
      return this;
    }

    /**
     * How far behind a user's newest event time an event may arrive and still be folded in order.
     * Default 5 minutes; zero means in-order only.
     */
    public Builder allowedLateness(Duration allowedLateness) {
      Objects.requireNonNull(allowedLateness, "allowedLateness");
      if (allowedLateness.isNegative()) {
        throw new IllegalArgumentException(
            "allowedLateness was " + allowedLateness + ", must not be negative");
      }
      this.allowedLateness = allowedLateness;
      return this;
    }

    /**
     * How far ahead of the clock an event time may be. Default 5 minutes. A skew so large that the
     * clock plus it passes the largest time in milliseconds (say {@code
     * Duration.ofMillis(Long.MAX_VALUE)}) means no limit.
     */
    public Builder maximumFutureSkew(Duration maximumFutureSkew) {
      Objects.requireNonNull(maximumFutureSkew, "maximumFutureSkew");
      if (maximumFutureSkew.isNegative()) {
        throw new IllegalArgumentException(
            "maximumFutureSkew was " + maximumFutureSkew + ", must not be negative");
      }
      this.maximumFutureSkew = maximumFutureSkew;
      return this;
    }

    /**
     * Cap on events kept per user within the 30-day horizon; beyond it the oldest are dropped and
     * that user's longest windows undercount. Default 1024.
     */
    public Builder maximumEventsPerUser(int maximumEventsPerUser) {
      if (maximumEventsPerUser < 4) {
        throw new IllegalArgumentException(
            "maximumEventsPerUser was " + maximumEventsPerUser + ", must be at least 4");
      }
      this.maximumEventsPerUser = maximumEventsPerUser;
      return this;
    }

    /** The clock for the future check and idle expiry. Default {@link Clock#systemUTC()}. */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /** The initial batch table; without one, batch features are NaN until one is loaded. */
    public Builder batchFeatures(BatchFeatures batch) {
      this.batch = Objects.requireNonNull(batch, "batch");
      return this;
    }

    /**
     * Publishes {@code frip.features.events} (a counter per {@code outcome}) and {@code
     * frip.features.users} (users held) to this registry. Default: no metrics.
     */
    public Builder meterRegistry(MeterRegistry meterRegistry) {
      this.meterRegistry = Objects.requireNonNull(meterRegistry, "meterRegistry");
      return this;
    }

    /** The store. */
    public FeatureStore build() {
      return new InMemoryFeatureStore(
          maximumUsers,
          expireAfterIdle,
          allowedLateness,
          maximumFutureSkew,
          maximumEventsPerUser,
          clock,
          batch,
          meterRegistry);
    }

    private static void requirePositive(String what, Duration d) {
      Objects.requireNonNull(d, what);
      if (d.isNegative() || d.isZero()) {
        throw new IllegalArgumentException(what + " was " + d + ", must be positive");
      }
    }
  }
}
