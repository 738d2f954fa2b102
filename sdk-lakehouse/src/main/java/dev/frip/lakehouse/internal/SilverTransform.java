package dev.frip.lakehouse.internal;

import io.delta.kernel.types.BooleanType;
import io.delta.kernel.types.DataType;
import io.delta.kernel.types.DateType;
import io.delta.kernel.types.DoubleType;
import io.delta.kernel.types.IntegerType;
import io.delta.kernel.types.LongType;
import io.delta.kernel.types.StringType;
import io.delta.kernel.types.StructType;
import io.delta.kernel.types.TimestampType;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/**
 * Builds one day of {@code silver/enriched_transactions} from the bronze tables, in memory: each
 * payment of the day (deduplicated by {@code event_id}, first Kafka offset wins) joined with its
 * order, the user profile as of the payment time, the device as last seen before the payment, and
 * the latest geo fix before the payment; derived columns; fraud labels from chargebacks.
 *
 * <p>Definitions (also in the column docs of {@link #SCHEMA}):
 *
 * <ul>
 *   <li>{@code amount_reporting}: {@code amount_minor} in major units times the reference FX rate
 *       to the reporting currency; null for a currency without a rate.
 *   <li>{@code local_hour}: hour of the payment in the main time zone of the payment country.
 *   <li>{@code distance_from_home_km}: from the user's home to the payment's coordinates, or to the
 *       latest geo fix before the payment when the payment has none.
 *   <li>{@code is_new_device}: the device was first seen for this user less than 24 h before the
 *       payment, or never before it.
 *   <li>{@code is_new_country}: the payment country is not the user's home country and the user had
 *       no geo fix in it during the lookback window (default 7 days) before the payment.
 *   <li>{@code is_fraud}: a chargeback with a fraud scenario or a {@code fraud*} reason exists for
 *       the payment; {@code label_available_at} is that chargeback's time. Re-running a date picks
 *       up chargebacks that arrived since.
 * </ul>
 */
public final class SilverTransform {

  /** Reads a projection of a bronze topic's date range: (topic, from, to, columns, sink). */
  @FunctionalInterface
  public interface BronzeSource {
    void scan(
        String topic, LocalDate from, LocalDate to, List<String> columns, Consumer<Object[]> sink);
  }

  private static final String[] PAYMENT_COLS = {
    "event_id",
    "event_time",
    "payment_id",
    "order_id",
    "user_id",
    "card_id",
    "merchant_id",
    "merchant_category",
    "merchant_country",
    "terminal_id",
    "device_id",
    "ip",
    "country",
    "lat",
    "lon",
    "amount_minor",
    "currency",
    "payment_method",
    "status",
    "decline_reason",
    "kafka_partition",
    "kafka_offset"
  };

  /** The silver table's schema. */
  public static final StructType SCHEMA;

