package dev.frip.lakehouse.internal;

import io.delta.kernel.types.BooleanType;
import io.delta.kernel.types.DateType;
import io.delta.kernel.types.DoubleType;
import io.delta.kernel.types.LongType;
import io.delta.kernel.types.StringType;
import io.delta.kernel.types.StructType;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Aggregates one silver day into the gold tables. Revenue is a cohort view: the payments of the
 * day, net of the refunds and chargebacks against them known when the job runs (re-running a date
 * later picks up late ones).
 *
 * <ul>
 *   <li>{@code daily_revenue}, per merchant, category, merchant country and currency: payments,
 *       approvals and approval rate; GMV (authorized amount); refunds and chargebacks; net revenue;
 *       refund rate (refunded payments over authorized ones).
 *   <li>{@code fraud_kpis}, for all merchants ({@code merchant_id = "*"}) and per merchant: fraud
 *       rate by count and by amount, fraud loss in basis points of GMV, chargeback ratio and
 *       whether it breaches the card schemes' monitoring thresholds, and how the streaming scorer's
 *       alerts fared (see {@link #fraudKpis}).
 * </ul>
 */
public final class GoldTransform {

  /** Columns the gold jobs read from silver. */
  public static final List<String> SILVER_COLUMNS =
      List.of(
          "payment_id",
          "merchant_id",
          "merchant_category",
          "merchant_country",
          "currency",
          "status",
          "amount_minor",
          "amount_reporting",
          "is_fraud",
          "user_id",
          "card_id",
          "is_new_device",
          "is_new_country",
          "country",
          "local_hour");

  public static final StructType DAILY_REVENUE =
      new StructType()
          .add("merchant_id", StringType.STRING, false)
          .add("merchant_category", StringType.STRING, false)
          .add("merchant_country", StringType.STRING, false)
          .add("currency", StringType.STRING, false)
          .add("payments", LongType.LONG, false)
          .add("approved", LongType.LONG, false)
          .add("approval_rate", DoubleType.DOUBLE, false)
          .add("gmv_minor", LongType.LONG, false)
          .add("gmv_reporting", DoubleType.DOUBLE, false)
          .add("refunds_minor", LongType.LONG, false)
          .add("chargebacks_minor", LongType.LONG, false)
          .add("net_revenue_minor", LongType.LONG, false)
          .add("net_revenue_reporting", DoubleType.DOUBLE, false)
          .add("refunded_payments", LongType.LONG, false)
          .add("refund_rate", DoubleType.DOUBLE, false)
          .add("event_date", DateType.DATE, false);

  public static final StructType FRAUD_KPIS =
      new StructType()
          .add("merchant_id", StringType.STRING, false)
          .add("transactions", LongType.LONG, false)
          .add("fraud_transactions", LongType.LONG, false)
          .add("fraud_rate_count", DoubleType.DOUBLE, false)
          .add("amount_reporting", DoubleType.DOUBLE, false)
          .add("fraud_amount_reporting", DoubleType.DOUBLE, false)
          .add("fraud_rate_amount", DoubleType.DOUBLE, false)
          .add("fraud_loss_bps", DoubleType.DOUBLE, false)
          .add("chargebacks", LongType.LONG, false)
          .add("chargeback_ratio", DoubleType.DOUBLE, false)
          .add("visa_threshold_breached", BooleanType.BOOLEAN, false)
          .add("mastercard_threshold_breached", BooleanType.BOOLEAN, false)
          .add("scored_transactions", LongType.LONG, false)
          .add("alerts", LongType.LONG, false)
          .add("alerted_frauds", LongType.LONG, false)
          .add("alert_precision", DoubleType.DOUBLE, true)
          .add("alert_recall", DoubleType.DOUBLE, true)
          .add("event_date", DateType.DATE, false);

  public static final StructType MERCHANT_RISK =
      new StructType()
          .add("merchant_id", StringType.STRING, false)
          .add("transactions", LongType.LONG, false)
          .add("decline_rate", DoubleType.DOUBLE, false)
          .add("fraud_rate", DoubleType.DOUBLE, false)
          .add("chargebacks", LongType.LONG, false)
          .add("chargeback_ratio", DoubleType.DOUBLE, false)
          .add("avg_amount_reporting", DoubleType.DOUBLE, false)
          .add("distinct_cards", LongType.LONG, false)
          .add("new_device_share", DoubleType.DOUBLE, false)
          .add("new_country_share", DoubleType.DOUBLE, false)
          .add("night_share", DoubleType.DOUBLE, false)
          .add("risk_tier", StringType.STRING, false)
          .add("event_date", DateType.DATE, false);

  public static final StructType CUSTOMER_METRICS =
      new StructType()
          .add("user_id", StringType.STRING, false)
          .add("transactions", LongType.LONG, false)
          .add("approved", LongType.LONG, false)
          .add("spend_reporting", DoubleType.DOUBLE, false)
          .add("max_amount_reporting", DoubleType.DOUBLE, false)
          .add("distinct_merchants", LongType.LONG, false)
          .add("distinct_cards", LongType.LONG, false)
          .add("distinct_countries", LongType.LONG, false)
          .add("new_device_payments", LongType.LONG, false)
          .add("new_country_payments", LongType.LONG, false)
          .add("fraud_transactions", LongType.LONG, false)
          .add("chargebacks", LongType.LONG, false)
          .add("event_date", DateType.DATE, false);

  /** A card scheme's monitoring threshold: ratio and minimum count, both reached to breach. */
  public record SchemeThreshold(double ratio, long minimumCount) {
    boolean breached(long chargebacks, double ratio) {
      return chargebacks >= minimumCount && ratio >= this.ratio;
    }
  }

  /** Refund and chargeback amounts against one payment. */
  public record Returns(long refundsMinor, long chargebacksMinor, int chargebackCount) {}

  private final SchemeThreshold visa;
  private final SchemeThreshold mastercard;

  public GoldTransform(SchemeThreshold visa, SchemeThreshold mastercard) {
    this.visa = visa;
    this.mastercard = mastercard;
  }

  /** Rows of {@code daily_revenue} for a day of silver rows in {@link #SILVER_COLUMNS} order. */
  public List<Object[]> dailyRevenue(
      LocalDate date, List<Object[]> silver, Map<String, Returns> returns) {
    Map<String, long[]> counts = new TreeMap<>();
    Map<String, double[]> money = new TreeMap<>();
    Map<String, Object[]> keys = new TreeMap<>();
    for (Object[] r : silver) {
      String key = r[1] + "\u0000" + r[2] + "\u0000" + r[3] + "\u0000" + r[4];
      keys.putIfAbsent(key, new Object[] {r[1], r[2], r[3], r[4]});
      long[] c = counts.computeIfAbsent(key, k -> new long[6]);
      double[] m = money.computeIfAbsent(key, k -> new double[2]);
      c[0]++;
      if ("AUTHORIZED".equals(r[5])) {
        long amount = (Long) r[6];
        double rate = r[7] == null || amount == 0 ? 0 : (Double) r[7] / amount;
        c[1]++;
        c[2] += amount;
        m[0] += r[7] == null ? 0 : (Double) r[7];
        Returns ret = returns.get((String) r[0]);
        if (ret != null) {
          c[3] += ret.refundsMinor();
          c[4] += ret.chargebacksMinor();
          c[5] += ret.refundsMinor() > 0 ? 1 : 0;
          m[1] += (ret.refundsMinor() + ret.chargebacksMinor()) * rate;
        }
      }
    }
    List<Object[]> out = new ArrayList<>();
    for (Map.Entry<String, Object[]> e : keys.entrySet()) {
      long[] c = counts.get(e.getKey());
      double[] m = money.get(e.getKey());
      Object[] k = e.getValue();
      out.add(
          new Object[] {
            k[0],
            k[1],
            k[2],
            k[3],
            c[0],
            c[1],
            ratio(c[1], c[0]),
            c[2],
            m[0],
            c[3],
            c[4],
            c[2] - c[3] - c[4],
            m[0] - m[1],
            c[5],
            ratio(c[5], c[1]),
            date
          });
    }
    return out;
  }

  /**
   * Rows of {@code fraud_kpis}: the whole day first ({@code merchant_id = "*"}), then each
   * merchant. Every measure is over the day's authorized payments; declined ones cannot be charged
   * back, so they carry no label.
   *
   * <p><b>Alert precision and recall.</b> A payment is <i>scored</i> when {@code actions} holds its
   * scorer action; an <i>alert</i> is a scored payment whose action is {@code REVIEW} or {@code
   * BLOCK}; a <i>fraud</i> is a payment silver labels {@code is_fraud} (a fraud chargeback known
   * when silver was built). {@code scored_transactions}, {@code alerts} and {@code alerted_frauds}
   * count them; {@code alert_precision = alerted_frauds / alerts} (null without alerts) and {@code
   * alert_recall = alerted_frauds / frauds among the scored payments} (null when no scored payment
   * is a fraud). Payments without a score count in {@code transactions} but in neither ratio, so
   * the ratios describe the scorer where it ran and {@code scored_transactions / transactions} says
   * how much of the day that was; a day without scores has both ratios null. Labels arrive with the
   * chargeback, weeks after the payment: a fraud whose chargeback is not in yet counts as
   * legitimate, which lowers precision and makes recall provisional until silver and gold are
   * re-run for the date after the chargeback window.
   *
   * @param actions the scorer's action ({@code ALLOW}, {@code REVIEW}, {@code BLOCK}) by payment id
   */
  public List<Object[]> fraudKpis(
      LocalDate date,
      List<Object[]> silver,
      Map<String, Returns> returns,
      Map<String, String> actions) {
    Map<String, double[]> acc = new TreeMap<>();
    for (Object[] r : silver) {
      if (!"AUTHORIZED".equals(r[5])) {
        continue;
      }
      String action = actions.get((String) r[0]);
      boolean alert = "REVIEW".equals(action) || "BLOCK".equals(action);
      for (String scope : new String[] {"*", (String) r[1]}) {
        double[] a = acc.computeIfAbsent(scope, k -> new double[9]);
        double amount = r[7] == null ? 0 : (Double) r[7];
        boolean fraud = Boolean.TRUE.equals(r[8]);
        a[0]++;
        a[1] += fraud ? 1 : 0;
        a[2] += amount;
        a[3] += fraud ? amount : 0;
        Returns ret = returns.get((String) r[0]);
        a[4] += ret == null ? 0 : ret.chargebackCount();
        if (action != null) {
          a[5]++;
          a[6] += alert ? 1 : 0;
          a[7] += alert && fraud ? 1 : 0;
          a[8] += fraud ? 1 : 0;
        }
      }
    }
    List<Object[]> out = new ArrayList<>();
    for (Map.Entry<String, double[]> e : acc.entrySet()) {
      double[] a = e.getValue();
      long tx = (long) a[0];
      long cb = (long) a[4];
      double cbRatio = ratio(cb, tx);
      out.add(
          new Object[] {
            e.getKey(),
            tx,
            (long) a[1],
            ratio(a[1], a[0]),
            a[2],
            a[3],
            ratio(a[3], a[2]),
            ratio(a[3], a[2]) * 10_000,
            cb,
            cbRatio,
            visa.breached(cb, cbRatio),
            mastercard.breached(cb, cbRatio),
            (long) a[5],
            (long) a[6],
            (long) a[7],
            a[6] == 0 ? null : a[7] / a[6],
            a[8] == 0 ? null : a[7] / a[8],
            date
          });
    }
    return out;
  }

  /**
   * Rows of {@code merchant_risk}, one per merchant: decline, fraud and chargeback rates, card
   * diversity and the share of payments from new devices, new countries and at night (00-05 local),
   * with a tier: HIGH when the fraud rate or chargeback ratio reaches 1%, MEDIUM at 0.3%, else LOW.
   */
  public List<Object[]> merchantRisk(
      LocalDate date, List<Object[]> silver, Map<String, Returns> returns) {
    Map<String, List<Object[]>> byMerchant = group(silver, 1);
    List<Object[]> out = new ArrayList<>();
    for (Map.Entry<String, List<Object[]>> e : byMerchant.entrySet()) {
      long n = 0;
      long declined = 0;
      long approved = 0;
      long fraud = 0;
      long cbs = 0;
      long newDevice = 0;
      long newCountry = 0;
      long night = 0;
      double amount = 0;
      java.util.Set<Object> cards = new java.util.HashSet<>();
      for (Object[] r : e.getValue()) {
        n++;
        cards.add(r[10]);
        newDevice += Boolean.TRUE.equals(r[11]) ? 1 : 0;
        newCountry += Boolean.TRUE.equals(r[12]) ? 1 : 0;
        night += r[14] != null && (Integer) r[14] < 6 ? 1 : 0;
        if (!"AUTHORIZED".equals(r[5])) {
          declined++;
          continue;
        }
        approved++;
        fraud += Boolean.TRUE.equals(r[8]) ? 1 : 0;
        amount += r[7] == null ? 0 : (Double) r[7];
        Returns ret = returns.get((String) r[0]);
        cbs += ret == null ? 0 : ret.chargebackCount();
      }
      double fraudRate = ratio(fraud, approved);
      double cbRatio = ratio(cbs, approved);
      double worst = Math.max(fraudRate, cbRatio);
      String tier = worst >= 0.01 ? "HIGH" : worst >= 0.003 ? "MEDIUM" : "LOW";
      out.add(
          new Object[] {
            e.getKey(),
            n,
            ratio(declined, n),
            fraudRate,
            cbs,
            cbRatio,
            ratio(amount, approved),
            (long) cards.size(),
            ratio(newDevice, n),
            ratio(newCountry, n),
            ratio(night, n),
            tier,
            date
          });
    }
    return out;
  }

  /** Rows of {@code customer_metrics}, one per user with payments that day. */
  public List<Object[]> customerMetrics(
      LocalDate date, List<Object[]> silver, Map<String, Returns> returns) {
    Map<String, List<Object[]>> byUser = group(silver, 9);
    List<Object[]> out = new ArrayList<>();
    for (Map.Entry<String, List<Object[]>> e : byUser.entrySet()) {
      long approved = 0;
      long newDevice = 0;
      long newCountry = 0;
      long fraud = 0;
      long cbs = 0;
      double spend = 0;
      double max = 0;
      java.util.Set<Object> merchants = new java.util.HashSet<>();
      java.util.Set<Object> cards = new java.util.HashSet<>();
      java.util.Set<Object> countries = new java.util.HashSet<>();
      for (Object[] r : e.getValue()) {
        merchants.add(r[1]);
        cards.add(r[10]);
        countries.add(r[13]);
        newDevice += Boolean.TRUE.equals(r[11]) ? 1 : 0;
        newCountry += Boolean.TRUE.equals(r[12]) ? 1 : 0;
        fraud += Boolean.TRUE.equals(r[8]) ? 1 : 0;
        Returns ret = returns.get((String) r[0]);
        cbs += ret == null ? 0 : ret.chargebackCount();
        if ("AUTHORIZED".equals(r[5])) {
          approved++;
          double a = r[7] == null ? 0 : (Double) r[7];
          spend += a;
          max = Math.max(max, a);
        }
      }
      out.add(
          new Object[] {
            e.getKey(),
            (long) e.getValue().size(),
            approved,
            spend,
            max,
            (long) merchants.size(),
            (long) cards.size(),
            (long) countries.size(),
            newDevice,
            newCountry,
            fraud,
            cbs,
            date
          });
    }
    return out;
  }

  private static Map<String, List<Object[]>> group(List<Object[]> rows, int keyCol) {
    Map<String, List<Object[]>> m = new TreeMap<>();
    for (Object[] r : rows) {
      m.computeIfAbsent((String) r[keyCol], k -> new ArrayList<>()).add(r);
    }
    return m;
  }

  private static double ratio(double num, double den) {
    return den == 0 ? 0 : num / den;
  }
}
