package dev.frip.core;

import dev.frip.core.events.PaymentEvent;
import dev.frip.core.events.RefundEvent;
import dev.frip.core.events.RefundType;
import dev.frip.core.internal.features.EventFold;
import dev.frip.core.internal.features.FeatureKernel;
import dev.frip.core.internal.features.Scratch;
import dev.frip.core.internal.features.StringIds;
import dev.frip.core.internal.features.UserEvents;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Predicate;
import java.util.function.Supplier;
import org.apache.avro.specific.SpecificRecord;

/**
 * Point-in-time feature computation for training: for each payment of an event-time-ordered
 * history, the {@link FeatureCatalog} vector as of the payment's event time, computed by the same
 * code as the online {@link FeatureStore} and from nothing that happened later. The fraud label is
 * attached beside the vector, with the time it became known, and never feeds a feature.
 *
 * <pre>{@code
 * OfflineFeatures offline = OfflineFeatures.builder().batchFeatures(batch).build();
 * offline.compute(silverEventsInTimeOrder, (payment, vector, label) ->
 *     table.append(payment.getPaymentId(), vector, label.fraud(), label.availableAt()));
 * }</pre>
 *
 * <p>Labels: a payment is fraud when a {@link RefundEvent} marks it so by {@link FraudLabels} (a
 * fraud chargeback or an abusive refund; a chargeback that is not fraud labels it legitimate); the
 * marking event's {@code fraud_scenario} and time are reported as {@link Label#scenario()} and
 * {@link Label#availableAt()}. A trainer with cut-off {@code c} should treat labels available after
 * {@code c} as unknown. The events are read twice: once for the labels, once for the features.
 *
 * @since 0.1.0
 */
public final class OfflineFeatures {

  private final Supplier<BatchFeatures> batch;
  private final int maxEvents;

  private OfflineFeatures(Builder b) {
    this.batch = b.batch;
    this.maxEvents = b.maximumEventsPerUser;
  }

  /** Key columns written before the features in a training table. */
  public static final List<String> KEY_COLUMNS = List.of("payment_id", "user_id", "event_time");

  /** Label columns written after the features: never model inputs. */
  public static final List<String> LABEL_COLUMNS =
      List.of("is_fraud", "fraud_scenario", "label_available_at");

  /**
   * Column names of a training table, in order: {@link #KEY_COLUMNS}, the {@link
   * FeatureCatalog#names()}, then {@link #LABEL_COLUMNS}.
   */
  public static List<String> trainingColumns() {
    List<String> c = new ArrayList<>(KEY_COLUMNS);
    c.addAll(FeatureCatalog.names());
    c.addAll(LABEL_COLUMNS);
    return Collections.unmodifiableList(c);
  }

  /** A builder. */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * The label columns of one training row.
   *
   * @param fraud whether a chargeback confirmed this payment as fraud
   * @param scenario the chargeback's {@code fraud_scenario}, or {@code null}
   * @param availableAt when the chargeback arrived, or {@code null} when there is none
   */
  public record Label(boolean fraud, String scenario, Instant availableAt) {
    /** The label of a payment without chargeback. */
    public static final Label NONE = new Label(false, null, null);
  }

  /** Receives one training row; {@code vector} is reused between calls, copy what you keep. */
  @FunctionalInterface
  public interface RowSink {
    /** One payment, its point-in-time vector and its label. */
    void accept(PaymentEvent payment, double[] vector, Label label);
  }

  /**
   * One training row kept in memory by {@link #computeRows}.
   *
   * @param payment the payment
   * @param vector its feature vector in catalogue order
   * @param label its label columns
   */
  public record Row(PaymentEvent payment, double[] vector, Label label) {}

  /**
   * What one run did.
   *
   * @param rows training rows written (payments accepted)
   * @param outcomes how many events ended in each outcome, as the online store counts them
   */
  public record Summary(long rows, Map<ObserveResult, Long> outcomes) {}

  /**
   * Computes every payment's vector. Events must come in non-decreasing event time; events that the
   * online store would reject (missing keys or time, an amount outside [0, {@link
   * FeatureCatalog#MAX_AMOUNT_MINOR}]) are skipped and counted, by the same check.
   *
   * @throws IllegalArgumentException naming the event when the order is violated
   */
  public Summary compute(Iterable<? extends SpecificRecord> eventsInTimeOrder, RowSink sink) {
    return compute(eventsInTimeOrder, eventsInTimeOrder, p -> true, sink);
  }

