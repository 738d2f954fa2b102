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
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import java.util.stream.IntStream;

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

  /** Reads projections of a bronze topic's date range. */
  public interface BronzeSource {
    /** Passes each row of {@code columns} of the range to {@code sink}. */
    void scan(
        String topic, LocalDate from, LocalDate to, List<String> columns, Consumer<Object[]> sink);

    /** The rows of the range, column by column, projected to {@code columns}. */
    Columns read(String topic, LocalDate from, LocalDate to, StructType columns);
  }

  /** Silver's leading columns come from the payment as they are in bronze. */
  private static final int PAYMENT_COLUMNS = 20;

  /** The silver table's schema. */
  public static final StructType SCHEMA;

  /** The columns read from {@code bronze/payments}: silver's payment columns, Kafka coordinates. */
  private static final StructType PAYMENTS;

  private static final int KAFKA_PARTITION = PAYMENT_COLUMNS;
  private static final int KAFKA_OFFSET = PAYMENT_COLUMNS + 1;

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
    StructType p = new StructType();
    for (int c = 0; c < PAYMENT_COLUMNS; c++) {
      p = p.add(s.at(c));
    }
    PAYMENTS = p.add("kafka_partition", IntegerType.INTEGER).add("kafka_offset", LongType.LONG);
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

  /**
   * What the transform read and produced: silver rows in {@link #SCHEMA}, and the distinct {@code
   * event_id}s of the bronze payments they were built from (the reference of the silver→bronze
   * checks, from the same read).
   */
  public record Output(
      Columns rows, int paymentsRead, int duplicatesDropped, Set<String> bronzeEventIds) {}

  /** Builds the silver rows of {@code date}. */
  public Output run(BronzeSource bronze, LocalDate date) {
    // Payments of the day, first delivery of each event_id wins.
    Columns payments = bronze.read("payments", date, date, PAYMENTS);
    int n = payments.size();
    int[] byOffset = kafkaOrder(payments);
    Set<String> seen = new HashSet<>(capacityFor(n));
    int[] unique = new int[n];
    int u = 0;
    for (int i : byOffset) {
      if (seen.add(payments.getString(i, 0))) {
        unique[u++] = i;
      }
    }
    unique = Arrays.copyOf(unique, u);
    int duplicates = n - u;

    // Keys of the day's payments, each built when a reference row first needs it.
    KeySet users = new KeySet(payments, unique, 4);
    KeySet orderIds = new KeySet(payments, unique, 3);
    KeySet paymentIds = new KeySet(payments, unique, 2);

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
    sortByTime(userVersions.values(), 1);

    // Devices: every sighting up to the day, per user and device.
    Map<String, Map<String, List<Object[]>>> deviceSightings = new HashMap<>();
    bronze.scan(
        "devices",
        LocalDate.of(1970, 1, 1),
        date,
        List.of("user_id", "device_id", "event_time", "device_type", "os", "is_emulator"),
        r -> {
          if (users.contains((String) r[0])) {
            deviceSightings
                .computeIfAbsent((String) r[0], k -> new HashMap<>())
                .computeIfAbsent((String) r[1], k -> new ArrayList<>())
                .add(r);
          }
        });
    for (Map<String, List<Object[]>> m : deviceSightings.values()) {
      sortByTime(m.values(), 2);
    }

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
    sortByTime(geo.values(), 1);

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

    Columns out = Columns.allocate(SCHEMA, u);
    for (int c = 0; c < PAYMENT_COLUMNS; c++) {
      out.gather(c, payments, c, unique);
    }
    Joined joined = new Joined(orders, userVersions, deviceSightings, geo, chargebacks);
    for (int i = 0; i < u; i++) {
      enrich(out, i, joined, date);
    }
    return new Output(out, n, duplicates, seen);
  }

  /** Row indexes of the payments by Kafka partition, then offset (stable). */
  private static int[] kafkaOrder(Columns payments) {
    int n = payments.size();
    boolean sorted = true;
    for (int i = 1; i < n && sorted; i++) {
      sorted = compareKafka(payments, i - 1, i) <= 0;
    }
    if (sorted) {
      return IntStream.range(0, n).toArray();
    }
    return IntStream.range(0, n)
        .boxed()
        .sorted((a, b) -> compareKafka(payments, a, b))
        .mapToInt(Integer::intValue)
        .toArray();
  }

  private static int compareKafka(Columns payments, int a, int b) {
    int c =
        Integer.compare(payments.getInt(a, KAFKA_PARTITION), payments.getInt(b, KAFKA_PARTITION));
    return c != 0
        ? c
        : Long.compare(payments.getLong(a, KAFKA_OFFSET), payments.getLong(b, KAFKA_OFFSET));
  }

  /** The distinct values of one payment column, collected on the first lookup. */
  private static final class KeySet {
    private final Columns payments;
    private final int[] rows;
    private final int col;
    private Set<String> keys;

    KeySet(Columns payments, int[] rows, int col) {
      this.payments = payments;
      this.rows = rows;
      this.col = col;
    }

    boolean contains(String key) {
      if (keys == null) {
        keys = new HashSet<>(capacityFor(rows.length));
        for (int r : rows) {
          keys.add(payments.getString(r, col));
        }
      }
      return keys.contains(key);
    }
  }

  /** The reference rows the payments are joined with, by key. */
  private record Joined(
      Map<String, Object[]> orders,
      Map<String, List<Object[]>> userVersions,
      Map<String, Map<String, List<Object[]>>> deviceSightings,
      Map<String, List<Object[]>> geo,
      Map<String, Object[]> chargebacks) {}

  /**
   * Fills the joined, derived and label columns of row {@code i}, whose payment columns are set.
   */
  private void enrich(Columns row, int i, Joined j, LocalDate date) {
    long tMicros = row.getLong(i, 1);
    Instant t = micros(tMicros);
    String userId = row.getString(i, 4);
    String deviceId = row.getString(i, 10);
    String country = row.getString(i, 12);
    int c = PAYMENT_COLUMNS;

    Object[] order = j.orders().get(row.getString(i, 3));
    row.set(i, c++, order == null ? null : order[1]);
    row.set(i, c++, order == null ? null : order[2]);
    row.set(i, c++, order == null ? null : order[3]);
    row.set(i, c++, order == null ? null : order[4]);
    row.set(i, c++, order == null ? null : order[5]);

    Object[] user = latestAtOrBefore(j.userVersions().get(userId), 1, t);
    row.set(i, c++, user == null ? null : user[2]);
    row.set(i, c++, user == null ? null : user[3]);
    row.set(i, c++, user == null ? null : user[4]);
    row.set(i, c++, user == null ? null : user[5]);
    row.set(i, c++, user == null ? null : (int) Duration.between((Instant) user[5], t).toDays());
    row.set(i, c++, user == null ? null : user[6]);
    row.set(i, c++, user == null ? null : user[7]);

    Map<String, List<Object[]>> devices = j.deviceSightings().get(userId);
    List<Object[]> sightings = deviceId == null || devices == null ? null : devices.get(deviceId);
    Object[] device = latestAtOrBefore(sightings, 2, t);
    Instant firstSeen =
        sightings == null || sightings.isEmpty() || ((Instant) sightings.get(0)[2]).isAfter(t)
            ? null
            : (Instant) sightings.get(0)[2];
    row.set(i, c++, device == null ? null : device[3]);
    row.set(i, c++, device == null ? null : device[4]);
    row.set(i, c++, device == null ? null : device[5]);
    row.set(i, c++, firstSeen);

    List<Object[]> fixes = j.geo().get(userId);
    Object[] fix = latestAtOrBefore(fixes, 1, t);
    row.set(i, c++, fix == null ? null : fix[1]);
    row.set(i, c++, fix == null ? null : fix[2]);
    row.set(i, c++, fix == null ? null : fix[3]);
    row.set(i, c++, fix == null ? null : fix[4]);

    Double amount = amountReporting(row.getLong(i, 15), row.getString(i, 16));
    row.set(i, c++, amount);
    row.setString(i, c++, reportingCurrency);
    row.setInt(i, c++, localHour(tMicros, country));
    Double lat = row.isNull(i, 13) ? null : row.getDouble(i, 13);
    Double lon = row.isNull(i, 14) ? null : row.getDouble(i, 14);
    if (lat == null && fix != null) {
      lat = (Double) fix[2];
      lon = (Double) fix[3];
    }
    row.set(
        i,
        c++,
        user == null || lat == null || lon == null
            ? null
            : ReferenceData.haversineKm((Double) user[3], (Double) user[4], lat, lon));
    row.setBoolean(
        i,
        c++,
        deviceId != null
            && (firstSeen == null || firstSeen.isAfter(t.minus(Duration.ofHours(24)))));
    row.setBoolean(i, c++, isNewCountry(country, user, fixes, t));

    Object[] cb = j.chargebacks().get(row.getString(i, 2));
    boolean fraud =
        cb != null && (cb[4] != null || (cb[3] != null && ((String) cb[3]).startsWith("fraud")));
    row.setBoolean(i, c++, fraud);
    row.set(i, c++, cb == null ? null : cb[4]);
    row.set(i, c++, cb == null ? null : cb[1]);
    row.setInt(i, c, (int) date.toEpochDay());
  }

  /** The hour of {@code micros} in the main time zone of {@code country}. */
  private static int localHour(long micros, String country) {
    long seconds = Math.floorDiv(micros, 1_000_000L);
    ZoneOffset offset = ReferenceData.zoneOf(country).getRules().getOffset(micros(micros));
    return (int) Math.floorMod(Math.floorDiv(seconds + offset.getTotalSeconds(), 3600L), 24L);
  }

  private static Instant micros(long micros) {
    return Instant.ofEpochSecond(
        Math.floorDiv(micros, 1_000_000L), Math.floorMod(micros, 1_000_000L) * 1000);
  }

  private static int capacityFor(int entries) {
    return (int) Math.min(Integer.MAX_VALUE, entries * 4L / 3 + 1);
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

  private static void sortByTime(Collection<List<Object[]>> lists, int timeCol) {
    for (List<Object[]> l : lists) {
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