  static {
    StructType s = new StructType();
    // Payment columns, as in bronze.
    s = s.add("event_id", StringType.STRING, false);
    s = s.add("event_time", TimestampType.TIMESTAMP, false);
    s = s.add("payment_id", StringType.STRING, false);
    s = s.add("order_id", StringType.STRING, false);
    s = s.add("user_id", StringType.STRING, false);
    s = s.add("card_id", StringType.STRING, false);
    s = s.add("merchant_id", StringType.STRING, false);
    s = s.add("merchant_category", StringType.STRING, false);
    s = s.add("merchant_country", StringType.STRING, false);
    s = s.add("terminal_id", StringType.STRING, true);
    s = s.add("device_id", StringType.STRING, true);
    s = s.add("ip", StringType.STRING, true);
    s = s.add("country", StringType.STRING, false);
    s = s.add("lat", DoubleType.DOUBLE, true);
    s = s.add("lon", DoubleType.DOUBLE, true);
    s = s.add("amount_minor", LongType.LONG, false);
    s = s.add("currency", StringType.STRING, false);
    s = s.add("payment_method", StringType.STRING, false);
    s = s.add("status", StringType.STRING, false);
    s = s.add("decline_reason", StringType.STRING, true);
    // Order.
    s = s.add("order_event_time", TimestampType.TIMESTAMP, true);
    s = s.add("channel", StringType.STRING, true);
    s = s.add("item_count", IntegerType.INTEGER, true);
    s = s.add("shipping_country", StringType.STRING, true);
    s = s.add("order_amount_minor", LongType.LONG, true);
    // User as of the payment.
    s = s.add("home_country", StringType.STRING, true);
    s = s.add("home_lat", DoubleType.DOUBLE, true);
    s = s.add("home_lon", DoubleType.DOUBLE, true);
    s = s.add("account_created_at", TimestampType.TIMESTAMP, true);
    s = s.add("account_age_days", IntegerType.INTEGER, true);
    s = s.add("kyc_verified", BooleanType.BOOLEAN, true);
    s = s.add("email_domain", StringType.STRING, true);
    // Device as last seen before the payment.
    s = s.add("device_type", StringType.STRING, true);
    s = s.add("device_os", StringType.STRING, true);
    s = s.add("device_is_emulator", BooleanType.BOOLEAN, true);
    s = s.add("device_first_seen_at", TimestampType.TIMESTAMP, true);
    // Latest geo fix before the payment.
    s = s.add("geo_event_time", TimestampType.TIMESTAMP, true);
    s = s.add("geo_lat", DoubleType.DOUBLE, true);
    s = s.add("geo_lon", DoubleType.DOUBLE, true);
    s = s.add("geo_country", StringType.STRING, true);
    // Derived.
    s = s.add("amount_reporting", DoubleType.DOUBLE, true);
    s = s.add("reporting_currency", StringType.STRING, false);
    s = s.add("local_hour", IntegerType.INTEGER, false);
    s = s.add("distance_from_home_km", DoubleType.DOUBLE, true);
    s = s.add("is_new_device", BooleanType.BOOLEAN, false);
    s = s.add("is_new_country", BooleanType.BOOLEAN, false);
    // Labels.
    s = s.add("is_fraud", BooleanType.BOOLEAN, false);
    s = s.add("fraud_scenario", StringType.STRING, true);
    s = s.add("label_available_at", TimestampType.TIMESTAMP, true);
    s = s.add("event_date", DateType.DATE, false);
    SCHEMA = s;
  }

  private final String reportingCurrency;
  private final Map<String, Double> ratesToEur;
  private final Duration newCountryLookback;
  private final int chargebackHorizonDays;

  public SilverTransform(
      String reportingCurrency,
      Map<String, Double> ratesToEur,
      Duration newCountryLookback,
      int chargebackHorizonDays) {
    this.reportingCurrency = reportingCurrency;
    this.ratesToEur = Map.copyOf(ratesToEur);
    this.newCountryLookback = newCountryLookback;
    this.chargebackHorizonDays = chargebackHorizonDays;
    if (!this.ratesToEur.containsKey(reportingCurrency)) {
      throw new IllegalArgumentException(
          "reporting currency "
              + reportingCurrency
              + " has no FX rate; known: "
              + ratesToEur.keySet());
    }
  }

  /** What the transform read and produced. */
  public record Output(List<Object[]> rows, int paymentsRead, int duplicatesDropped) {}

