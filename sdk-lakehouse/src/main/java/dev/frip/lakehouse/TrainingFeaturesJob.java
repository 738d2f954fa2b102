package dev.frip.lakehouse;

import dev.frip.core.BatchFeatures;
import dev.frip.core.FeatureCatalog;
import dev.frip.core.OfflineFeatures;
import dev.frip.core.Topics;
import dev.frip.core.events.DeviceEvent;
import dev.frip.core.events.GeoEvent;
import dev.frip.core.events.PaymentEvent;
import dev.frip.core.events.RefundEvent;
import dev.frip.core.events.RefundType;
import dev.frip.core.quality.Expectation;
import dev.frip.core.quality.ExpectationSuite;
import dev.frip.lakehouse.internal.Columns;
import dev.frip.lakehouse.internal.DeltaTable;
import dev.frip.lakehouse.internal.Futures;
import dev.frip.lakehouse.internal.QualityGate;
import dev.frip.lakehouse.internal.ReadAhead;
import dev.frip.lakehouse.internal.StringPool;
import io.delta.kernel.types.BooleanType;
import io.delta.kernel.types.DateType;
import io.delta.kernel.types.DoubleType;
import io.delta.kernel.types.LongType;
import io.delta.kernel.types.StringType;
import io.delta.kernel.types.StructType;
import io.delta.kernel.types.TimestampType;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.FutureTask;
import java.util.function.Function;
import java.util.function.IntPredicate;
import org.apache.avro.specific.SpecificRecord;

/**
 * Builds {@code gold/training_features/event_date=D}: one row per silver payment of {@code D} with
 * its point-in-time {@link FeatureCatalog} vector and its fraud label, computed by {@link
 * OfflineFeatures} (the online {@code FeatureStore}'s code) from the lakehouse history.
 *
 * <pre>{@code
 * TrainingFeaturesResult r = TrainingFeaturesJob.builder(lake).build()
 *     .run(LocalDate.parse("2026-02-25"));
 * lake.scan(lake.goldPath(TrainingFeaturesJob.TABLE)).on(r.date()).rows();
 * }</pre>
 *
 * <p><b>What is read, and why it is point-in-time.</b> A feature of a payment at time {@code t}
 * looks back at most 30 days ({@link FeatureCatalog#LONGEST_WINDOW_MS}); the batch features of day
 * {@code D} read payments in {@code (D - 37d, D - 7d]}, sightings in {@code [D - 30d, D)} and
 * chargebacks that arrived before {@code D}. So the job reads:
 *
 * <ul>
 *   <li>payments from silver ({@code silver/enriched_transactions}, deduplicated and
 *       quality-checked) for {@code event_date} in {@code [D - 37, D]};
 *   <li>geo and device events from bronze (silver does not carry them) for {@code [D - 30, D]};
 *   <li>refunds from bronze for {@code [D - 37, D + chargebackHorizonDays]}: merchant refunds up to
 *       the end of {@code D} (a feature input), chargebacks up to the horizon (labels only).
 * </ul>
 *
 * <p>The events from {@code D - 30d} on run through {@link OfflineFeatures} in event-time order, so
 * each vector sees only events at or before its payment ({@link FeatureCatalog} defines the
 * same-millisecond order); events after the payment, and everything after the end of {@code D} but
 * refunds events, are never inputs. Those feed only the label columns ({@code is_fraud}, {@code
 * fraud_scenario}, {@code label_available_at}: the earliest event that marks the payment as fraud
 * by {@link dev.frip.core.FraudLabels}, a fraud chargeback or an abusive refund) and, through
 * {@link BatchFeatures}, the terminal and merchant risk of payments so marked before {@code D}. A
 * trainer with cut-off {@code c} treats {@code label_available_at > c} as unknown.
 *
 * <p><b>Table.</b> Columns: {@code event_id} and {@link OfflineFeatures#trainingColumns()} (key
 * columns, one double per feature named as in {@link FeatureCatalog#schema()}, NaN for missing, the
 * label columns), then {@code feature_version} ({@link FeatureCatalog#VERSION}) and {@code
 * event_date}. Every silver payment of {@code D} gets a row or goes to {@code
 * quarantine/training_features} with the reason (e.g. a payment the feature code rejects); a
 * quality suite (unique {@code event_id}, row count reconciled with silver) runs before
 * publication, which replaces the date's partition in one commit, so re-runs are idempotent and
 * pick up late labels.
 *
 * <p>Silver must be built for {@code D} and, for complete history, for the 37 days before it:
 * {@link TrainingFeaturesResult#datesWithoutSilver()} lists look-back dates without payments.
 *
 * @since 0.1.0
 */
