package dev.frip.lakehouse.internal;

import dev.frip.core.FraudLabels;
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
import java.time.zone.ZoneOffsetTransition;
import java.time.zone.ZoneRules;
import java.util.AbstractSet;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.IntStream;
import java.util.stream.Stream;

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
 *   <li>{@code is_fraud}: a refund event of the payment marks it as fraud ({@link FraudLabels}: a
 *       chargeback with a fraud scenario or a {@code fraud*} reason, or an abusive refund); {@code
 *       label_available_at} is the earliest such event's time, or, when none marks fraud, the
 *       earliest chargeback's. Re-running a date picks up events that arrived since.
 * </ul>
 */
public final class SilverTransform {

  /** Reads projections of a bronze topic's date range. */
  public interface BronzeSource {
    /** The rows of the range, column by column, projected to {@code columns}. */
    Columns read(String topic, LocalDate from, LocalDate to, StructType columns);
  }

  /** Silver's leading columns come from the payment as they are in bronze. */
  private static final int PAYMENT_COLUMNS = 20;

  /** The silver table's schema. */
  public static final StructType SCHEMA;

  /** The columns read from {@code bronze/payments}: silver's payment columns, Kafka coordinates. */
  private static final StructType PAYMENTS;

  /** The columns read from {@code bronze/orders}. */
  private static final StructType ORDERS =
      new StructType()
          .add("order_id", StringType.STRING)
          .add("event_time", TimestampType.TIMESTAMP)
          .add("channel", StringType.STRING)
          .add("item_count", IntegerType.INTEGER)
          .add("shipping_country", StringType.STRING)
          .add("amount_minor", LongType.LONG);

  /** The columns read from {@code bronze/users}. */
  private static final StructType USERS =
      new StructType()
          .add("user_id", StringType.STRING)
          .add("event_time", TimestampType.TIMESTAMP)
          .add("country", StringType.STRING)
          .add("home_lat", DoubleType.DOUBLE)
          .add("home_lon", DoubleType.DOUBLE)
          .add("account_created_at", TimestampType.TIMESTAMP)
          .add("kyc_verified", BooleanType.BOOLEAN)
          .add("email_domain", StringType.STRING);

  /** The columns read from {@code bronze/devices}. */
  private static final StructType DEVICES =
      new StructType()
          .add("user_id", StringType.STRING)
          .add("device_id", StringType.STRING)
          .add("event_time", TimestampType.TIMESTAMP)
          .add("device_type", StringType.STRING)
          .add("os", StringType.STRING)
          .add("is_emulator", BooleanType.BOOLEAN);

  /** The columns read from {@code bronze/geo_events}. */
  private static final StructType GEO =
      new StructType()
          .add("user_id", StringType.STRING)
          .add("event_time", TimestampType.TIMESTAMP)
          .add("lat", DoubleType.DOUBLE)
          .add("lon", DoubleType.DOUBLE)
          .add("country", StringType.STRING);

  /** The columns read from {@code bronze/refunds}. */
  private static final StructType REFUNDS =
      new StructType()
          .add("payment_id", StringType.STRING)
          .add("event_time", TimestampType.TIMESTAMP)
          .add("refund_type", StringType.STRING)
          .add("reason", StringType.STRING)
          .add("fraud_scenario", StringType.STRING);

  /** A day in microseconds: a device first seen less than this before the payment is new. */
  private static final long DAY_MICROS = 86_400_000_000L;

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

