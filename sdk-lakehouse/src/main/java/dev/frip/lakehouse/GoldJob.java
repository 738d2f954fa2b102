package dev.frip.lakehouse;

import dev.frip.core.Topics;
import dev.frip.core.quality.Expectation;
import dev.frip.core.quality.ExpectationSuite;
import dev.frip.lakehouse.internal.Columns;
import dev.frip.lakehouse.internal.DeltaTable;
import dev.frip.lakehouse.internal.Futures;
import dev.frip.lakehouse.internal.GoldTransform;
import dev.frip.lakehouse.internal.QualityGate;
import io.delta.kernel.types.StructType;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Builds the gold tables of one date from the published silver partition: {@code
 * gold/daily_revenue} (GMV, net revenue after refunds and chargebacks, refund rate and approval
 * rate by merchant, category, merchant country and currency) and {@code gold/fraud_kpis} (fraud
 * rate by count and amount, fraud loss in basis points, chargeback ratio against the Visa and
 * Mastercard monitoring thresholds; precision and recall of the streaming scorer's alerts, from
 * {@code bronze/fraud_scores}), {@code gold/merchant_risk} (per merchant rates, card diversity,
 * new-device/new-country/night shares and a risk tier) and {@code gold/customer_metrics} (per
 * customer spend, diversity and risk counts), each behind its own quality gate and written by
 * replacing the date's partition, so re-runs are idempotent.
 *
 * <pre>{@code
 * GoldResult r = GoldJob.builder(lake).build().run(LocalDate.parse("2026-02-25"));
 * }</pre>
 *
 * <p>Defaults for the scheme thresholds: Visa 0.9% with at least 100 chargebacks, Mastercard 1.5%
 * with at least 100 (the monitoring programmes' entry levels; set your acquirer's values with
 * {@link Builder#visaThreshold} and {@link Builder#mastercardThreshold}).
 *
 * <p><b>Refunds.</b> Refund and chargeback events of the date's payments (read from {@code
 * bronze/refunds} up to the chargeback horizon, once per {@code event_id}) are netted in time order
 * per payment. An event whose amount is not positive, whose currency is not its payment's, or that
 * would bring what was returned above the payment's amount is not netted: it goes to {@code
 * quarantine/refunds} with the rule it broke, and {@link GoldResult#refunds()} counts read = netted
 * + quarantined.
 *
 * <p><b>Scores.</b> The scorer's verdicts are read from {@code bronze/fraud_scores} partitions
 * {@code D} and {@code D + 1} (a score is stamped with its payment's time plus the scoring latency,
 * so a payment just before midnight can be scored after it), keeping those whose {@code
 * payment_event_time} is on {@code D}. When a payment was scored more than once (the scorer replays
 * from its last committed offset after a crash), the first score produced counts: the lowest {@code
 * fraud_scores} offset (a payment's scores share a partition, being keyed by its user), the
 * decision that acted on the payment. See {@code GoldTransform#fraudKpis} for the precise
 * definitions.
 *
 * @since 0.1.0
 */
public final class GoldJob {

  private static final Logger LOG = LoggerFactory.getLogger(GoldJob.class);

  /** Gold table names. */
  public static final String DAILY_REVENUE = "daily_revenue";

  public static final String FRAUD_KPIS = "fraud_kpis";

  public static final String MERCHANT_RISK = "merchant_risk";

  public static final String CUSTOMER_METRICS = "customer_metrics";

  private final Lakehouse lake;
  private final GoldTransform transform;
  private final Clock clock;
  private final int chargebackHorizonDays;

  private GoldJob(Builder b) {
    this.lake = b.lake;
    this.transform =
        new GoldTransform(
            new GoldTransform.SchemeThreshold(b.visaRatio, b.visaMinimum),
            new GoldTransform.SchemeThreshold(b.mcRatio, b.mcMinimum));
    this.clock = b.clock;
    this.chargebackHorizonDays = b.chargebackHorizonDays;
  }

  /** A builder for gold jobs on {@code lake}. */
  public static Builder builder(Lakehouse lake) {
    return new Builder(Objects.requireNonNull(lake, "lake"));
  }

  /** Builds, checks and publishes the gold partitions of {@code date}. */
  public GoldResult run(LocalDate date) {
    Objects.requireNonNull(date, "date");
    Columns silver =
        lake.reader(lake.silverPath())
            .read(DeltaTable.dateEquals(Lakehouse.EVENT_DATE, date), GoldTransform.SILVER_COLUMNS);
    // The refunds are few: read them first, then look up only their payment ids among silver's.
    List<String> refundColumns =
        List.of("event_id", "payment_id", "amount_minor", "refund_type", "currency", "event_time");
    List<Object[]> refunds = new ArrayList<>();
    DeltaTable.forReading(lake.engine(), lake.root() + "/bronze/refunds")
        .scan(
            DeltaTable.dateBetween(
                Lakehouse.EVENT_DATE, date, date.plusDays(chargebackHorizonDays)),
            refundColumns,
            refunds::add);
    Set<String> refunded = new HashSet<>();
    for (Object[] r : refunds) {
      refunded.add((String) r[1]);
    }
    int currencyCol = GoldTransform.SILVER_COLUMNS.indexOf("currency");
    int statusCol = GoldTransform.SILVER_COLUMNS.indexOf("status");
    int amountCol = GoldTransform.SILVER_COLUMNS.indexOf("amount_minor");
    Map<String, Integer> paymentRow = new HashMap<>();
    for (int i = 0; i < silver.size(); i++) {
      String payment = silver.getString(i, 0);
      if (refunded.contains(payment)) {
        // A payment id on two rows (an authorization retried): its refunds are the authorized
        // one's.
        Integer seenRow = paymentRow.get(payment);
        if (seenRow == null
            || (!"AUTHORIZED".equals(silver.getString(seenRow, statusCol))
                && "AUTHORIZED".equals(silver.getString(i, statusCol)))) {
          paymentRow.put(payment, i);
        }
      }
    }
    // Each payment's events in time order, each checked against what was returned before it.
    List<Object[]> ofTheDay = new ArrayList<>();
    Set<String> seen = new HashSet<>();
    for (Object[] r : refunds) {
      if (paymentRow.containsKey((String) r[1]) && seen.add((String) r[0])) {
        ofTheDay.add(r);
      }
    }
    ofTheDay.sort(
        java.util.Comparator.comparing((Object[] r) -> (Instant) r[5])
            .thenComparing(r -> (String) r[0]));
    Map<String, GoldTransform.Returns> returns = new HashMap<>();
    Map<String, Long> returned = new HashMap<>();
    List<QualityGate.Rejected> refused = new ArrayList<>();
    for (Object[] r : ofTheDay) {
      int row = paymentRow.get((String) r[1]);
      long paid = silver.getLong(row, amountCol);
      String currency = silver.getString(row, currencyCol);
      long amount = (Long) r[2];
      long before = returned.getOrDefault((String) r[1], 0L);
      String rule = null;
      String status = silver.getString(row, statusCol);
      if (!"AUTHORIZED".equals(status)) {
        rule = "refund(payment AUTHORIZED, not " + status + ")";
      } else if (amount <= 0) {
        rule = "refund(amount_minor > 0)";
      } else if (!java.util.Objects.equals(r[4], currency)) {
        rule = "refund(currency = payment's " + currency + ")";
      } else if (before + amount > paid) {
        rule = "refund(total returned <= payment's " + paid + ")";
      }
      if (rule != null) {
        refused.add(new QualityGate.Rejected(rule, QualityGate.rowJson(refundColumns, r)));
        continue;
      }
      returned.put((String) r[1], before + amount);
      boolean cb = "CHARGEBACK".equals(r[3]);
      returns.merge(
          (String) r[1],
          new GoldTransform.Returns(cb ? 0 : amount, cb ? amount : 0, cb ? 1 : 0),
          (a, b) ->
              new GoldTransform.Returns(
                  a.refundsMinor() + b.refundsMinor(),
                  a.chargebacksMinor() + b.chargebacksMinor(),
                  a.chargebackCount() + b.chargebackCount()));
    }
    quarantineRefunds(date, refused);
    GoldResult.Refunds refundCounts =
        new GoldResult.Refunds(ofTheDay.size(), ofTheDay.size() - refused.size(), refused.size());

    Map<String, String> actions = scorerActions(date);
    GoldTransform.Day day = new GoldTransform.Day(silver, returns);
    // customer_metrics (a row per user, the largest) is built and published on another thread
    // while this one does the other three tables: they share only the read-only day.
    CompletableFuture<GoldResult.Table> customers =
        CompletableFuture.supplyAsync(
            () ->
                publish(
                    CUSTOMER_METRICS,
                    GoldTransform.CUSTOMER_METRICS,
                    transform.customerMetrics(date, day),
                    ExpectationSuite.named(CUSTOMER_METRICS)
                        .expect(Expectation.unique("user_id"))
                        .expect(Expectation.between("spend_reporting", 0, Double.MAX_VALUE))
                        .build(),
                    date));
    Map<String, GoldResult.Table> tables = new LinkedHashMap<>();
    tables.put(
        DAILY_REVENUE,
        publish(
            DAILY_REVENUE,
            GoldTransform.DAILY_REVENUE,
            transform.dailyRevenue(date, day),
            ExpectationSuite.named(DAILY_REVENUE)
                .expect(Expectation.notNull("merchant_id"))
                .expect(Expectation.between("approval_rate", 0, 1))
                .expect(Expectation.between("refund_rate", 0, 1))
                .expect(Expectation.between("gmv_minor", 0, Double.MAX_VALUE))
                .build(),
            date));
    tables.put(
        FRAUD_KPIS,
        publish(
            FRAUD_KPIS,
            GoldTransform.FRAUD_KPIS,
            transform.fraudKpis(date, day, actions),
            ExpectationSuite.named(FRAUD_KPIS)
                .expect(Expectation.unique("merchant_id"))
                .expect(Expectation.between("fraud_rate_count", 0, 1))
                .expect(Expectation.between("fraud_rate_amount", 0, 1))
                .expect(Expectation.between("chargeback_ratio", 0, Double.MAX_VALUE))
                .expect(Expectation.between("alert_precision", 0, 1))
                .expect(Expectation.between("alert_recall", 0, 1))
                .build(),
            date));
    tables.put(
        MERCHANT_RISK,
        publish(
            MERCHANT_RISK,
            GoldTransform.MERCHANT_RISK,
            transform.merchantRisk(date, day),
            ExpectationSuite.named(MERCHANT_RISK)
                .expect(Expectation.unique("merchant_id"))
                .expect(Expectation.between("fraud_rate", 0, 1))
                .expect(Expectation.in("risk_tier", Set.of("LOW", "MEDIUM", "HIGH")))
                .build(),
            date));
    tables.put(CUSTOMER_METRICS, Futures.get(customers, "publishing " + CUSTOMER_METRICS));
    return new GoldResult(date, tables, refundCounts);
  }

  /** Replaces the date's partition of {@code quarantine/refunds} with the refused events. */
  private void quarantineRefunds(LocalDate date, List<QualityGate.Rejected> refused) {
    DeltaTable q =
        lake.table(
            lake.quarantinePath("refunds"), QualityGate.QUARANTINE_SCHEMA, Lakehouse.EVENT_DATE);
    if (refused.isEmpty() && q.snapshot().isEmpty()) {
      return;
    }
    String runId = UUID.randomUUID().toString();
    Instant at = clock.instant();
    List<Object[]> rows = new ArrayList<>();
    for (QualityGate.Rejected r : refused) {
      rows.add(new Object[] {"gold.refunds", r.rule(), "QUARANTINE", r.rowJson(), runId, at, date});
    }
    q.replacePartition(date, rows);
    if (!refused.isEmpty()) {
      LOG.warn("gold {}: quarantined {} refund events", date, refused.size());
    }
  }

  /** The first scorer action per payment of {@code date}, from {@code bronze/fraud_scores}. */
  private Map<String, String> scorerActions(LocalDate date) {
    Map<String, Object[]> first = new HashMap<>();
    Instant from = date.atStartOfDay(ZoneOffset.UTC).toInstant();
    Instant to = date.plusDays(1).atStartOfDay(ZoneOffset.UTC).toInstant();
    DeltaTable.forReading(lake.engine(), lake.bronzePath(Topics.FRAUD_SCORES))
        .scan(
            DeltaTable.dateBetween(Lakehouse.EVENT_DATE, date, date.plusDays(1)),
            List.of(
                "payment_id", "payment_event_time", "kafka_partition", "kafka_offset", "action"),
            r -> {
              Instant paid = (Instant) r[1];
              if (paid.isBefore(from) || !paid.isBefore(to)) {
                return;
              }
              first.merge((String) r[0], r, (a, b) -> earlier(a, b) ? a : b);
            });
    Map<String, String> actions = new HashMap<>(first.size() * 2);
    first.forEach((payment, r) -> actions.put(payment, (String) r[4]));
    return actions;
  }

  /** Whether score row {@code a} was produced before {@code b}: by partition, then offset. */
  private static boolean earlier(Object[] a, Object[] b) {
    int c = Integer.compare((Integer) a[2], (Integer) b[2]);
    return c < 0 || (c == 0 && (Long) a[3] <= (Long) b[3]);
  }

  /**
   * Checks and publishes one table's rows, held column by column for the gate and the write: the
   * column-by-column Parquet writer writes them, in parallel files for a large table such as
   * customer_metrics (a row per customer), instead of Kernel's row-by-row writer.
   */
  private GoldResult.Table publish(
      String name, StructType schema, List<Object[]> rows, ExpectationSuite suite, LocalDate date) {
    Columns columns = Columns.allocate(schema, rows.size());
    for (int i = 0; i < rows.size(); i++) {
      Object[] r = rows.get(i);
      for (int c = 0; c < r.length; c++) {
        columns.set(i, c, r[c]);
      }
    }
    QualityGate gate =
        new QualityGate(lake.engine(), lake.hadoopConfiguration(), lake.checkpointInterval());
    QualityGate.ColumnarDecision d =
        gate.check(
            name,
            date,
            columns,
            suite,
            clock.instant(),
            lake.quarantinePath(name),
            lake.qualityResultsPath(name));
    DeltaTable table = lake.table(lake.goldPath(name), schema, Lakehouse.EVENT_DATE);
    if (!d.publish()) {
      return new GoldResult.Table(false, table.version(), 0, d.result());
    }
    long v = table.replacePartition(date, d.publishable());
    return new GoldResult.Table(true, v, d.publishable().size(), d.result());
  }

  /**
   * Builds a {@link GoldJob}.
   *
   * @since 0.1.0
   */
  public static final class Builder {
    private final Lakehouse lake;
    private double visaRatio = 0.009;
    private long visaMinimum = 100;
    private double mcRatio = 0.015;
    private long mcMinimum = 100;
    private int chargebackHorizonDays = 180;
    private Clock clock = Clock.systemUTC();

    private Builder(Lakehouse lake) {
      this.lake = lake;
    }

    /** Visa's monitoring threshold: chargeback ratio and minimum chargeback count. */
    public Builder visaThreshold(double ratio, long minimumCount) {
      checkThreshold("Visa", ratio, minimumCount);
      this.visaRatio = ratio;
      this.visaMinimum = minimumCount;
      return this;
    }

    /** Mastercard's monitoring threshold: chargeback ratio and minimum chargeback count. */
    public Builder mastercardThreshold(double ratio, long minimumCount) {
      checkThreshold("Mastercard", ratio, minimumCount);
      this.mcRatio = ratio;
      this.mcMinimum = minimumCount;
      return this;
    }

    /** How many days after the payment date refunds are looked for (default 180). */
    public Builder chargebackHorizonDays(int days) {
      if (days < 0) {
        throw new IllegalArgumentException(
            "chargeback horizon was " + days + " days, must be >= 0");
      }
      this.chargebackHorizonDays = days;
      return this;
    }

    /** The clock stamping quality results. */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /** Builds the job. */
    public GoldJob build() {
      return new GoldJob(this);
    }

    private static void checkThreshold(String scheme, double ratio, long minimumCount) {
      if (!(ratio > 0 && ratio < 1)) {
        throw new IllegalArgumentException(
            scheme + " threshold ratio was " + ratio + ", must be in (0, 1)");
      }
      if (minimumCount < 0) {
        throw new IllegalArgumentException(
            scheme + " minimum chargeback count was " + minimumCount + ", must be >= 0");
      }
    }
  }
}