public final class TrainingFeaturesJob {

  /** The gold table's name: {@code gold/training_features}. */
  public static final String TABLE = "training_features";

  /** Days of user-stream history before {@code D}: the longest feature window. */
  public static final int USER_HISTORY_DAYS =
      (int) Duration.ofMillis(FeatureCatalog.LONGEST_WINDOW_MS).toDays();

  /** Days of payment history the batch features of {@code D} need: 7-day label delay + 30 days. */
  public static final int BATCH_HISTORY_DAYS = 37;

  /** Silver columns read: what the feature code needs of a payment, and the partition date. */
  private static final StructType SILVER_READ =
      new StructType()
          .add("event_id", StringType.STRING)
          .add("event_time", TimestampType.TIMESTAMP)
          .add("payment_id", StringType.STRING)
          .add("user_id", StringType.STRING)
          .add("card_id", StringType.STRING)
          .add("merchant_id", StringType.STRING)
          .add("terminal_id", StringType.STRING)
          .add("device_id", StringType.STRING)
          .add("ip", StringType.STRING)
          .add("country", StringType.STRING)
          .add("lat", DoubleType.DOUBLE)
          .add("lon", DoubleType.DOUBLE)
          .add("amount_minor", LongType.LONG)
          .add(Lakehouse.EVENT_DATE, DateType.DATE);

  private static final StructType GEO_READ =
      new StructType()
          .add("event_id", StringType.STRING)
          .add("event_time", TimestampType.TIMESTAMP)
          .add("user_id", StringType.STRING)
          .add("device_id", StringType.STRING)
          .add("lat", DoubleType.DOUBLE)
          .add("lon", DoubleType.DOUBLE)
          .add("country", StringType.STRING)
          .add("ip", StringType.STRING);
  private static final StructType DEVICE_READ =
      new StructType()
          .add("event_id", StringType.STRING)
          .add("event_time", TimestampType.TIMESTAMP)
          .add("user_id", StringType.STRING)
          .add("device_id", StringType.STRING)
          .add("ip", StringType.STRING)
          .add("ip_country", StringType.STRING);
  private static final StructType REFUND_READ =
      new StructType()
          .add("event_id", StringType.STRING)
          .add("event_time", TimestampType.TIMESTAMP)
          .add("payment_id", StringType.STRING)
          .add("user_id", StringType.STRING)
          .add("amount_minor", LongType.LONG)
          .add("refund_type", StringType.STRING)
          .add("fraud_scenario", StringType.STRING);

  /** Id columns of the read schemas whose values recur across rows, files and tables. */
  private static final List<String> ID_COLUMNS =
      List.of("user_id", "card_id", "merchant_id", "terminal_id", "device_id", "ip");

  /** Every read schema starts with these two columns. */
  private static final int EVENT_ID = 0;

  private static final int EVENT_TIME = 1;

  /** The silver payment columns that make a payment event (all but the date). */
  private static final int PAYMENT_FIELDS = SILVER_READ.length() - 1;

  private static final int EVENT_DATE = PAYMENT_FIELDS;

  private static final StructType SCHEMA;
  private static final List<String> COLUMNS;