  /** Builds the silver rows of {@code date}. */
  public Output run(BronzeSource bronze, LocalDate date) {
    // Payments of the day, first delivery of each event_id wins.
    List<Object[]> payments = new ArrayList<>();
    bronze.scan("payments", date, date, List.of(PAYMENT_COLS), payments::add);
    payments.sort(
        Comparator.<Object[], Integer>comparing(r -> (Integer) r[20])
            .thenComparing(r -> (Long) r[21]));
    Set<String> seen = new HashSet<>();
    List<Object[]> unique = new ArrayList<>(payments.size());
    for (Object[] p : payments) {
      if (seen.add((String) p[0])) {
        unique.add(p);
      }
    }
    int duplicates = payments.size() - unique.size();

    Set<String> users = new HashSet<>();
    Set<String> orderIds = new HashSet<>();
    Set<String> paymentIds = new HashSet<>();
    for (Object[] p : unique) {
      users.add((String) p[4]);
      orderIds.add((String) p[3]);
      paymentIds.add((String) p[2]);
    }

    // Orders: the payment's order, placed the same day or the day before.
    Map<String, Object[]> orders = new HashMap<>();
    bronze.scan(
        "orders",
        date.minusDays(1),
        date,
        List.of(
            "order_id", "event_time", "channel", "item_count", "shipping_country", "amount_minor"),
        r -> {
          if (orderIds.contains((String) r[0])) {
            orders.putIfAbsent((String) r[0], r);
          }
        });

    // Users: every profile version up to the day, per user, by time.
    Map<String, List<Object[]>> userVersions = new HashMap<>();
    bronze.scan(
        "users",
        LocalDate.of(1970, 1, 1),
        date,
        List.of(
            "user_id",
            "event_time",
            "country",
            "home_lat",
            "home_lon",
            "account_created_at",
            "kyc_verified",
            "email_domain"),
        r -> {
          if (users.contains((String) r[0])) {
            userVersions.computeIfAbsent((String) r[0], k -> new ArrayList<>()).add(r);
          }
        });
    sortByTime(userVersions);

    // Devices: every sighting up to the day, per user and device.
    Map<String, List<Object[]>> deviceSightings = new HashMap<>();
    bronze.scan(
        "devices",
        LocalDate.of(1970, 1, 1),
        date,
        List.of("user_id", "device_id", "event_time", "device_type", "os", "is_emulator"),
        r -> {
          if (users.contains((String) r[0])) {
            deviceSightings.computeIfAbsent(r[0] + "\u0000" + r[1], k -> new ArrayList<>()).add(r);
          }
        });
    sortByTime(deviceSightings, 2);

    // Geo fixes of the lookback window, per user.
    Map<String, List<Object[]>> geo = new HashMap<>();
    long lookbackDays = Math.max(1, (newCountryLookback.toHours() + 23) / 24);
    bronze.scan(
        "geo_events",
        date.minusDays(lookbackDays),
        date,
        List.of("user_id", "event_time", "lat", "lon", "country"),
        r -> {
          if (users.contains((String) r[0])) {
            geo.computeIfAbsent((String) r[0], k -> new ArrayList<>()).add(r);
          }
        });
    sortByTime(geo);

    // Chargebacks from the day on: the earliest one per payment is the label.
    Map<String, Object[]> chargebacks = new HashMap<>();
    bronze.scan(
        "refunds",
        date,
        date.plusDays(chargebackHorizonDays),
        List.of("payment_id", "event_time", "refund_type", "reason", "fraud_scenario"),
        r -> {
          if ("CHARGEBACK".equals(r[2]) && paymentIds.contains((String) r[0])) {
            chargebacks.merge(
                (String) r[0], r, (a, b) -> ((Instant) a[1]).isAfter((Instant) b[1]) ? b : a);
          }
        });

    List<Object[]> out = new ArrayList<>(unique.size());
    for (Object[] p : unique) {
      out.add(enrich(p, orders, userVersions, deviceSightings, geo, chargebacks, date));
    }
    return new Output(out, payments.size(), duplicates);
  }