  /**
   * Builds the silver rows of {@code date}. The reference tables are read, in the order they are
   * joined, on another thread while this one deduplicates the payments and builds key indexes.
   */
  public Output run(BronzeSource bronze, LocalDate date) {
    // Payments of the day, first delivery of each event_id wins.
    Columns payments = bronze.read("payments", date, date, PAYMENTS);
    ExecutorService reader = daemonThread("silver-reference-reads");
    ExecutorService joiner = daemonThread("silver-order-joins");
    try {
      LocalDate epoch = LocalDate.of(1970, 1, 1);
      long lookbackDays = Math.max(1, (newCountryLookback.toHours() + 23) / 24);
      Future<Columns> orders =
          reader.submit(() -> bronze.read("orders", date.minusDays(1), date, ORDERS));
      Future<Columns> profiles = reader.submit(() -> bronze.read("users", epoch, date, USERS));
      Future<Columns> sightings = reader.submit(() -> bronze.read("devices", epoch, date, DEVICES));
      Future<Columns> fixes =
          reader.submit(() -> bronze.read("geo_events", date.minusDays(lookbackDays), date, GEO));
      Future<Columns> refunds =
          reader.submit(
              () -> bronze.read("refunds", date, date.plusDays(chargebackHorizonDays), REFUNDS));
      return join(payments, orders, profiles, sightings, fixes, refunds, joiner, date);
    } finally {
      reader.shutdownNow();
      joiner.shutdownNow();
    }
  }

  private static ExecutorService daemonThread(String name) {
    return Executors.newSingleThreadExecutor(
        r -> {
          Thread t = new Thread(r, name);
          t.setDaemon(true);
          return t;
        });
  }