  static {
    StructType s = new StructType().add("event_id", StringType.STRING, false);
    s = s.add("payment_id", StringType.STRING, false);
    s = s.add("user_id", StringType.STRING, false);
    s = s.add("event_time", TimestampType.TIMESTAMP, false);
    for (String f : FeatureCatalog.names()) {
      s = s.add(f, DoubleType.DOUBLE, false);
    }
    s = s.add("is_fraud", BooleanType.BOOLEAN, false);
    s = s.add("fraud_scenario", StringType.STRING, true);
    s = s.add("label_available_at", TimestampType.TIMESTAMP, true);
    s = s.add("feature_version", StringType.STRING, false);
    s = s.add(Lakehouse.EVENT_DATE, DateType.DATE, false);
    List<String> expected = new ArrayList<>(List.of("event_id"));
    expected.addAll(OfflineFeatures.trainingColumns());
    expected.add("feature_version");
    expected.add(Lakehouse.EVENT_DATE);
    if (!s.fieldNames().equals(expected)) {
      throw new IllegalStateException(
          "training table columns " + s.fieldNames() + " != " + expected);
    }
    SCHEMA = s;
    COLUMNS = Collections.unmodifiableList(s.fieldNames());
  }

  private final Lakehouse lake;
  private final int chargebackHorizonDays;
  private final int maximumEventsPerUser;
  private final Clock clock;

  private TrainingFeaturesJob(Builder b) {
    this.lake = b.lake;
    this.chargebackHorizonDays = b.chargebackHorizonDays;
    this.maximumEventsPerUser = b.maximumEventsPerUser;
    this.clock = b.clock;
  }

  /** A builder for training-feature jobs on {@code lake}. */
  public static Builder builder(Lakehouse lake) {
    return new Builder(Objects.requireNonNull(lake, "lake"));
  }

  /** The training table's columns, in order. */
  public static List<String> columns() {
    return COLUMNS;
  }

  /**
   * Computes, checks and publishes the training rows of {@code date}.
   *
   * @throws IllegalStateException when silver has no payment for {@code date} (run the silver job
   *     first)
   */
  public TrainingFeaturesResult run(LocalDate date) {
    Objects.requireNonNull(date, "date");
    long t0 = System.nanoTime();
    // The history (silver and bronze in memory) is let go before the write, the heaviest phase.
    Computed c = compute(date);
    long t1 = t0 + c.readNanos();
    long t2 = System.nanoTime();
    int silverPayments = c.silverPayments();
    List<QualityGate.Rejected> rejected = c.rejected();
    ExpectationSuite suite =
        ExpectationSuite.named(TABLE)
            .expect(Expectation.notNull("event_id"))
            .expect(Expectation.unique("event_id"))
            .expect(Expectation.between("hour_of_day", 0, 23))
            .expect(
                Expectation.rowCount(
                    silverPayments - rejected.size(),
                    "silver payments of the date less quarantined"))
            .build();
    QualityGate gate =
        new QualityGate(lake.engine(), lake.hadoopConfiguration(), lake.checkpointInterval());
    QualityGate.ColumnarDecision d =
        gate.check(
            TABLE,
            date,
            c.rows(),
            rejected,
            suite,
            clock.instant(),
            lake.quarantinePath(TABLE),
            lake.qualityResultsPath(TABLE));
    DeltaTable table = lake.table(lake.goldPath(TABLE), SCHEMA, Lakehouse.EVENT_DATE);
    long version;
    int published = 0;
    if (d.publish()) {
      version = table.replacePartition(date, d.publishable());
      published = d.publishable().size();
    } else {
      version = table.version();
    }
    long t3 = System.nanoTime();

    List<LocalDate> missing = new ArrayList<>();
    for (LocalDate x = date.minusDays(BATCH_HISTORY_DAYS); x.isBefore(date); x = x.plusDays(1)) {
      if (!c.silverDays().contains((int) x.toEpochDay())) {
        missing.add(x);
      }
    }
    return new TrainingFeaturesResult(
        date,
        d.publish(),
        version,
        published,
        silverPayments,
        d.quarantined(),
        c.eventsRead(),
        c.summary().outcomes(),
        missing,
        FeatureCatalog.VERSION,
        new TrainingFeaturesResult.Timings(
            Duration.ofNanos(t1 - t0), Duration.ofNanos(t2 - t1), Duration.ofNanos(t3 - t2)),
        d.result(),
        d.resultPath());
  }

