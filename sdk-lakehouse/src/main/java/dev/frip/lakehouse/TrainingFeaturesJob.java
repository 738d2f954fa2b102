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
import dev.frip.lakehouse.internal.DeltaTable;
import dev.frip.lakehouse.internal.EventRows;
import dev.frip.lakehouse.internal.QualityGate;
import io.delta.kernel.types.BooleanType;
import io.delta.kernel.types.DateType;
import io.delta.kernel.types.DoubleType;
import io.delta.kernel.types.StringType;
import io.delta.kernel.types.StructType;
import io.delta.kernel.types.TimestampType;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
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
 * chargebacks, are never inputs. Chargebacks feed only the label columns ({@code is_fraud}, {@code
 * fraud_scenario}, {@code label_available_at}, the earliest chargeback) and, through {@link
 * BatchFeatures}, the terminal and merchant risk of payments whose chargeback arrived before {@code
 * D}. A trainer with cut-off {@code c} treats {@code label_available_at > c} as unknown.
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

  private static final List<String> PAYMENT_COLUMNS =
      List.of(
          "event_id",
          "event_time",
          "payment_id",
          "user_id",
          "card_id",
          "merchant_id",
          "terminal_id",
          "device_id",
          "ip",
          "country",
          "lat",
          "lon",
          "amount_minor");
  private static final List<String> GEO_COLUMNS =
      List.of("event_id", "event_time", "user_id", "device_id", "lat", "lon", "country", "ip");
  private static final List<String> DEVICE_COLUMNS =
      List.of("event_id", "event_time", "user_id", "device_id", "ip", "ip_country");
  private static final List<String> REFUND_COLUMNS =
      List.of(
          "event_id",
          "event_time",
          "payment_id",
          "user_id",
          "amount_minor",
          "refund_type",
          "fraud_scenario");

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
    long dayStart = date.atStartOfDay(ZoneOffset.UTC).toInstant().toEpochMilli();
    long dayEnd = date.plusDays(1).atStartOfDay(ZoneOffset.UTC).toInstant().toEpochMilli();

    List<SpecificRecord> events = new ArrayList<>();
    List<PaymentEvent> day = new ArrayList<>();
    Set<LocalDate> silverDates = new TreeSet<>();
    List<String> silverColumns = new ArrayList<>(PAYMENT_COLUMNS);
    silverColumns.add(Lakehouse.EVENT_DATE);
    EventRows payments = new EventRows(PaymentEvent.getClassSchema(), PAYMENT_COLUMNS);
    int dateCol = PAYMENT_COLUMNS.size();
    DeltaTable.forReading(lake.engine(), lake.silverPath())
        .scan(
            DeltaTable.dateBetween(Lakehouse.EVENT_DATE, date.minusDays(BATCH_HISTORY_DAYS), date),
            silverColumns,
            r -> {
              PaymentEvent p = (PaymentEvent) payments.event(r);
              silverDates.add((LocalDate) r[dateCol]);
              events.add(p);
              if (date.equals(r[dateCol])) {
                day.add(p);
              }
            });
    if (day.isEmpty()) {
      throw new IllegalStateException(
          "silver has no payments for "
              + date
              + " in "
              + lake.silverPath()
              + "; run the silver job for that date first");
    }
    addGeoAndDevices(date, events);
    for (SpecificRecord e :
        readBronze(
            Topics.REFUNDS.name(),
            RefundEvent.getClassSchema(),
            REFUND_COLUMNS,
            date.minusDays(BATCH_HISTORY_DAYS),
            date.plusDays(chargebackHorizonDays))) {
      RefundEvent r = (RefundEvent) e;
      // Merchant refunds after the day can change no vector of the day; chargebacks are labels.
      if (r.getRefundType() == RefundType.CHARGEBACK || r.getEventTime().toEpochMilli() < dayEnd) {
        events.add(r);
      }
    }
    events.sort(Comparator.comparingLong(e -> ((Instant) e.get(1)).toEpochMilli()));
    long t1 = System.nanoTime();

    // Day D's batch table reads only what happened before D 00:00 (its own definition): hand it
    // just that prefix, not the day's payments.
    BatchFeatures batch =
        BatchFeatures.compute(events.subList(0, firstAtOrAfter(events, dayStart)), date, date);
    OfflineFeatures offline =
        OfflineFeatures.builder()
            .batchFeatures(batch)
            .maximumEventsPerUser(maximumEventsPerUser)
            .build();
    List<Object[]> rows = new ArrayList<>(day.size());
    List<PaymentEvent> emitted = new ArrayList<>(day.size());
    // No vector of the day looks back further than the longest window: older payments (read for
    // the batch table) need not be folded.
    List<SpecificRecord> userEvents =
        events.subList(
            firstAtOrAfter(events, dayStart - FeatureCatalog.LONGEST_WINDOW_MS), events.size());
    OfflineFeatures.Summary summary =
        offline.compute(
            userEvents,
            (p, v, l) -> {
              long t = p.getEventTime().toEpochMilli();
              if (t >= dayStart && t < dayEnd) {
                rows.add(row(p, v, l, date));
                emitted.add(p);
              }
            });
    long t2 = System.nanoTime();

    List<QualityGate.Rejected> rejected = new ArrayList<>();
    if (emitted.size() < day.size()) {
      Set<PaymentEvent> got = Collections.newSetFromMap(new IdentityHashMap<>());
      got.addAll(emitted);
      for (PaymentEvent p : day) {
        if (!got.contains(p)) {
          rejected.add(new QualityGate.Rejected("offline_features: " + why(p), json(p)));
        }
      }
    }
    int silverPayments = day.size();
    long eventsRead = events.size();
    // The history is no longer needed: let it go before the write, the heaviest phase.
    events.clear();
    day.clear();
    emitted.clear();
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
    QualityGate.Decision d =
        gate.check(
            TABLE,
            date,
            COLUMNS,
            rows,
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
      if (!silverDates.contains(x)) {
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
        eventsRead,
        summary.outcomes(),
        missing,
        FeatureCatalog.VERSION,
        new TrainingFeaturesResult.Timings(
            Duration.ofNanos(t1 - t0), Duration.ofNanos(t2 - t1), Duration.ofNanos(t3 - t2)),
        d.result(),
        d.resultPath());
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
    List<SpecificRecord> events = new ArrayList<>();
    EventRows payments = new EventRows(PaymentEvent.getClassSchema(), PAYMENT_COLUMNS);
    DeltaTable.forReading(lake.engine(), lake.silverPath())
        .scan(
            DeltaTable.dateBetween(
                Lakehouse.EVENT_DATE, date.minusDays(BATCH_HISTORY_DAYS), date.minusDays(1)),
            PAYMENT_COLUMNS,
            r -> events.add(payments.event(r)));
    addGeoAndDevices(date, events);
    for (SpecificRecord e :
        readBronze(
            Topics.REFUNDS.name(),
            RefundEvent.getClassSchema(),
            REFUND_COLUMNS,
            date.minusDays(BATCH_HISTORY_DAYS),
            date)) {
      if (((RefundEvent) e).getRefundType() == RefundType.CHARGEBACK) {
        events.add(e);
      }
    }
    events.removeIf(e -> ((Instant) e.get(1)).toEpochMilli() >= dayStart);
    return BatchFeatures.compute(events, date, date);
  }

  /**
   * Adds the bronze geo and device events of the {@value #USER_HISTORY_DAYS} days up to {@code
   * date}.
   */
  private void addGeoAndDevices(LocalDate date, List<SpecificRecord> events) {
    LocalDate from = date.minusDays(USER_HISTORY_DAYS);
    events.addAll(
        readBronze(Topics.GEO_EVENTS.name(), GeoEvent.getClassSchema(), GEO_COLUMNS, from, date));
    events.addAll(
        readBronze(
            Topics.DEVICES.name(), DeviceEvent.getClassSchema(), DEVICE_COLUMNS, from, date));
  }

  private static int firstAtOrAfter(List<SpecificRecord> sorted, long time) {
    int lo = 0;
    int hi = sorted.size();
    while (lo < hi) {
      int mid = (lo + hi) >>> 1;
      if (((Instant) sorted.get(mid).get(1)).toEpochMilli() < time) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    return lo;
  }

  private List<SpecificRecord> readBronze(
      String topic,
      org.apache.avro.Schema schema,
      List<String> columns,
      LocalDate from,
      LocalDate to) {
    EventRows rows = new EventRows(schema, columns);
    List<SpecificRecord> out = new ArrayList<>();
    DeltaTable.forReading(lake.engine(), lake.root() + "/bronze/" + topic)
        .scan(
            DeltaTable.dateBetween(Lakehouse.EVENT_DATE, from, to),
            columns,
            r -> out.add(rows.event(r)));
    return out;
  }

  private static Object[] row(PaymentEvent p, double[] v, OfflineFeatures.Label l, LocalDate date) {
    int n = FeatureCatalog.size();
    Object[] r = new Object[n + 9];
    r[0] = p.getEventId().toString();
    r[1] = p.getPaymentId();
    r[2] = p.getUserId();
    r[3] = p.getEventTime();
    for (int i = 0; i < n; i++) {
      r[4 + i] = v[i];
    }
    r[n + 4] = l.fraud();
    r[n + 5] = l.scenario();
    r[n + 6] = l.availableAt();
    r[n + 7] = FeatureCatalog.VERSION;
    r[n + 8] = date;
    return r;
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
    if (p.getEventTime().toEpochMilli() <= 0) {
      return "event_time is not positive";
    }
    return "duplicate of an event already folded for the user (same event time and event id hash)";
  }

  private static String json(PaymentEvent p) {
    Object[] values = new Object[PAYMENT_COLUMNS.size()];
    for (int i = 0; i < values.length; i++) {
      Object v = p.get(PaymentEvent.getClassSchema().getField(PAYMENT_COLUMNS.get(i)).pos());
      values[i] = v == null || v instanceof Number || v instanceof Instant ? v : v.toString();
    }
    return QualityGate.rowJson(PAYMENT_COLUMNS, values);
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
