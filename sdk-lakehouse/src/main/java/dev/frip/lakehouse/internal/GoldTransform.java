package dev.frip.lakehouse.internal;

import io.delta.kernel.types.BooleanType;
import io.delta.kernel.types.DateType;
import io.delta.kernel.types.DoubleType;
import io.delta.kernel.types.LongType;
import io.delta.kernel.types.StringType;
import io.delta.kernel.types.StructType;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;

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

  /** Columns the gold jobs read from silver, with their silver types. */
  public static final StructType SILVER_COLUMNS;

  static {
    StructType s = new StructType();
    for (String c :
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
            "local_hour")) {
      s = s.add(SilverTransform.SCHEMA.get(c));
    }
    SILVER_COLUMNS = s;
  }

  private static final int PAYMENT_ID = 0;
  private static final int MERCHANT_ID = 1;
  private static final int MERCHANT_CATEGORY = 2;
  private static final int MERCHANT_COUNTRY = 3;
  private static final int CURRENCY = 4;
  private static final int AMOUNT_MINOR = 6;
  private static final int AMOUNT_REPORTING = 7;
  private static final int IS_FRAUD = 8;
  private static final int USER_ID = 9;
  private static final int CARD_ID = 10;
  private static final int IS_NEW_DEVICE = 11;
  private static final int IS_NEW_COUNTRY = 12;
  private static final int COUNTRY = 13;
  private static final int LOCAL_HOUR = 14;

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

  /**
   * One silver day ready to aggregate: the rows in {@link #SILVER_COLUMNS} order, each with its
   * returns, and the string keys the tables group by as dense codes (first-seen order).
   */
  public static final class Day {
    private final Columns rows;
    private final Returns[] returns;
    private final boolean[] authorized;
    private final Codes merchants;
    private final Codes users;
    private final Codes cards;
    private final Codes countries;

    /**
     * @param rows silver rows in {@link #SILVER_COLUMNS} order
     * @param returns refunds and chargebacks by payment id, attached to its authorized rows
     */
    public Day(Columns rows, Map<String, Returns> returns) {
      this.rows = rows;
      int n = rows.size();
      // The codes of the two id columns with many values on another thread, the rest on this one.
      CompletableFuture<Codes> userCodes =
          CompletableFuture.supplyAsync(() -> new Codes(rows, USER_ID));
      CompletableFuture<Codes> cardCodes = userCodes.thenApply(ignored -> new Codes(rows, CARD_ID));
      this.returns = new Returns[n];
      this.authorized = new boolean[n];
      for (int i = 0; i < n; i++) {
        this.authorized[i] = "AUTHORIZED".equals(rows.getString(i, 5));
        // Returns are netted against the authorized row only: a payment id can also be on a
        // declined attempt's row, which must not count them again.
        this.returns[i] =
            returns.isEmpty() || !authorized[i] ? null : returns.get(rows.getString(i, PAYMENT_ID));
      }
      this.merchants = new Codes(rows, MERCHANT_ID);
      this.countries = new Codes(rows, COUNTRY);
      this.users = Futures.get(userCodes, "building the user codes");
      this.cards = Futures.get(cardCodes, "building the card codes");
    }

    int size() {
      return rows.size();
    }

    boolean isTrue(int row, int col) {
      return !rows.isNull(row, col) && rows.getBoolean(row, col);
    }

    /** {@code amount_reporting}, 0 when null. */
    double amountReporting(int row) {
      return rows.isNull(row, AMOUNT_REPORTING) ? 0 : rows.getDouble(row, AMOUNT_REPORTING);
    }

    int chargebacks(int row) {
      return returns[row] == null ? 0 : returns[row].chargebackCount();
    }
  }

  /** A string column as dense int codes (first-seen order), with the distinct values by code. */
  private static final class Codes {
    final int[] code;
    final List<String> values = new ArrayList<>();

    /** The non-null values' ids; their codes by id (ids skip null's code). */
    private final KeyTable index = new KeyTable(1 << 10, false);

    private int[] codeOfId = new int[1 << 10];

    Codes(Columns rows, int col) {
      code = new int[rows.size()];
      int nullCode = -1;
      for (int i = 0; i < code.length; i++) {
        String v = rows.getString(i, col);
        if (v == null) {
          if (nullCode < 0) {
            nullCode = values.size();
            values.add(null);
          }
          code[i] = nullCode;
          continue;
        }
        int before = index.size();
        int id = index.add(v, null);
        if (index.size() > before) {
          if (id == codeOfId.length) {
            codeOfId = Arrays.copyOf(codeOfId, id * 2);
          }
          codeOfId[id] = values.size();
          values.add(v);
        }
        code[i] = codeOfId[id];
      }
    }

    /** The codes ordered by their values' natural order (as a TreeMap keyed by value). */
    int[] sorted() {
      String[] byValue = values.toArray(new String[0]);
      Arrays.sort(byValue);
      int[] out = new int[byValue.length];
      for (int k = 0; k < out.length; k++) {
        out[k] = codeOfId[index.get(byValue[k], null)];
      }
      return out;
    }
  }

  /** Rows of {@code daily_revenue} for one silver day. */
  public List<Object[]> dailyRevenue(LocalDate date, Day day) {
    Columns r = day.rows;
    Map<List<String>, Integer> groupOf = new HashMap<>();
    List<List<String>> keys = new ArrayList<>();
    List<long[]> counts = new ArrayList<>();
    List<double[]> money = new ArrayList<>();
    for (int i = 0; i < day.size(); i++) {
      List<String> key =
          Arrays.asList(
              r.getString(i, MERCHANT_ID),
              r.getString(i, MERCHANT_CATEGORY),
              r.getString(i, MERCHANT_COUNTRY),
              r.getString(i, CURRENCY));
      Integer g = groupOf.get(key);
      if (g == null) {
        g = keys.size();
        groupOf.put(key, g);
        keys.add(key);
        counts.add(new long[6]);
        money.add(new double[2]);
      }
      long[] c = counts.get(g);
      double[] m = money.get(g);
      c[0]++;
      if (day.authorized[i]) {
        long amount = r.getLong(i, AMOUNT_MINOR);
        boolean noRate = r.isNull(i, AMOUNT_REPORTING);
        double rate = noRate || amount == 0 ? 0 : r.getDouble(i, AMOUNT_REPORTING) / amount;
        c[1]++;
        c[2] += amount;
        m[0] += day.amountReporting(i);
        Returns ret = day.returns[i];
        if (ret != null) {
          c[3] += ret.refundsMinor();
          c[4] += ret.chargebacksMinor();
          c[5] += ret.refundsMinor() > 0 ? 1 : 0;
          m[1] += (ret.refundsMinor() + ret.chargebacksMinor()) * rate;
        }
      }
    }
    Map<String, Integer> ordered = new TreeMap<>();
    for (int g = 0; g < keys.size(); g++) {
      ordered.put(String.join("\u0000", keys.get(g).stream().map(String::valueOf).toList()), g);
    }
    List<Object[]> out = new ArrayList<>();
    for (int g : ordered.values()) {
      long[] c = counts.get(g);
      double[] m = money.get(g);
      List<String> k = keys.get(g);
      out.add(
          new Object[] {
            k.get(0),
            k.get(1),
            k.get(2),
            k.get(3),
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
  public List<Object[]> fraudKpis(LocalDate date, Day day, Map<String, String> actions) {
    Map<String, double[]> acc = new TreeMap<>();
    double[] all = acc.computeIfAbsent("*", k -> new double[9]);
    double[][] byMerchant = new double[day.merchants.values.size()][];
    for (int i = 0; i < day.size(); i++) {
      if (!day.authorized[i]) {
        continue;
      }
      String action = actions.isEmpty() ? null : actions.get(day.rows.getString(i, PAYMENT_ID));
      boolean alert = "REVIEW".equals(action) || "BLOCK".equals(action);
      int merchant = day.merchants.code[i];
      if (byMerchant[merchant] == null) {
        byMerchant[merchant] =
            acc.computeIfAbsent(day.merchants.values.get(merchant), k -> new double[9]);
      }
      for (double[] a : new double[][] {all, byMerchant[merchant]}) {
        double amount = day.amountReporting(i);
        boolean fraud = day.isTrue(i, IS_FRAUD);
        a[0]++;
        a[1] += fraud ? 1 : 0;
        a[2] += amount;
        a[3] += fraud ? amount : 0;
        a[4] += day.chargebacks(i);
        if (action != null) {
          a[5]++;
          a[6] += alert ? 1 : 0;
          a[7] += alert && fraud ? 1 : 0;
          a[8] += fraud ? 1 : 0;
        }
      }
    }
    if (all[0] == 0) {
      acc.remove("*");
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
  public List<Object[]> merchantRisk(LocalDate date, Day day) {
    int merchants = day.merchants.values.size();
    long[][] c = new long[merchants][8];
    double[] amount = new double[merchants];
    Columns r = day.rows;
    for (int i = 0; i < day.size(); i++) {
      long[] m = c[day.merchants.code[i]];
      m[0]++;
      m[1] += day.isTrue(i, IS_NEW_DEVICE) ? 1 : 0;
      m[2] += day.isTrue(i, IS_NEW_COUNTRY) ? 1 : 0;
      m[3] += !r.isNull(i, LOCAL_HOUR) && r.getInt(i, LOCAL_HOUR) < 6 ? 1 : 0;
      if (!day.authorized[i]) {
        m[4]++;
        continue;
      }
      m[5]++;
      m[6] += day.isTrue(i, IS_FRAUD) ? 1 : 0;
      amount[day.merchants.code[i]] += day.amountReporting(i);
      m[7] += day.chargebacks(i);
    }
    long[] cards = distinctPerGroup(day.merchants.code, day.cards.code, merchants);
    List<Object[]> out = new ArrayList<>();
    for (int g : day.merchants.sorted()) {
      long[] m = c[g];
      long n = m[0];
      long approved = m[5];
      double fraudRate = ratio(m[6], approved);
      double cbRatio = ratio(m[7], approved);
      double worst = Math.max(fraudRate, cbRatio);
      String tier = worst >= 0.01 ? "HIGH" : worst >= 0.003 ? "MEDIUM" : "LOW";
      out.add(
          new Object[] {
            day.merchants.values.get(g),
            n,
            ratio(m[4], n),
            fraudRate,
            m[7],
            cbRatio,
            ratio(amount[g], approved),
            cards[g],
            ratio(m[1], n),
            ratio(m[2], n),
            ratio(m[3], n),
            tier,
            date
          });
    }
    return out;
  }

  /** Rows of {@code customer_metrics}, one per user with payments that day. */
  public List<Object[]> customerMetrics(LocalDate date, Day day) {
    int users = day.users.values.size();
    long[][] c = new long[users][6];
    double[] spend = new double[users];
    double[] max = new double[users];
    for (int i = 0; i < day.size(); i++) {
      int u = day.users.code[i];
      long[] m = c[u];
      m[0]++;
      m[1] += day.isTrue(i, IS_NEW_DEVICE) ? 1 : 0;
      m[2] += day.isTrue(i, IS_NEW_COUNTRY) ? 1 : 0;
      m[3] += day.isTrue(i, IS_FRAUD) ? 1 : 0;
      m[4] += day.chargebacks(i);
      if (day.authorized[i]) {
        m[5]++;
        double a = day.amountReporting(i);
        spend[u] += a;
        max[u] = Math.max(max[u], a);
      }
    }
    long[] merchants = distinctPerGroup(day.users.code, day.merchants.code, users);
    long[] cards = distinctPerGroup(day.users.code, day.cards.code, users);
    long[] countries = distinctPerGroup(day.users.code, day.countries.code, users);
    List<Object[]> out = new ArrayList<>(users);
    for (int u : day.users.sorted()) {
      long[] m = c[u];
      out.add(
          new Object[] {
            day.users.values.get(u),
            m[0],
            m[5],
            spend[u],
            max[u],
            merchants[u],
            cards[u],
            countries[u],
            m[1],
            m[2],
            m[3],
            m[4],
            date
          });
    }
    return out;
  }

  /** Number of distinct {@code value} codes per {@code group} code, by sorting the pairs. */
  private static long[] distinctPerGroup(int[] group, int[] value, int groups) {
    long[] pairs = new long[group.length];
    for (int i = 0; i < pairs.length; i++) {
      pairs[i] = ((long) group[i] << 32) | (value[i] & 0xffffffffL);
    }
    Arrays.sort(pairs);
    long[] out = new long[groups];
    for (int i = 0; i < pairs.length; i++) {
      if (i == 0 || pairs[i] != pairs[i - 1]) {
        out[(int) (pairs[i] >>> 32)]++;
      }
    }
    return out;
  }

  private static double ratio(double num, double den) {
    return den == 0 ? 0 : num / den;
  }
}