  /** What {@link #compute} made of the lakehouse for one date, before the quality gate. */
  private record Computed(
      Columns rows,
      List<QualityGate.Rejected> rejected,
      int silverPayments,
      long eventsRead,
      OfflineFeatures.Summary summary,
      Set<Integer> silverDays,
      long readNanos) {}

  /** Reads the history of {@code date} and computes its training rows. */
  private Computed compute(LocalDate date) {
    long t0 = System.nanoTime();
    long dayStart = date.atStartOfDay(ZoneOffset.UTC).toInstant().toEpochMilli();
    long dayEnd = date.plusDays(1).atStartOfDay(ZoneOffset.UTC).toInstant().toEpochMilli();
    int day = (int) date.toEpochDay();

    History h = new History(date, date, date.plusDays(chargebackHorizonDays));
    Columns silver = h.payments;
    int silverPayments = 0;
    Set<Integer> silverDays = new HashSet<>();
    int last = Integer.MIN_VALUE;
    for (int r = 0; r < silver.size(); r++) {
      int d = silver.getInt(r, EVENT_DATE);
      if (d != last) {
        silverDays.add(d); // rows come partition by partition: few changes
        last = d;
      }
      silverPayments += d == day ? 1 : 0;
    }
    if (silverPayments == 0) {
      throw new IllegalStateException(
          "silver has no payments for "
              + date
              + " in "
              + lake.silverPath()
              + "; run the silver job for that date first");
    }
    // Merchant refunds after the day can change no vector of the day; chargebacks are labels.
    Order order = h.order(g -> !h.isRefund(g) || h.isChargeback(g) || h.time(g) < dayEnd);
    long read = System.nanoTime() - t0;

    // Day D's batch table reads only what happened before D 00:00 (its own definition): hand it
    // just that prefix, not the day's payments. It is computed on a second thread while this one
    // folds the history before D (which needs no batch feature); the first vector waits for it.
    int beforeDay = order.firstAtOrAfter(dayStart);
    FutureTask<BatchFeatures> batch =
        new FutureTask<>(() -> BatchFeatures.compute(h.events(order, 0, beforeDay), date, date));
    Thread batchThread = new Thread(batch, "training-features-batch-table");
    batchThread.setDaemon(true);
    batchThread.start();
    OfflineFeatures offline =
        OfflineFeatures.builder()
            .batchFeatures(() -> Futures.get(batch, "computing the batch table"))
            .maximumEventsPerUser(maximumEventsPerUser)
            .build();
    // No vector of the day looks back further than the longest window: older payments (read for
    // the batch table) need not be folded; earlier days are folded without computing vectors.
    int from = order.firstAtOrAfter(dayStart - FeatureCatalog.LONGEST_WINDOW_MS);
    List<SpecificRecord> chargebacks = new ArrayList<>();
    for (int i = from; i < order.size(); i++) {
      if (h.isChargeback(order.event(i))) {
        chargebacks.add(h.event(order.event(i)));
      }
    }
    Columns out = Columns.allocate(SCHEMA, silverPayments);
    boolean[] emitted = new boolean[silver.size()];
    int[] rows = {0};
    OfflineFeatures.Summary summary;
    // The events are made from the columns on a third thread, ahead of the fold.
    try (ReadAhead<SpecificRecord> events =
        new ReadAhead<>(
            from, order.size(), i -> h.event(order.event(i)), "training-features-events")) {
      summary =
          offline.compute(
              events,
              chargebacks,
              p -> {
                // A row of silver's partition D (whose event_date is its event time's date).
                long t = p.getEventTime().toEpochMilli();
                return t >= dayStart
                    && t < dayEnd
                    && silver.getInt(((SilverPayment) p).row, EVENT_DATE) == day;
              },
              (p, v, l) -> {
                int r = ((SilverPayment) p).row;
                emitted[r] = true;
                row(out, rows[0]++, silver, r, v, l, day);
              });
    }
    Futures.get(
        batch,
        "computing the batch table"); // a failure of the batch table fails the job, even if no
    // vector needed it

    List<QualityGate.Rejected> rejected = new ArrayList<>();
    if (rows[0] < silverPayments) {
      for (int r = 0; r < silver.size(); r++) {
        if (!emitted[r] && silver.getInt(r, EVENT_DATE) == day) {
          PaymentEvent p = h.payment(r);
          rejected.add(new QualityGate.Rejected("offline_features: " + why(p), json(p)));
        }
      }
      out.truncate(rows[0]);
    }
    return new Computed(out, rejected, silverPayments, order.size(), summary, silverDays, read);
  }