  /**
   * The payments deduplicated and joined with the reference tables as they arrive: orders and
   * chargebacks (keyed by the payment's own ids) on {@code joiner}, users, devices and geo fixes on
   * this thread; then the matched columns and the derived ones, in row ranges on both cores.
   */
  private Output join(
      Columns payments,
      Future<Columns> ordersRead,
      Future<Columns> profilesRead,
      Future<Columns> sightingsRead,
      Future<Columns> fixesRead,
      Future<Columns> refundsRead,
      ExecutorService joiner,
      LocalDate date) {
    int n = payments.size();
    int[] byOffset = kafkaOrder(payments);
    KeyIndex eventIds = new KeyIndex(payments, 0, -1);
    boolean[] taken = new boolean[eventIds.size()];
    boolean nullTaken = false;
    int[] unique = new int[n];
    int u = 0;
    for (int i : byOffset) {
      int k = eventIds.id(i);
      if (k < 0 ? !nullTaken : !taken[k]) {
        if (k < 0) {
          nullTaken = true;
        } else {
          taken[k] = true;
        }
        unique[u++] = i;
      }
    }
    Set<String> seen = eventIds.keys(nullTaken);
    unique = Arrays.copyOf(unique, u);
    int duplicates = n - u;

    Columns out = Columns.allocate(SCHEMA, u);
    int[] rowsOfUnique = unique;
    IntStream.range(0, PAYMENT_COLUMNS)
        .parallel()
        .forEach(c -> out.gather(c, payments, c, rowsOfUnique));
    // Orders and chargebacks need only the payments' own ids: matched on the other thread while
    // this one matches users, devices and geo fixes.
    Future<int[]> orderRows = joiner.submit(() -> orderRows(out, Futures.get(ordersRead, READ)));
    Future<int[]> chargebackRows =
        joiner.submit(() -> chargebackRows(out, Futures.get(refundsRead, READ)));
    // Keys of the day's payments (silver rows), each index built when a reference table has rows;
    // the users' while the first tables are read.
    KeyIndex users = new KeyIndex(out, 4, -1);
    users.size();

    // Users: every profile version up to the day, per user, by time.
    Columns profiles = Futures.get(profilesRead, READ);
    Groups userVersions =
        Groups.of(profiles, 1, users, r -> users.get(profiles.getString(r, 0), null));

    // Devices: every sighting up to the day, per user and device of the payments.
    Columns sightings = Futures.get(sightingsRead, READ);
    KeyIndex userDevices = sightings.size() > 0 ? new KeyIndex(out, 4, 10) : null;
    Groups deviceSightings =
        Groups.of(
            sightings,
            2,
            userDevices,
            r -> userDevices.get(sightings.getString(r, 0), sightings.getString(r, 1)));

    // Geo fixes of the lookback window, per user.
    Columns fixes = Futures.get(fixesRead, READ);
    Groups geo = Groups.of(fixes, 1, users, r -> users.get(fixes.getString(r, 0), null));

    // Per silver row: the matching reference rows (read-only look-ups, in row ranges on both
    // cores), then the derived columns.
    int[] userRow = new int[u];
    int[] deviceRow = new int[u];
    int[] fixRow = new int[u];
    if (userDevices != null) {
      userDevices.size(); // built here, not by the range tasks
    }
    forRanges(
        u,
        (from, to) -> {
          for (int i = from; i < to; i++) {
            long t = out.getLong(i, 1);
            userRow[i] = userVersions.latestAtOrBefore(users.idOrMissing(i), t);
            int pair = userDevices == null || out.isNull(i, 10) ? -1 : userDevices.id(i);
            deviceRow[i] = deviceSightings.latestAtOrBefore(pair, t);
            fixRow[i] = geo.latestAtOrBefore(users.idOrMissing(i), t);
          }
        });
    Columns orders = Futures.get(ordersRead, READ);
    Columns refunds = Futures.get(refundsRead, READ);
    int[] orderRow = Futures.get(orderRows, "joining orders");
    int[] chargebackRow = Futures.get(chargebackRows, "joining chargebacks");
    // Target column, source table, source column, source rows: one task each.
    int derived = PAYMENT_COLUMNS + 20;
    int ageDays = PAYMENT_COLUMNS + 9;
    int firstSeenCol = PAYMENT_COLUMNS + 15;
    List<Runnable> gathers = new ArrayList<>();
    int c = PAYMENT_COLUMNS;
    for (int k = 1; k <= 5; k++) {
      gathers.add(gather(out, c++, orders, k, orderRow));
    }
    for (int k : new int[] {2, 3, 4, 5}) {
      gathers.add(gather(out, c++, profiles, k, userRow));
    }
    c++; // account_age_days
    gathers.add(gather(out, c++, profiles, 6, userRow));
    gathers.add(gather(out, c++, profiles, 7, userRow));
    for (int k = 3; k <= 5; k++) {
      gathers.add(gather(out, c++, sightings, k, deviceRow));
    }
    c++; // device_first_seen_at
    for (int k = 1; k <= 4; k++) {
      gathers.add(gather(out, c++, fixes, k, fixRow));
    }
    gathers.add(gather(out, derived + 7, refunds, 4, chargebackRow));
    gathers.add(gather(out, derived + 8, refunds, 1, chargebackRow));
    gathers.parallelStream().forEach(Runnable::run);
    // The derived columns' null flags exist before rows are filled in parallel.
    for (int col : new int[] {ageDays, firstSeenCol, derived, derived + 3}) {
      out.prepareNulls(col);
    }
    int epochDay = (int) date.toEpochDay();
    forRanges(
        u,
        (from, to) -> {
          Joined joined =
              new Joined(
                  users,
                  userRow,
                  profiles,
                  userDevices,
                  deviceSightings,
                  sightings,
                  geo,
                  fixes,
                  fixRow,
                  refunds,
                  chargebackRow,
                  new Fx(),
                  new LocalHours());
          for (int i = from; i < to; i++) {
            enrich(out, i, joined, ageDays, firstSeenCol, derived, epochDay);
          }
        });
    return new Output(out, n, duplicates, seen);
  }

  /** Waiting for a bronze read, as failure messages name it. */
  private static final String READ = "reading bronze";

  /** Rows per task of the per-row passes run on both cores. */
  private static final int ROWS_PER_TASK = 1 << 16;

  /** A pass over rows {@code [from, to)}. */
  @FunctionalInterface
  private interface RowRange {
    void run(int from, int to);
  }

  /** Runs {@code pass} over rows {@code [0, n)} in ranges on the common fork-join pool. */
  private static void forRanges(int n, RowRange pass) {
    IntStream.range(0, (n + ROWS_PER_TASK - 1) / ROWS_PER_TASK)
        .parallel()
        .forEach(t -> pass.run(t * ROWS_PER_TASK, Math.min(n, (t + 1) * ROWS_PER_TASK)));
  }

  private static Runnable gather(Columns out, int col, Columns src, int srcCol, int[] rows) {
    return () -> out.gather(col, src, srcCol, rows);
  }