  /**
   * As {@link #compute(Iterable, RowSink)}, for a caller that wants the vectors of some payments
   * only (say, one day) and holds the chargebacks apart: labels come from the chargebacks among
   * {@code labelEvents} (other events there are ignored), and a payment that {@code vectorFor}
   * refuses is folded into its user's state, so later vectors see it, but gets no vector and no
   * sink call. {@code eventsInTimeOrder} is read once. With {@code labelEvents} the same events and
   * every payment wanted, this is {@link #compute(Iterable, RowSink)}.
   *
   * @param eventsInTimeOrder every event to fold, in non-decreasing event time
   * @param labelEvents where the chargebacks are, in any order (the earliest per payment counts; of
   *     equal times, the first)
   * @param vectorFor which payments get a vector and a sink call
   * @return the summary; {@link Summary#rows()} counts sink calls
   * @throws IllegalArgumentException naming the event when the order is violated
   */
  public Summary compute(
      Iterable<? extends SpecificRecord> eventsInTimeOrder,
      Iterable<? extends SpecificRecord> labelEvents,
      Predicate<? super PaymentEvent> vectorFor,
      RowSink sink) {
    Objects.requireNonNull(sink, "sink");
    Objects.requireNonNull(vectorFor, "vectorFor");
    Map<String, Label> labels = labels(labelEvents);
    Users users = new Users();
    long[] counts = new long[ObserveResult.values().length]; // by outcome, no boxing per event
    double[] vector = new double[FeatureCatalog.size()];
    Scratch scratch = Scratch.get();
    long previous = Long.MIN_VALUE;
    long rows = 0;
    // Payments of the current millisecond wait until every event of that millisecond is folded:
    // ties sort by event-id hash, not by position in the input.
    List<PaymentEvent> pending = new ArrayList<>();
    List<UserEvents> pendingStates = new ArrayList<>();
    BatchTable table = new BatchTable(batch);
    for (SpecificRecord e : eventsInTimeOrder) {
      ObserveResult check =
          e == null ? ObserveResult.REJECTED_MISSING_KEY : EventFold.check(e, Long.MAX_VALUE);
      if (check == ObserveResult.ACCEPTED) {
        long time = eventTime(e);
        if (time < previous) {
          throw new IllegalArgumentException(
              "events are not in event-time order: "
                  + e.getSchema().getName()
                  + " at "
                  + Instant.ofEpochMilli(time)
                  + " follows one at "
                  + Instant.ofEpochMilli(previous));
        }
        if (time > previous) {
          rows += flush(pending, pendingStates, table, labels, scratch, vector, sink);
        }
        previous = time;
        UserEvents state = users.get(EventFold.userId(e));
        int folded = EventFold.fold(e, state, 0L, FeatureCatalog.LONGEST_WINDOW_MS, maxEvents);
        if (folded == UserEvents.DUPLICATE) {
          check = ObserveResult.DUPLICATE;
        } else if (e instanceof PaymentEvent p && vectorFor.test(p)) {
          pending.add(p);
          pendingStates.add(state);
        }
      }
      counts[check.ordinal()]++;
    }
    rows += flush(pending, pendingStates, table, labels, scratch, vector, sink);
    Map<ObserveResult, Long> outcomes = new EnumMap<>(ObserveResult.class);
    for (ObserveResult o : ObserveResult.values()) {
      if (counts[o.ordinal()] > 0) {
        outcomes.put(o, counts[o.ordinal()]);
      }
    }
    return new Summary(rows, Collections.unmodifiableMap(outcomes));
  }

  private long flush(
      List<PaymentEvent> pending,
      List<UserEvents> states,
      BatchTable table,
      Map<String, Label> labels,
      Scratch scratch,
      double[] vector,
      RowSink sink) {
    if (pending.isEmpty()) {
      return 0;
    }
    BatchFeatures b = table.get();
    for (int i = 0; i < pending.size(); i++) {
      PaymentEvent p = pending.get(i);
      FeatureKernel.compute(states.get(i), p, b, scratch, vector);
      sink.accept(p, vector, labels.getOrDefault(p.getPaymentId(), Label.NONE));
    }
    int n = pending.size();
    pending.clear();
    states.clear();
    return n;
  }