  /**
   * The batch table of {@code date} (see {@link BatchFeatures}) from the same inputs {@link #run}
   * uses for it: silver payments of the {@value #BATCH_HISTORY_DAYS} days before {@code date},
   * device and geo events of the {@link #USER_HISTORY_DAYS} days before, and the chargebacks that
   * arrived before {@code date}. Load it into the online store of a scorer that scores {@code date}
   * (and later days until a newer table is loaded), so serving sees the batch features the training
   * rows of that date hold. Needs no silver for {@code date} itself.
   */
  public BatchFeatures batchFeatures(LocalDate date) {
    Objects.requireNonNull(date, "date");
    long dayStart = date.atStartOfDay(ZoneOffset.UTC).toInstant().toEpochMilli();
    History h = new History(date, date.minusDays(1), date);
    Order order = h.order(g -> (!h.isRefund(g) || h.isChargeback(g)) && h.time(g) < dayStart);
    return BatchFeatures.compute(h.events(order, 0, order.size()), date, date);
  }

  /** One training row: the payment's keys (from silver row {@code r}), vector and label. */
  private static void row(
      Columns out, int at, Columns silver, int r, double[] v, OfflineFeatures.Label l, int day) {
    int n = v.length;
    // Silver's event_id is the canonical text of the payment's UUID (bronze wrote it from one).
    out.setString(at, 0, silver.getString(r, EVENT_ID));
    out.setString(at, 1, silver.getString(r, 2));
    out.setString(at, 2, silver.getString(r, 3));
    out.setLong(at, 3, silver.getLong(r, EVENT_TIME));
    for (int i = 0; i < n; i++) {
      out.setDouble(at, 4 + i, v[i]);
    }
    out.setBoolean(at, n + 4, l.fraud());
    out.setString(at, n + 5, l.scenario());
    if (l.availableAt() == null) {
      out.setNull(at, n + 6);
    } else {
      out.set(at, n + 6, l.availableAt());
    }
    out.setString(at, n + 7, FeatureCatalog.VERSION);
    out.setInt(at, n + 8, day);
  }

  /** A payment read from silver, with the silver row it came from. */
  private static final class SilverPayment extends PaymentEvent {
    private final int row;

    SilverPayment(
        int row,
        UUID eventId,
        Instant eventTime,
        String paymentId,
        String userId,
        String cardId,
        String merchantId,
        String terminalId,
        String deviceId,
        String ip,
        String country,
        Double lat,
        Double lon,
        long amountMinor) {
      super(
          eventId,
          eventTime,
          paymentId,
          null,
          userId,
          cardId,
          merchantId,
          null,
          null,
          terminalId,
          deviceId,
          ip,
          country,
          lat,
          lon,
          amountMinor,
          null,
          null,
          null,
          null);
      this.row = row;
    }
  }

