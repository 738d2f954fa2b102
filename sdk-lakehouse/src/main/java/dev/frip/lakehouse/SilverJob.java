package dev.frip.lakehouse;

import dev.frip.core.FeatureCatalog;
import dev.frip.core.quality.Expectation;
import dev.frip.core.quality.ExpectationSuite;
import dev.frip.core.quality.Severity;
import dev.frip.lakehouse.internal.DeltaTable;
import dev.frip.lakehouse.internal.QualityGate;
import dev.frip.lakehouse.internal.ReferenceData;
import dev.frip.lakehouse.internal.SilverTransform;
import java.time.Clock;
import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Builds {@code silver/enriched_transactions/event_date=D} from the bronze tables: each payment of
 * the day joined with its order, the user profile as of the payment time, the device and the latest
 * geo fix before the payment; deduplicated by {@code event_id}; with reporting-currency amount,
 * local hour, distance from home, new-device and new-country flags, and fraud labels from
 * chargebacks and abusive refunds ({@code is_fraud}, {@code fraud_scenario}, {@code
 * label_available_at}; see {@link dev.frip.core.FraudLabels}).
 *
 * <p>Before publication an expectation suite runs. Rules a bad input record can break quarantine
 * that row and publish the rest: ids, status, payment method and currency present and known, {@code
 * amount_minor}, {@code local_hour} and {@code distance_from_home_km} in range. Rules only a
 * pipeline fault can break block the whole date: unique {@code event_id}, silver→bronze referential
 * integrity, bronze→silver row count; and so does a share of quarantined rows above {@link
 * Builder#maxQuarantinedFraction} (default 0.1%), which means the input is broken rather than a few
 * records. Rules added with {@link Builder#expect} keep their own severity. The JSON result lands
 * under {@code quality/enriched_transactions/} and offending rows in {@code
 * quarantine/enriched_transactions}, so that a published date reconciles: {@code paymentsRead =
 * rows + duplicatesDropped + quarantined}. A blocked date publishes nothing (its rows stay in
 * bronze; re-run it once the cause is fixed). Publication replaces the date's partition in one
 * commit, so re-running a date is idempotent (and picks up chargebacks that arrived since).
 *
 * <pre>{@code
 * SilverResult r = SilverJob.builder(lake).reportingCurrency("EUR").build()
 *     .run(LocalDate.parse("2026-02-25"));
 * if (!r.published()) System.err.println(r.quality().toJson());
 * }</pre>
 *
 * @since 0.1.0
 */
public final class SilverJob {

  private final Lakehouse lake;
  private final SilverTransform transform;
  private final List<Expectation> extra;
  private final Clock clock;
  private final Set<String> currencies;
  private final double maxQuarantinedFraction;

  private SilverJob(Builder b) {
    this.lake = b.lake;
    this.transform =
        new SilverTransform(
            b.reportingCurrency, b.rates, b.newCountryLookback, b.chargebackHorizonDays);
    this.extra = List.copyOf(b.extra);
    this.clock = b.clock;
    this.currencies = Set.copyOf(b.rates.keySet());
    this.maxQuarantinedFraction = b.maxQuarantinedFraction;
  }

  /** A builder for a silver job on {@code lake}. */
  public static Builder builder(Lakehouse lake) {
    return new Builder(Objects.requireNonNull(lake, "lake"));
  }

  /** Builds, checks and (when the checks pass) publishes one date. */
  public SilverResult run(LocalDate date) {
    Objects.requireNonNull(date, "date");
    SilverTransform.Output out =
        transform.run(
            (topic, from, to, columns) ->
                bronze(topic).read(DeltaTable.dateBetween(Lakehouse.EVENT_DATE, from, to), columns),
            date);
    ExpectationSuite suite = suite(out.bronzeEventIds());
    QualityGate gate =
        new QualityGate(lake.engine(), lake.hadoopConfiguration(), lake.checkpointInterval());
    QualityGate.ColumnarDecision d =
        gate.check(
            Lakehouse.SILVER_ENRICHED_TRANSACTIONS,
            date,
            out.rows(),
            suite,
            clock.instant(),
            lake.quarantinePath(Lakehouse.SILVER_ENRICHED_TRANSACTIONS),
            lake.qualityResultsPath(Lakehouse.SILVER_ENRICHED_TRANSACTIONS));
    DeltaTable silver = lake.table(lake.silverPath(), SilverTransform.SCHEMA, Lakehouse.EVENT_DATE);
    long version;
    int published = 0;
    if (d.publish()) {
      version = silver.replacePartition(date, d.publishable());
      published = d.publishable().size();
    } else {
      version = silver.version();
    }
    return new SilverResult(
        date,
        d.publish(),
        version,
        published,
        out.paymentsRead(),
        out.duplicatesDropped(),
        d.quarantined(),
        d.result(),
        d.resultPath());
  }

  private DeltaTable bronze(String topic) {
    return lake.reader(lake.root() + "/bronze/" + topic);
  }

  private ExpectationSuite suite(Set<String> bronzeIds) {
    ExpectationSuite.Builder b =
        ExpectationSuite.named(Lakehouse.SILVER_ENRICHED_TRANSACTIONS)
            .maxQuarantinedFraction(maxQuarantinedFraction)
            // What one bad input record can break: that row is quarantined.
            .expect(quarantine(Expectation.notNull("event_id")))
            .expect(quarantine(Expectation.notNull("payment_id")))
            .expect(quarantine(Expectation.notNull("user_id")))
            .expect(quarantine(Expectation.notNull("amount_reporting")))
            .expect(
                quarantine(Expectation.between("amount_minor", 0, FeatureCatalog.MAX_AMOUNT_MINOR)))
            .expect(quarantine(Expectation.between("local_hour", 0, 23)))
            .expect(quarantine(Expectation.between("distance_from_home_km", 0, 20_040)))
            .expect(quarantine(Expectation.in("status", Set.of("AUTHORIZED", "DECLINED"))))
            .expect(
                quarantine(
                    Expectation.in(
                        "payment_method", Set.of("CARD_PRESENT", "CARD_NOT_PRESENT", "WALLET"))))
            .expect(quarantine(Expectation.in("currency", currencies)))
            // What only a fault of this job can break: the date is blocked.
            .expect(Expectation.unique("event_id"))
            .expect(Expectation.referencedIn("event_id", "bronze.payments", bronzeIds))
            .expect(Expectation.rowCount(bronzeIds.size(), "bronze.payments distinct event_id"));
    extra.forEach(b::expect);
    return b.build();
  }

  private static Expectation quarantine(Expectation e) {
    return e.withSeverity(Severity.QUARANTINE);
  }

  /**
   * Builds a {@link SilverJob}.
   *
   * @since 0.1.0
   */
  public static final class Builder {
    private final Lakehouse lake;
    private String reportingCurrency = "EUR";
    private final Map<String, Double> rates = ReferenceData.defaultRatesToEur();
    private Duration newCountryLookback = Duration.ofDays(7);
    private int chargebackHorizonDays = 180;
    private final List<Expectation> extra = new ArrayList<>();
    private Clock clock = Clock.systemUTC();
    private double maxQuarantinedFraction = 0.001;

    private Builder(Lakehouse lake) {
      this.lake = lake;
    }

    /** The currency of {@code amount_reporting} (default EUR); it must have an FX rate. */
    public Builder reportingCurrency(String currency) {
      Objects.requireNonNull(currency, "reporting currency");
      if (!currency.matches("[A-Z]{3}")) {
        throw new IllegalArgumentException(
            "reporting currency '" + currency + "' is not an ISO 4217 code");
      }
      this.reportingCurrency = currency;
      return this;
    }

    /** Sets or overrides the FX rate of a currency: the value of one unit in EUR. */
    public Builder fxRate(String currency, double eurPerUnit) {
      Objects.requireNonNull(currency, "currency");
      if (!(eurPerUnit > 0) || Double.isInfinite(eurPerUnit)) {
        throw new IllegalArgumentException(
            "FX rate of " + currency + " was " + eurPerUnit + ", must be a positive number");
      }
      rates.put(currency, eurPerUnit);
      return this;
    }

    /** How far back a geo fix in the payment's country makes it not new (default 7 days). */
    public Builder newCountryLookback(Duration lookback) {
      Objects.requireNonNull(lookback, "lookback");
      if (lookback.isNegative() || lookback.isZero()) {
        throw new IllegalArgumentException(
            "new-country lookback was " + lookback + ", must be positive");
      }
      this.newCountryLookback = lookback;
      return this;
    }

    /** How many days after the payment date chargebacks are looked for (default 180). */
    public Builder chargebackHorizonDays(int days) {
      if (days < 0) {
        throw new IllegalArgumentException(
            "chargeback horizon was " + days + " days, must be >= 0");
      }
      this.chargebackHorizonDays = days;
      return this;
    }

    /**
     * The largest share of a date's rows (0 to 1, default 0.001) that may be quarantined by the row
     * rules while the rest is published; above it the date is blocked. 0 blocks on any bad row.
     */
    public Builder maxQuarantinedFraction(double fraction) {
      if (!(fraction >= 0 && fraction <= 1)) {
        throw new IllegalArgumentException(
            "silver maxQuarantinedFraction was " + fraction + ", must be in [0, 1]");
      }
      this.maxQuarantinedFraction = fraction;
      return this;
    }

    /** Adds an expectation to the suite run before publication. */
    public Builder expect(Expectation e) {
      extra.add(Objects.requireNonNull(e, "expectation"));
      return this;
    }

    /** The clock stamping quality results (tests pass a fixed one). */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /** Builds the job. */
    public SilverJob build() {
      if (!rates.containsKey(reportingCurrency)) {
        throw new IllegalArgumentException(
            "reporting currency " + reportingCurrency + " has no FX rate; add one with fxRate()");
      }
      return new SilverJob(this);
    }
  }
}
