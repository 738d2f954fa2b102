package dev.frip.core;

import static dev.frip.core.FeatureDefinition.Source.BATCH;
import static dev.frip.core.FeatureDefinition.Source.PAYMENT;
import static dev.frip.core.FeatureDefinition.Source.USER_STREAM;
import static dev.frip.core.FeatureType.AMOUNT;
import static dev.frip.core.FeatureType.COUNT;
import static dev.frip.core.FeatureType.FLAG;
import static dev.frip.core.FeatureType.REAL;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The fraud feature vector, defined once: the ordered list of features that both the online {@link
 * FeatureStore} and the offline {@link OfflineFeatures} compute, with one shared implementation.
 *
 * <pre>{@code
 * double[] v = new double[FeatureCatalog.size()];
 * store.vector(payment, v);
 * double velocity = v[FeatureCatalog.indexOf("geo_velocity_kmh")];
 * }</pre>
 *
 * <p><b>Window semantics</b> (both paths): a window of length {@code w} for a payment at event time
 * {@code t} covers the half-open interval {@code (t - w, t]} and <b>includes the current
 * payment</b>, as the Fraud Detection Handbook's customer windows do. Events at the same
 * millisecond are ordered by a hash of their {@code event_id}; an event is "before" the payment
 * when it sorts before it in (event time, id hash) order. "Prior" features (z-score history, time
 * since last transaction, new device/country, geo-velocity) use only events strictly before the
 * payment, within 30 days. All times are UTC. Missing values are {@link Double#NaN}.
 *
 * <p>The vector layout is versioned by {@link #VERSION}: any change of names, order, types or
 * definitions bumps it, so a model trained on one layout is never scored with another.
 *
 * @since 0.1.0
 */
public final class FeatureCatalog {

  /** Version of the vector layout and definitions below. */
  public static final String VERSION = "frip-features-1";

  private static final long DAY = 86_400_000L;

  private static final List<FeatureDefinition> ALL;
  private static final List<String> NAMES;
  private static final Map<String, Integer> INDEX;

  // Index constants: the one implementation writes by these, the catalogue below is in this order.
  /** Index of {@code amount}. */
  public static final int AMOUNT_IDX = 0;

  /** Index of the first of the five {@code user_txn_count_*} windows (10m, 1h, 24h, 7d, 30d). */
  public static final int TXN_COUNT_IDX = 1;

  /** Index of the first of the five {@code user_amount_sum_*} windows (10m, 1h, 24h, 7d, 30d). */
  public static final int AMOUNT_SUM_IDX = 6;

  /** Index of the first of the three {@code user_amount_avg_*} windows (24h, 7d, 30d). */
  public static final int AMOUNT_AVG_IDX = 11;

  /** Index of {@code user_amount_zscore}. */
  public static final int ZSCORE_IDX = 14;

  /** Index of {@code seconds_since_last_txn}. */
  public static final int SINCE_LAST_IDX = 15;

  /** Index of the first distinct count: merchants 24h, 7d, devices, countries, IPs likewise. */
  public static final int DISTINCT_IDX = 16;

  /** Index of {@code new_device}. */
  public static final int NEW_DEVICE_IDX = 24;

  /** Index of {@code new_country}. */
  public static final int NEW_COUNTRY_IDX = 25;

  /** Index of {@code geo_velocity_kmh}. */
  public static final int GEO_VELOCITY_IDX = 26;

  /** Index of {@code refund_ratio_30d}. */
  public static final int REFUND_RATIO_IDX = 27;

  /** Index of {@code hour_of_day}. */
  public static final int HOUR_IDX = 28;

  /** Index of {@code is_weekend}. */
  public static final int WEEKEND_IDX = 29;

  /** Index of {@code is_night}. */
  public static final int NIGHT_IDX = 30;

  /** Index of the first batch feature ({@code terminal_risk_7d}). */
  public static final int BATCH_IDX = 31;

  /** The longest look-back of any user-stream feature: 30 days. */
  public static final long LONGEST_WINDOW_MS = 30 * DAY;

  /**
   * The largest {@code amount_minor} of a payment or merchant refund that is folded or featurised:
   * 10^12 minor units, the range the silver job accepts. A negative or larger amount is {@link
   * ObserveResult#REJECTED_INVALID_AMOUNT} online and offline, so it can neither poison a user's
   * sums, averages and z-scores for 30 days nor overflow them.
   */
  public static final long MAX_AMOUNT_MINOR = 1_000_000_000_000L;

  /**
   * What is wrong with {@code amountMinor} for a message ({@code "amount_minor -5 is outside [0,
   * 1000000000000]"}), or null when it is in range.
   */
  public static String amountProblem(long amountMinor) {
    return amountMinor >= 0 && amountMinor <= MAX_AMOUNT_MINOR
        ? null
        : "amount_minor " + amountMinor + " is outside [0, " + MAX_AMOUNT_MINOR + "]";
  }

  static {
    List<FeatureDefinition> f = new ArrayList<>();
    f.add(
        new FeatureDefinition(
            "amount", AMOUNT, PAYMENT, "Payment amount in major units (amount_minor / 100)."));
    String[] w = {"10m", "1h", "24h", "7d", "30d"};
    for (String s : w) {
      f.add(
          new FeatureDefinition(
              "user_txn_count_" + s,
              COUNT,
              USER_STREAM,
              "Payments of the user in (t - " + s + ", t], the current one included."));
    }
    for (String s : w) {
      f.add(
          new FeatureDefinition(
              "user_amount_sum_" + s,
              AMOUNT,
              USER_STREAM,
              "Sum of payment amounts of the user in (t - "
                  + s
                  + ", t], the current one included."));
    }
    for (String s : new String[] {"24h", "7d", "30d"}) {
      f.add(
          new FeatureDefinition(
              "user_amount_avg_" + s,
              AMOUNT,
              USER_STREAM,
              "Mean payment amount of the user in (t - " + s + ", t], the current one included."));
    }
    f.add(
        new FeatureDefinition(
            "user_amount_zscore",
            REAL,
            USER_STREAM,
            "(amount - mean) / population std of the user's prior payments in (t - 30d, t); NaN"
                + " with fewer than 2 prior payments or zero spread."));
    f.add(
        new FeatureDefinition(
            "seconds_since_last_txn",
            REAL,
            USER_STREAM,
            "Seconds since the user's previous payment within 30 days; NaN when none."));
    for (String kind : new String[] {"merchants", "devices", "countries", "ips"}) {
      for (String s : new String[] {"24h", "7d"}) {
        f.add(
            new FeatureDefinition(
                "user_distinct_" + kind + "_" + s,
                COUNT,
                USER_STREAM,
                "Distinct "
                    + kind
                    + " of the user's events in (t - "
                    + s
                    + ", t], the current payment included."));
      }
    }
    f.add(
        new FeatureDefinition(
            "new_device",
            FLAG,
            USER_STREAM,
            "1 when the payment's device_id was not seen in the user's events in (t - 30d, t);"
                + " NaN when the payment has no device."));
    f.add(
        new FeatureDefinition(
            "new_country",
            FLAG,
            USER_STREAM,
            "1 when the payment's country was not seen in the user's events in (t - 30d, t)."));
    f.add(
        new FeatureDefinition(
            "geo_velocity_kmh",
            REAL,
            USER_STREAM,
            "Great-circle km/h from the user's previous located event (geo event or payment,"
                + " within 30 days) to the payment, with at least 1 s elapsed; NaN when either"
                + " location is unknown."));
    f.add(
        new FeatureDefinition(
            "refund_ratio_30d",
            REAL,
            USER_STREAM,
            "Merchant refunds (not chargebacks) of the user in (t - 30d, t] over payments in the"
                + " same window."));
    f.add(new FeatureDefinition("hour_of_day", COUNT, PAYMENT, "Hour of event time, UTC, 0-23."));
    f.add(new FeatureDefinition("is_weekend", FLAG, PAYMENT, "1 on Saturday or Sunday, UTC."));
    f.add(
        new FeatureDefinition(
            "is_night", FLAG, PAYMENT, "1 when the UTC hour is at most 6 (the Handbook's rule)."));
    f.add(
        new FeatureDefinition(
            "terminal_risk_7d",
            REAL,
            BATCH,
            "Share of frauds among the terminal's payments in (D - 14d, D - 7d], D = start of"
                + " the batch table's day; 0 when none; NaN without a terminal or table."));
    f.add(
        new FeatureDefinition(
            "terminal_risk_30d", REAL, BATCH, "As terminal_risk_7d over (D - 37d, D - 7d]."));
    f.add(
        new FeatureDefinition(
            "merchant_risk_7d", REAL, BATCH, "As terminal_risk_7d, per merchant_id."));
    f.add(
        new FeatureDefinition(
            "merchant_risk_30d", REAL, BATCH, "As terminal_risk_30d, per merchant_id."));
    f.add(
        new FeatureDefinition(
            "cards_per_device_30d",
            COUNT,
            BATCH,
            "Distinct cards paying from the payment's device in [D - 30d, D); NaN without a"
                + " device or table."));
    f.add(
        new FeatureDefinition(
            "users_per_ip_30d",
            COUNT,
            BATCH,
            "Distinct users seen on the payment's IP in [D - 30d, D); NaN without an IP or"
                + " table."));
    ALL = Collections.unmodifiableList(f);
    List<String> names = new ArrayList<>();
    Map<String, Integer> index = new HashMap<>();
    for (FeatureDefinition d : f) {
      if (index.put(d.name(), names.size()) != null) {
        throw new IllegalStateException("duplicate feature " + d.name());
      }
      names.add(d.name());
    }
    NAMES = Collections.unmodifiableList(names);
    INDEX = Collections.unmodifiableMap(index);
  }

  private FeatureCatalog() {}

  /** Every feature, in vector order. */
  public static List<FeatureDefinition> definitions() {
    return ALL;
  }

  /** Feature names in vector order: what a {@code FeatureSchema} is built from. */
  public static List<String> names() {
    return NAMES;
  }

  /** Number of features: the length a caller's vector buffer must have at least. */
  public static int size() {
    return NAMES.size();
  }

  /**
   * Position of a feature in the vector.
   *
   * @throws IllegalArgumentException naming the known features when there is no such feature
   */
  public static int indexOf(String name) {
    Integer i = INDEX.get(name);
    if (i == null) {
      throw new IllegalArgumentException(
          "unknown feature '" + name + "' in " + VERSION + "; features are " + NAMES);
    }
    return i;
  }

  /**
   * The catalogue as the vector schema a model registry stores with each model: the names in order,
   * {@link FeatureType#FLAG} as flags and every other type as numeric, missing = NaN, and {@link
   * #VERSION} as the schema version.
   */
  public static FeatureSchema schema() {
    return SchemaHolder.SCHEMA; // immutable: one instance, so matching it to a model's is cheap
  }

  private static final class SchemaHolder {
    static final FeatureSchema SCHEMA = build();

    private static FeatureSchema build() {
      FeatureSchema.Builder b = FeatureSchema.builder(VERSION);
      for (FeatureDefinition d : ALL) {
        b.add(d.name(), d.type() == FLAG ? FeatureSchema.Type.FLAG : FeatureSchema.Type.NUMERIC);
      }
      return b.build();
    }
  }

  /** The definition of the feature at a position. */
  public static FeatureDefinition definition(int index) {
    return ALL.get(index);
  }
}