  /**
   * The events a job reads, column by column: silver payments, then bronze geo, device and refund
   * events. Event {@code g} is numbered across the four in that order (the order a sequential read
   * of the four would give); an Avro event is made only when {@link #event} is asked for it.
   */
  private final class History {
    final Columns payments;
    final Columns geo;
    final Columns devices;
    final Columns refunds;
    final RefundType[] refundTypes;
    final int geoStart;
    final int deviceStart;
    final int refundStart;
    final int size;

    /**
     * Reads silver payments of {@code [date - 37, paymentsTo]}, geo and device events of {@code
     * [date - 30, date]} and refunds of {@code [date - 37, refundsTo]}.
     */
    History(LocalDate date, LocalDate paymentsTo, LocalDate refundsTo) {
      LocalDate batchFrom = date.minusDays(BATCH_HISTORY_DAYS);
      LocalDate userFrom = date.minusDays(USER_HISTORY_DAYS);
      // Ids recur across days and tables: one instance each (a user's id once, not once per
      // event) keeps the history's live set, and the collectors' time, down.
      Map<String, StringPool> ids = new HashMap<>();
      for (String column : ID_COLUMNS) {
        ids.put(column, new StringPool());
      }
      payments =
          lake.reader(lake.silverPath())
              .read(
                  DeltaTable.dateBetween(Lakehouse.EVENT_DATE, batchFrom, paymentsTo),
                  SILVER_READ,
                  ids);
      geo = bronze(Topics.GEO_EVENTS.name(), userFrom, date, GEO_READ, ids);
      devices = bronze(Topics.DEVICES.name(), userFrom, date, DEVICE_READ, ids);
      refunds = bronze(Topics.REFUNDS.name(), batchFrom, refundsTo, REFUND_READ, ids);
      refundTypes = new RefundType[refunds.size()];
      for (int r = 0; r < refundTypes.length; r++) {
        String t = refunds.getString(r, 5);
        refundTypes[r] =
            t == null ? null : parse("RefundEvent", "refund_type", t, RefundType::valueOf);
      }
      geoStart = payments.size();
      deviceStart = geoStart + geo.size();
      refundStart = deviceStart + devices.size();
      size = refundStart + refunds.size();
    }

    private Columns bronze(
        String topic,
        LocalDate from,
        LocalDate to,
        StructType columns,
        Map<String, StringPool> ids) {
      return lake.reader(lake.root() + "/bronze/" + topic)
          .read(DeltaTable.dateBetween(Lakehouse.EVENT_DATE, from, to), columns, ids);
    }

    boolean isRefund(int g) {
      return g >= refundStart;
    }

    boolean isChargeback(int g) {
      return g >= refundStart && refundTypes[g - refundStart] == RefundType.CHARGEBACK;
    }

    /** Event time in milliseconds (0 when missing: such an event is rejected, never folded). */
    long time(int g) {
      Columns c = source(g);
      int r = row(g);
      return c.isNull(r, EVENT_TIME) ? 0 : Math.floorDiv(c.getLong(r, EVENT_TIME), 1000L);
    }

    /** The events {@code g} of {@code order} at positions {@code [from, to)}, made as read. */
    Iterable<SpecificRecord> events(Order order, int from, int to) {
      return () ->
          new Iterator<>() {
            private int i = from;

            @Override
            public boolean hasNext() {
              return i < to;
            }

            @Override
            public SpecificRecord next() {
              if (i >= to) {
                throw new NoSuchElementException();
              }
              return event(order.event(i++));
            }
          };
    }

    /** The events {@code g} that {@code keep} accepts, by event time, ties in read order. */
    Order order(IntPredicate keep) {
      int[] kept = new int[size];
      long[] times = new long[size];
      int n = 0;
      for (int g = 0; g < size; g++) {
        if (keep.test(g)) {
          kept[n] = g;
          times[n++] = time(g);
        }
      }
      return Order.of(Arrays.copyOf(kept, n), Arrays.copyOf(times, n));
    }