  /**
   * Each silver row's order: placed the same day or the day before; the first one read wins. -1 for
   * none.
   */
  private static int[] orderRows(Columns out, Columns orders) {
    int u = out.size();
    int[] orderRow = new int[u];
    Arrays.fill(orderRow, -1);
    if (orders.size() > 0) {
      KeyIndex orderIds = new KeyIndex(out, 3, -1);
      int[] first = new int[orderIds.size()];
      Arrays.fill(first, -1);
      for (int r = 0; r < orders.size(); r++) {
        int k = orderIds.get(orders.getString(r, 0), null);
        if (k >= 0 && first[k] < 0) {
          first[k] = r;
        }
      }
      for (int i = 0; i < u; i++) {
        int k = orderIds.id(i);
        orderRow[i] = k < 0 ? -1 : first[k];
      }
    }
    return orderRow;
  }

  /**
   * Each silver row's label event from the day on ({@link FraudLabels}): the earliest refund event
   * of its payment that marks fraud, else its earliest chargeback. -1 for none.
   */
  private static int[] chargebackRows(Columns out, Columns refunds) {
    int u = out.size();
    int[] chargebackRow = new int[u];
    Arrays.fill(chargebackRow, -1);
    if (refunds.size() > 0) {
      // Indexed on the refunds' side: they are few, and the silver rows look their payment up.
      KeyIndex refundedIds = new KeyIndex(refunds, 0, -1);
      int[] label = new int[refundedIds.size()];
      boolean[] fraud = new boolean[refundedIds.size()];
      Arrays.fill(label, -1);
      for (int r = 0; r < refunds.size(); r++) {
        String type = refunds.getString(r, 2);
        boolean marks =
            FraudLabels.marksFraud(
                type,
                refunds.getString(r, 3),
                refunds.isNull(r, 4) ? null : refunds.getString(r, 4));
        if (!marks && !"CHARGEBACK".equals(type)) {
          continue; // an ordinary refund labels nothing
        }
        int k = refundedIds.id(r);
        if (k < 0) {
          continue;
        }
        boolean better =
            label[k] < 0
                || (marks && !fraud[k])
                || (marks == fraud[k] && refunds.getLong(label[k], 1) > refunds.getLong(r, 1));
        if (better) {
          label[k] = r;
          fraud[k] = marks;
        }
      }
      for (int i = 0; i < u; i++) {
        int k = refundedIds.get(out.getString(i, 2), null);
        chargebackRow[i] = k < 0 ? -1 : label[k];
      }
    }
    return chargebackRow;
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

  /**
   * Dense ids of the distinct keys of one column, or of a pair of columns ({@code user_id}, {@code
   * device_id}), in a {@link KeyTable} built on first use. Rows whose key (or either part of a
   * pair) is null have no id.
   */
  private static final class KeyIndex {
    /** The indexed rows, until the index is built. */
    private Columns rows;

    private final int col;
    private final int col2;
    private KeyTable table;
    private int[] rowId;

    KeyIndex(Columns rows, int col, int col2) {
      this.rows = rows;
      this.col = col;
      this.col2 = col2;
    }

    private void build() {
      int n = rows.size();
      // Sized for a few rows per key; it grows when the keys are more distinct than that.
      table = new KeyTable(n / 4, col2 >= 0);
      rowId = new int[n];
      for (int i = 0; i < n; i++) {
        String a = rows.getString(i, col);
        String b = col2 < 0 ? null : rows.getString(i, col2);
        rowId[i] = a == null || (col2 >= 0 && b == null) ? -1 : table.add(a, b);
      }
      rows = null;
    }

    /** The id of key {@code (a, b)} ({@code b} null for a one-column key), or -1. */
    int get(String a, String b) {
      if (table == null) {
        build();
      }
      return table.get(a, b);
    }

    /** The id of row {@code i}'s key, or -1 when it is null. */
    int id(int i) {
      if (table == null) {
        build();
      }
      return rowId[i];
    }

    /** Like {@link #id}, but -1 without building the index when nothing was looked up. */
    int idOrMissing(int i) {
      return table == null ? -1 : rowId[i];
    }

    /** Number of distinct keys. */
    int size() {
      if (table == null) {
        build();
      }
      return table.size();
    }

    /**
     * The distinct keys of a one-column index as a read-only set, with null in it when {@code
     * withNull}; {@code contains} is a look-up in the index.
     */
    Set<String> keys(boolean withNull) {
      int distinct = size();
      return new AbstractSet<>() {
        @Override
        public boolean contains(Object o) {
          return o == null ? withNull : o instanceof String s && table.get(s, null) >= 0;
        }

        @Override
        public int size() {
          return distinct + (withNull ? 1 : 0);
        }

        @Override
        public Iterator<String> iterator() {
          Stream<String> keys = IntStream.range(0, distinct).mapToObj(table::first);
          return (withNull ? Stream.concat(keys, Stream.of((String) null)) : keys).iterator();
        }
      };
    }
  }

  /** Gives a reference row its key id, or -1 when it matches no silver row. */
  @FunctionalInterface
  private interface RowKey {
    int of(int row);
  }

  /**
   * The rows of a reference table grouped by key id, each group sorted by time (ties in read
   * order): an array of row indexes with an offset per key, and the rows' times in the same order
   * (so a search within a group reads adjacent times, not one row's time per step).
   */
  private static final class Groups {
    private static final Groups NONE = new Groups(new int[1], new int[0], new long[0]);

    private final int[] start;
    private final int[] order;

    /** The time of the row at each index of {@link #order}. */
    private final long[] time;

    private Groups(int[] start, int[] order, long[] time) {
      this.start = start;
      this.order = order;
      this.time = time;
    }

    /**
     * Groups {@code table}'s rows by {@code key}, sorted by the timestamp column {@code timeCol}.
     */
    static Groups of(Columns table, int timeCol, KeyIndex keys, RowKey key) {
      int m = table.size();
      if (m == 0) {
        return NONE;
      }
      int groups = keys.size();
      int[] keyOf = new int[m];
      int[] start = new int[groups + 2];
      for (int r = 0; r < m; r++) {
        int k = key.of(r);
        keyOf[r] = k;
        if (k >= 0) {
          start[k + 2]++;
        }
      }
      for (int k = 2; k < start.length; k++) {
        start[k] += start[k - 1];
      }
      int[] order = new int[start[groups + 1]];
      for (int r = 0; r < m; r++) {
        int k = keyOf[r];
        if (k >= 0) {
          order[start[k + 1]++] = r;
        }
      }
      long[] time = new long[m];
      for (int r = 0; r < m; r++) {
        time[r] = table.getLong(r, timeCol);
      }
      int[] tmp = new int[order.length];
      for (int k = 0; k < groups; k++) {
        sortByTime(order, tmp, start[k], start[k + 1], time);
      }
      long[] sorted = new long[order.length];
      for (int j = 0; j < order.length; j++) {
        sorted[j] = time[order[j]];
      }
      return new Groups(Arrays.copyOf(start, groups + 1), order, sorted);
    }

    /** Stable merge sort of {@code order[from, to)} by {@code time} (read order on ties). */
    private static void sortByTime(int[] order, int[] tmp, int from, int to, long[] time) {
      if (to - from <= 16) {
        for (int i = from + 1; i < to; i++) {
          int v = order[i];
          int j = i - 1;
          while (j >= from && time[order[j]] > time[v]) {
            order[j + 1] = order[j];
            j--;
          }
          order[j + 1] = v;
        }
        return;
      }
      int mid = (from + to) >>> 1;
      sortByTime(order, tmp, from, mid, time);
      sortByTime(order, tmp, mid, to, time);
      System.arraycopy(order, from, tmp, from, to - from);
      int a = from;
      int b = mid;
      for (int i = from; i < to; i++) {
        order[i] = b >= to || (a < mid && time[tmp[a]] <= time[tmp[b]]) ? tmp[a++] : tmp[b++];
      }
    }

    /** First index into {@link #order} of key {@code k}'s group (empty for -1 or no rows). */
    int from(int k) {
      return k < 0 || k + 1 >= start.length ? 0 : start[k];
    }

    /** End index into {@link #order} of key {@code k}'s group. */
    int to(int k) {
      return k < 0 || k + 1 >= start.length ? 0 : start[k + 1];
    }

    /** The row at index {@code j} of {@link #order}. */
    int row(int j) {
      return order[j];
    }

    /** The time of the row at index {@code j} of {@link #order}. */
    long time(int j) {
      return time[j];
    }

    /** The last row of key {@code k}'s group with time at or before {@code t}, or -1. */
    int latestAtOrBefore(int k, long t) {
      int lo = from(k);
      int hi = to(k) - 1;
      int found = -1;
      while (lo <= hi) {
        int mid = (lo + hi) >>> 1;
        if (time[mid] > t) {
          hi = mid - 1;
        } else {
          found = mid;
          lo = mid + 1;
        }
      }
      return found < 0 ? -1 : order[found];
    }
  }

  /** The reference tables the payments are joined with, and each silver row's matches. */
  private record Joined(
      KeyIndex users,
      int[] userRow,
      Columns profiles,
      KeyIndex userDevices,
      Groups deviceSightings,
      Columns sightings,
      Groups geo,
      Columns fixes,
      int[] fixRow,
      Columns refunds,
      int[] chargebackRow,
      Fx fx,
      LocalHours localHours) {}

  /**
   * Fills the derived columns of row {@code i}, whose payment and joined columns are set: {@code
   * account_age_days}, {@code device_first_seen_at}, the derived block from {@code derived} and the
   * fraud flag, event date.
   */
  private void enrich(
      Columns row, int i, Joined j, int ageDays, int firstSeenCol, int derived, int epochDay) {
    long t = row.getLong(i, 1);
    String country = row.getString(i, 12);
    int user = j.userRow()[i];
    if (user < 0) {
      row.setNull(i, ageDays);
    } else {
      long seconds = Math.floorDiv(t - j.profiles().getLong(user, 5), 1_000_000L);
      row.setInt(i, ageDays, (int) (seconds / 86_400L));
    }

    // The first sighting of the payment's device, when it was before the payment.
    boolean hasDevice = !row.isNull(i, 10);
    long firstSeen = Long.MIN_VALUE;
    if (hasDevice && j.userDevices() != null) {
      int pair = j.userDevices().id(i);
      Groups g = j.deviceSightings();
      if (g.from(pair) < g.to(pair) && g.time(g.from(pair)) <= t) {
        firstSeen = g.time(g.from(pair));
      }
    }
    if (firstSeen == Long.MIN_VALUE) {
      row.setNull(i, firstSeenCol);
    } else {
      row.setLong(i, firstSeenCol, firstSeen);
    }

    int fix = j.fixRow()[i];
    int c = derived;
    if (j.fx().select(row.getString(i, 16))) {
      row.setDouble(i, c++, j.fx().toReporting(row.getLong(i, 15)));
    } else {
      row.setNull(i, c++);
    }
    row.setString(i, c++, reportingCurrency);
    row.setInt(i, c++, j.localHours().of(t, country));
    boolean hasLat = !row.isNull(i, 13);
    double lat = row.getDouble(i, 13);
    double lon = row.getDouble(i, 14);
    boolean hasLon = !row.isNull(i, 14);
    if (!hasLat && fix >= 0) {
      hasLat = !j.fixes().isNull(fix, 2);
      lat = j.fixes().getDouble(fix, 2);
      hasLon = !j.fixes().isNull(fix, 3);
      lon = j.fixes().getDouble(fix, 3);
    }
    if (user < 0 || !hasLat || !hasLon) {
      row.setNull(i, c++);
    } else {
      row.setDouble(
          i,
          c++,
          ReferenceData.haversineKm(
              j.profiles().getDouble(user, 3), j.profiles().getDouble(user, 4), lat, lon));
    }
    row.setBoolean(
        i, c++, hasDevice && (firstSeen == Long.MIN_VALUE || firstSeen > t - DAY_MICROS));
    row.setBoolean(i, c++, isNewCountry(country, j, user, t, i));

    int cb = j.chargebackRow()[i];
    boolean fraud =
        cb >= 0
            && FraudLabels.marksFraud(
                j.refunds().getString(cb, 2),
                j.refunds().getString(cb, 3),
                j.refunds().isNull(cb, 4) ? null : j.refunds().getString(cb, 4));
    row.setBoolean(i, c, fraud);
    row.setInt(i, c + 3, epochDay);
  }

  /**
   * The hour of a time in the main time zone of a country. The offset found last is kept with the
   * time its zone's next transition comes: rows in time order in one country (most of a day's rows)
   * then skip the zone rules' look-up.
   */
  static final class LocalHours {
    private String country;
    private long validFrom = Long.MAX_VALUE;
    private long validTo = Long.MIN_VALUE;
    private int offsetSeconds;

    /** The hour of {@code micros} in the main time zone of {@code country}. */
    int of(long micros, String country) {
      long seconds = Math.floorDiv(micros, 1_000_000L);
      if (seconds < validFrom || seconds >= validTo || !Objects.equals(country, this.country)) {
        ZoneRules rules = ReferenceData.zoneOf(country).getRules();
        Instant at = micros(micros);
        offsetSeconds = rules.getOffset(at).getTotalSeconds();
        ZoneOffsetTransition next = rules.nextTransition(at);
        // The offset holds from this second until the next transition (none: for good).
        validFrom = seconds;
        validTo = next == null ? Long.MAX_VALUE : next.toEpochSecond();
        this.country = country;
      }
      return (int) Math.floorMod(Math.floorDiv(seconds + offsetSeconds, 3600L), 24L);
    }
  }

  private static Instant micros(long micros) {
    return Instant.ofEpochSecond(
        Math.floorDiv(micros, 1_000_000L), Math.floorMod(micros, 1_000_000L) * 1000);
  }

  private boolean isNewCountry(String country, Joined j, int user, long t, int i) {
    if (user >= 0 && country.equals(j.profiles().getString(user, 2))) {
      return false;
    }
    Groups g = j.geo();
    int k = j.users().idOrMissing(i);
    long since = minusSaturated(t, newCountryLookback);
    for (int f = g.from(k); f < g.to(k); f++) {
      long ft = g.time(f);
      if (ft < t && ft >= since && country.equals(j.fixes().getString(g.row(f), 4))) {
        return false;
      }
    }
    return true;
  }

  /** {@code micros} minus {@code d}, or {@link Long#MIN_VALUE} when that is out of range. */
  private static long minusSaturated(long micros, Duration d) {
    try {
      long dm = Math.addExact(Math.multiplyExact(d.getSeconds(), 1_000_000L), d.getNano() / 1000);
      return Math.subtractExact(micros, dm);
    } catch (ArithmeticException e) {
      return Long.MIN_VALUE;
    }
  }

  /**
   * {@code amount_reporting}: an amount in minor units, in major units, times the reference FX rate
   * of its currency to EUR, divided by the reporting currency's. The rate and unit of the last
   * currency are kept: a day's rows share a few currency string instances (read from dictionary
   * pages), so most rows skip the map look-up.
   */
  private final class Fx {
    private final double reportingRate = ratesToEur.get(reportingCurrency);
    private String currency;
    private Double rate;
    private double unit;

    /** Makes {@code c} the current currency; false when it has no rate (no amount). */
    boolean select(String c) {
      // Identity first: the common case is the instance of the previous row.
      if (c != currency || c == null) {
        rate = ratesToEur.get(c);
        unit = rate == null ? 1 : Math.pow(10, ReferenceData.minorDigits(c));
        currency = c;
      }
      return rate != null;
    }

    /** {@code minor} units of the current currency in the reporting currency. */
    double toReporting(long minor) {
      double major = minor / unit;
      double eur = major * rate;
      return eur / reportingRate;
    }
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