  /** As {@link #compute} into a list, each row with its own copy of the vector. */
  public List<Row> computeRows(Iterable<? extends SpecificRecord> eventsInTimeOrder) {
    List<Row> rows = new ArrayList<>();
    compute(eventsInTimeOrder, (p, v, l) -> rows.add(new Row(p, v.clone(), l)));
    return rows;
  }

  /**
   * Each payment's label ({@link FraudLabels}): its earliest fraud-marking refund event, else its
   * earliest chargeback (a chargeback that is not fraud labels the payment as not fraud).
   */
  private static Map<String, Label> labels(Iterable<? extends SpecificRecord> events) {
    Map<String, Label> labels = new HashMap<>();
    for (SpecificRecord e : events) {
      if (e instanceof RefundEvent r && r.getPaymentId() != null && r.getEventTime() != null) {
        String type = r.getRefundType() == null ? null : r.getRefundType().name();
        boolean fraud = FraudLabels.marksFraud(type, r.getReason(), r.getFraudScenario());
        if (fraud || r.getRefundType() == RefundType.CHARGEBACK) {
          labels.merge(
              r.getPaymentId(),
              new Label(fraud, fraud ? r.getFraudScenario() : null, r.getEventTime()),
              OfflineFeatures::earlierLabel);
        }
      }
    }
    return labels;
  }

  /** A fraud label before any other; between two of the same kind, the earlier one. */
  private static Label earlierLabel(Label a, Label b) {
    if (a.fraud() != b.fraud()) {
      return a.fraud() ? a : b;
    }
    return a.availableAt().isAfter(b.availableAt()) ? b : a;
  }

  /** The batch table of one {@link #compute} run, asked of its source once, at the first vector. */
  private static final class BatchTable {
    private final Supplier<BatchFeatures> source;
    private BatchFeatures table;
    private boolean resolved;

    BatchTable(Supplier<BatchFeatures> source) {
      this.source = source;
    }

    BatchFeatures get() {
      if (!resolved) {
        table = source == null ? null : Objects.requireNonNull(source.get(), "batch features");
        resolved = true;
      }
      return table;
    }
  }

  /** Each user's events, by user id: dense ids from {@link StringIds}, the states by id. */
  private static final class Users {
    private final StringIds ids = new StringIds();
    private UserEvents[] states = new UserEvents[1024];

    /** The user's events, created empty on first sight. */
    UserEvents get(String id) {
      int i = ids.id(id);
      if (i == states.length) {
        states = Arrays.copyOf(states, i * 2);
      }
      UserEvents s = states[i];
      if (s == null) {
        s = new UserEvents();
        states[i] = s;
      }
      return s;
    }
  }

  private static long eventTime(SpecificRecord e) {
    // Every type that passes EventFold.check has event_time at schema position 1.
    return ((Instant) e.get(1)).toEpochMilli();
  }

  /**
   * Configures the offline computation; its settings must match the online store's for the two to
   * agree.
   *
   * @since 0.1.0
   */
  public static final class Builder {
    private Supplier<BatchFeatures> batch;
    private int maximumEventsPerUser = 1024;

    private Builder() {}

    /** The batch table; without one, batch features are NaN (as in a store without one). */
    public Builder batchFeatures(BatchFeatures batch) {
      Objects.requireNonNull(batch, "batch");
      this.batch = () -> batch;
      return this;
    }

    /**
     * The batch table, asked of {@code batch} when it is first needed: at the first vector of each
     * {@link #compute} run, once per run, after every event before that payment's millisecond is
     * folded. A caller can so compute the table (say, on another thread, joined here) while the
     * history before the first wanted payment is folded. {@code batch} must not return null.
     */
    public Builder batchFeatures(Supplier<BatchFeatures> batch) {
      this.batch = Objects.requireNonNull(batch, "batch");
      return this;
    }

    /** Same meaning and default as {@link FeatureStore.Builder#maximumEventsPerUser}. */
    public Builder maximumEventsPerUser(int maximumEventsPerUser) {
      if (maximumEventsPerUser < 4) {
        throw new IllegalArgumentException(
            "maximumEventsPerUser was " + maximumEventsPerUser + ", must be at least 4");
      }
      this.maximumEventsPerUser = maximumEventsPerUser;
      return this;
    }

    /** The offline computation. */
    public OfflineFeatures build() {
      return new OfflineFeatures(this);
    }
  }
}