    SpecificRecord event(int g) {
      if (g < geoStart) {
        return payment(g);
      }
      Columns c = source(g);
      int r = row(g);
      UUID id =
          uuid(
              c, r, g < deviceStart ? "GeoEvent" : g < refundStart ? "DeviceEvent" : "RefundEvent");
      Instant time = instant(c, r);
      if (g < deviceStart) {
        return new GeoEvent(
            id,
            time,
            c.getString(r, 2),
            c.getString(r, 3),
            c.getDouble(r, 4),
            c.getDouble(r, 5),
            c.getString(r, 6),
            c.getString(r, 7),
            0f,
            null);
      } else if (g < refundStart) {
        return new DeviceEvent(
            id,
            time,
            c.getString(r, 3),
            c.getString(r, 2),
            null,
            null,
            c.getString(r, 4),
            c.getString(r, 5),
            false,
            false);
      }
      return new RefundEvent(
          id,
          time,
          null,
          c.getString(r, 2),
          null,
          c.getString(r, 3),
          null,
          c.getLong(r, 4),
          null,
          refundTypes[r],
          null,
          c.getString(r, 6));
    }

    /** The payment of silver row {@code r}. */
    PaymentEvent payment(int r) {
      Columns c = payments;
      return new SilverPayment(
          r,
          uuid(c, r, "PaymentEvent"),
          instant(c, r),
          c.getString(r, 2),
          c.getString(r, 3),
          c.getString(r, 4),
          c.getString(r, 5),
          c.getString(r, 6),
          c.getString(r, 7),
          c.getString(r, 8),
          c.getString(r, 9),
          c.isNull(r, 10) ? null : c.getDouble(r, 10),
          c.isNull(r, 11) ? null : c.getDouble(r, 11),
          c.getLong(r, 12));
    }

    private Columns source(int g) {
      return g < geoStart ? payments : g < deviceStart ? geo : g < refundStart ? devices : refunds;
    }

    private int row(int g) {
      return g < geoStart
          ? g
          : g < deviceStart ? g - geoStart : g < refundStart ? g - deviceStart : g - refundStart;
    }
  }

  /**
   * Events sorted by event time, ties in read order: position {@code i} holds event {@link
   * #event(int)} at {@link #time(int)} milliseconds.
   */
  static final class Order {
    private final int[] events;
    private final long[] times;

    private Order(int[] events, long[] times) {
      this.events = events;
      this.times = times;
    }

    /**
     * Sorts events {@code ids} (distinct, non-negative, increasing) by {@code times}, equal times
     * by id: a stable sort, as a sort of the events in read order by time would give.
     */
    static Order of(int[] ids, long[] times) {
      int n = ids.length;
      if (n == 0) {
        return new Order(ids, times);
      }
      long min = Long.MAX_VALUE;
      long max = Long.MIN_VALUE;
      for (long t : times) {
        min = Math.min(min, t);
        max = Math.max(max, t);
      }
      int idBits = 32 - Integer.numberOfLeadingZeros(Math.max(ids[n - 1], 1));
      long span = max - min;
      int[] sortedIds = new int[n];
      long[] sortedTimes = new long[n];
      if (span >= 0 && span < 1L << (63 - idBits)) {
        // One primitive sort of (time - min, id) packed into a long.
        long[] keys = new long[n];
        for (int i = 0; i < n; i++) {
          keys[i] = (times[i] - min) << idBits | ids[i];
        }
        Arrays.parallelSort(keys);
        long mask = (1L << idBits) - 1;
        for (int i = 0; i < n; i++) {
          sortedIds[i] = (int) (keys[i] & mask);
          sortedTimes[i] = (keys[i] >>> idBits) + min;
        }
      } else {
        Integer[] at = new Integer[n];
        for (int i = 0; i < n; i++) {
          at[i] = i;
        }
        Arrays.sort(at, Comparator.comparingLong((Integer i) -> times[i]));
        for (int i = 0; i < n; i++) {
          sortedIds[i] = ids[at[i]];
          sortedTimes[i] = times[at[i]];
        }
      }
      return new Order(sortedIds, sortedTimes);
    }