  private Object[] enrich(
      Object[] p,
      Map<String, Object[]> orders,
      Map<String, List<Object[]>> userVersions,
      Map<String, List<Object[]>> deviceSightings,
      Map<String, List<Object[]>> geo,
      Map<String, Object[]> chargebacks,
      LocalDate date) {
    Object[] row = new Object[SCHEMA.length()];
    System.arraycopy(p, 0, row, 0, 20);
    Instant t = (Instant) p[1];
    String userId = (String) p[4];
    String deviceId = (String) p[10];
    String country = (String) p[12];
    int i = 20;

    Object[] order = orders.get((String) p[3]);
    row[i++] = order == null ? null : order[1];
    row[i++] = order == null ? null : order[2];
    row[i++] = order == null ? null : order[3];
    row[i++] = order == null ? null : order[4];
    row[i++] = order == null ? null : order[5];

    Object[] user = latestAtOrBefore(userVersions.get(userId), 1, t);
    row[i++] = user == null ? null : user[2];
    row[i++] = user == null ? null : user[3];
    row[i++] = user == null ? null : user[4];
    row[i++] = user == null ? null : user[5];
    row[i++] = user == null ? null : (int) Duration.between((Instant) user[5], t).toDays();
    row[i++] = user == null ? null : user[6];
    row[i++] = user == null ? null : user[7];

    List<Object[]> sightings =
        deviceId == null ? null : deviceSightings.get(userId + "\u0000" + deviceId);
    Object[] device = latestAtOrBefore(sightings, 2, t);
    Instant firstSeen =
        sightings == null || sightings.isEmpty() || ((Instant) sightings.get(0)[2]).isAfter(t)
            ? null
            : (Instant) sightings.get(0)[2];
    row[i++] = device == null ? null : device[3];
    row[i++] = device == null ? null : device[4];
    row[i++] = device == null ? null : device[5];
    row[i++] = firstSeen;

    List<Object[]> fixes = geo.get(userId);
    Object[] fix = latestAtOrBefore(fixes, 1, t);
    row[i++] = fix == null ? null : fix[1];
    row[i++] = fix == null ? null : fix[2];
    row[i++] = fix == null ? null : fix[3];
    row[i++] = fix == null ? null : fix[4];

    row[i++] = amountReporting((Long) p[15], (String) p[16]);
    row[i++] = reportingCurrency;
    row[i++] = t.atZone(ReferenceData.zoneOf(country)).getHour();
    Double lat = (Double) p[13];
    Double lon = (Double) p[14];
    if (lat == null && fix != null) {
      lat = (Double) fix[2];
      lon = (Double) fix[3];
    }
    row[i++] =
        user == null || lat == null || lon == null
            ? null
            : ReferenceData.haversineKm((Double) user[3], (Double) user[4], lat, lon);
    row[i++] =
        deviceId != null && (firstSeen == null || firstSeen.isAfter(t.minus(Duration.ofHours(24))));
    row[i++] = isNewCountry(country, user, fixes, t);

    Object[] cb = chargebacks.get((String) p[2]);
    boolean fraud =
        cb != null && (cb[4] != null || (cb[3] != null && ((String) cb[3]).startsWith("fraud")));
    row[i++] = fraud;
    row[i++] = cb == null ? null : cb[4];
    row[i++] = cb == null ? null : cb[1];
    row[i++] = date;
    return row;
  }

  private boolean isNewCountry(String country, Object[] user, List<Object[]> fixes, Instant t) {
    if (user != null && country.equals(user[2])) {
      return false;
    }
    if (fixes != null) {
      Instant since = t.minus(newCountryLookback);
      for (Object[] f : fixes) {
        Instant ft = (Instant) f[1];
        if (ft.isBefore(t) && !ft.isBefore(since) && country.equals(f[4])) {
          return false;
        }
      }
    }
    return true;
  }

  private Double amountReporting(long minor, String currency) {
    Double rate = ratesToEur.get(currency);
    if (rate == null) {
      return null;
    }
    double major = minor / Math.pow(10, ReferenceData.minorDigits(currency));
    double eur = major * rate;
    return eur / ratesToEur.get(reportingCurrency);
  }

  private static void sortByTime(Map<String, List<Object[]>> m) {
    sortByTime(m, 1);
  }

  private static void sortByTime(Map<String, List<Object[]>> m, int timeCol) {
    for (List<Object[]> l : m.values()) {
      l.sort(Comparator.comparing(r -> (Instant) r[timeCol]));
    }
  }

  /** The last element with time at or before {@code t}, from a list sorted by time. */
  private static Object[] latestAtOrBefore(List<Object[]> sorted, int timeCol, Instant t) {
    if (sorted == null) {
      return null;
    }
    int lo = 0;
    int hi = sorted.size() - 1;
    int found = -1;
    while (lo <= hi) {
      int mid = (lo + hi) >>> 1;
      if (((Instant) sorted.get(mid)[timeCol]).isAfter(t)) {
        hi = mid - 1;
      } else {
        found = mid;
        lo = mid + 1;
      }
    }
    return found < 0 ? null : sorted.get(found);
  }

  /** Column type by name, for tests and readers. */
  public static DataType typeOf(String column) {
    return SCHEMA.get(column).getDataType();
  }

  /** Silver column names. */
  public static List<String> columns() {
    return Collections.unmodifiableList(SCHEMA.fieldNames());
  }
}