    int size() {
      return events.length;
    }

    int event(int i) {
      return events[i];
    }

    long time(int i) {
      return times[i];
    }

    /** The first position whose time is at or after {@code time}. */
    int firstAtOrAfter(long time) {
      int lo = 0;
      int hi = events.length;
      while (lo < hi) {
        int mid = (lo + hi) >>> 1;
        if (times[mid] < time) {
          lo = mid + 1;
        } else {
          hi = mid;
        }
      }
      return lo;
    }
  }

  private static UUID uuid(Columns c, int r, String event) {
    String v = c.getString(r, EVENT_ID);
    return v == null ? null : parse(event, "event_id", v, UUID::fromString);
  }

  private static Instant instant(Columns c, int r) {
    return c.isNull(r, EVENT_TIME) ? null : (Instant) c.value(r, EVENT_TIME);
  }

  /** Parses a value read from a table, naming the event and field when it does not parse. */
  private static <T> T parse(String event, String field, String v, Function<String, T> parser) {
    try {
      return parser.apply(v);
    } catch (RuntimeException e) {
      throw new IllegalArgumentException(event + "." + field + ": cannot read '" + v + "'", e);
    }
  }

  /** Why the offline computation emitted no vector for a payment (its validation, in order). */
  private static String why(PaymentEvent p) {
    if (p.getMerchantId() == null) {
      return "merchant_id is null";
    }
    if (p.getCountry() == null) {
      return "country is null";
    }
    if (p.getUserId() == null || p.getUserId().isBlank()) {
      return "user_id is null or blank";
    }
    if (p.getEventId() == null) {
      return "event_id is null";
    }
    if (p.getEventTime() == null || p.getEventTime().toEpochMilli() <= 0) {
      return "event_time is not positive";
    }
    String amount = FeatureCatalog.amountProblem(p.getAmountMinor());
    if (amount != null) {
      return amount;
    }
    return "duplicate of an event already folded for the user (same event time and event id hash)";
  }

  private static String json(PaymentEvent p) {
    List<String> columns = SILVER_READ.fieldNames().subList(0, PAYMENT_FIELDS);
    Object[] values = new Object[columns.size()];
    for (int i = 0; i < values.length; i++) {
      Object v = p.get(PaymentEvent.getClassSchema().getField(columns.get(i)).pos());
      values[i] = v == null || v instanceof Number || v instanceof Instant ? v : v.toString();
    }
    return QualityGate.rowJson(columns, values);
  }

  /**
   * Builds a {@link TrainingFeaturesJob}.
   *
   * @since 0.1.0
   */
  public static final class Builder {
    private final Lakehouse lake;
    private int chargebackHorizonDays = 180;
    private int maximumEventsPerUser = 1024;
    private Clock clock = Clock.systemUTC();

    private Builder(Lakehouse lake) {
      this.lake = lake;
    }

    /** How many days after the date chargebacks are looked for as labels (default 180). */
    public Builder chargebackHorizonDays(int days) {
      if (days < 0) {
        throw new IllegalArgumentException(
            "chargeback horizon was " + days + " days, must be >= 0");
      }
      this.chargebackHorizonDays = days;
      return this;
    }

    /**
     * Cap on events kept per user; must be the online store's ({@code
     * FeatureStore.Builder#maximumEventsPerUser}, default 1024) for the two to agree.
     */
    public Builder maximumEventsPerUser(int maximumEventsPerUser) {
      OfflineFeatures.builder().maximumEventsPerUser(maximumEventsPerUser); // its rule, its message
      this.maximumEventsPerUser = maximumEventsPerUser;
      return this;
    }

    /** The clock stamping quality results. */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /** Builds the job. */
    public TrainingFeaturesJob build() {
      return new TrainingFeaturesJob(this);
    }
  }
}
