package dev.frip.lakehouse;

import dev.frip.lakehouse.internal.DeltaTable;
import dev.frip.lakehouse.internal.PostgresTable;
import io.delta.kernel.Snapshot;
import io.delta.kernel.types.StructType;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Publishes the gold tables of one date to PostgreSQL, the analytics database: {@code
 * daily_revenue}, {@code fraud_kpis}, {@code merchant_risk} and {@code customer_metrics}, read back
 * from the lakehouse with their Delta schemas.
 *
 * <pre>{@code
 * AnalyticsPublisher publisher = AnalyticsPublisher.builder(lake)
 *     .connections(dataSource::getConnection)   // any JDBC source of PostgreSQL connections
 *     .build();
 * PublishResult r = publisher.publish(LocalDate.parse("2026-02-25"));
 * }</pre>
 *
 * <p>A missing table is created with typed columns ({@code text}, {@code bigint}, {@code double
 * precision}, {@code boolean}, {@code date}, ...), {@code NOT NULL} where the Delta column is, and
 * a primary key of {@code event_date} and the table's grouping keys. An existing table whose
 * columns differ from the gold schema (a column added, removed or retyped) is refused with {@link
 * AnalyticsSchemaMismatchException} naming table and column: it is never altered or dropped.
 *
 * <p>All tables of the date are written in one transaction: the date's rows are deleted, then the
 * gold rows inserted in JDBC batches, then counted; the transaction commits only when every table's
 * count equals the rows read from gold. Re-running a date therefore replaces its rows (idempotent),
 * and readers see either the previous rows of the date or all the new ones.
 *
 * @since 0.1.0
 */
public final class AnalyticsPublisher {

  private static final Logger LOG = LoggerFactory.getLogger(AnalyticsPublisher.class);

  /** The gold tables published and their primary keys after {@code event_date}. */
  private static final Map<String, List<String>> GOLD_KEYS =
      gold(
          GoldJob.DAILY_REVENUE,
          List.of("merchant_id", "merchant_category", "merchant_country", "currency"),
          GoldJob.FRAUD_KPIS,
          List.of("merchant_id"),
          GoldJob.MERCHANT_RISK,
          List.of("merchant_id"),
          GoldJob.CUSTOMER_METRICS,
          List.of("user_id"));

  /**
   * Where connections come from: a {@code DataSource::getConnection}, a pool, or {@code
   * DriverManager}. Each {@link #publish} opens one and closes it.
   */
  @FunctionalInterface
  public interface Connections {
    /** A new connection to the analytics database. */
    Connection open() throws SQLException;
  }

  private final Lakehouse lake;
  private final Connections connections;
  private final int batchSize;

  private AnalyticsPublisher(Builder b) {
    this.lake = b.lake;
    this.connections = b.connections;
    this.batchSize = b.batchSize;
  }

  /** A builder of publishers reading the gold tables of {@code lake}. */
  public static Builder builder(Lakehouse lake) {
    return new Builder(Objects.requireNonNull(lake, "lake"));
  }

  /** The names of the gold tables published, in publishing order. */
  public static List<String> tables() {
    return List.copyOf(GOLD_KEYS.keySet());
  }

  /**
   * Replaces the rows of {@code date} in every analytics table by the gold rows of that date, in
   * one transaction.
   *
   * @throws IllegalStateException when a gold table does not exist in the lakehouse, when some gold
   *     tables hold rows for the date and others none (an unfinished gold run), or the rows written
   *     do not reconcile with the rows read (nothing is committed)
   * @throws AnalyticsSchemaMismatchException when an existing PostgreSQL table's columns differ
   *     from the gold schema (nothing is committed)
   * @throws java.io.UncheckedIOException wrapping the {@link SQLException} of a database failure
   */
  public PublishResult publish(LocalDate date) {
    Objects.requireNonNull(date, "date");
    long start = System.nanoTime();
    Map<String, PostgresTable> targets = new LinkedHashMap<>();
    Map<String, List<Object[]>> rows = new LinkedHashMap<>();
    for (Map.Entry<String, List<String>> e : GOLD_KEYS.entrySet()) {
      String name = e.getKey();
      DeltaTable gold = DeltaTable.forReading(lake.engine(), lake.goldPath(name));
      Optional<Snapshot> snap = gold.snapshot();
      if (snap.isEmpty()) {
        throw new IllegalStateException(
            "gold table "
                + name
                + " does not exist at "
                + gold.path()
                + ": run the gold job for "
                + date
                + " first");
      }
      StructType schema = snap.get().getSchema();
      List<String> key = new ArrayList<>();
      key.add(Lakehouse.EVENT_DATE);
      key.addAll(e.getValue());
      targets.put(name, new PostgresTable(name, schema, key));
      List<Object[]> read = new ArrayList<>();
      gold.scan(DeltaTable.dateEquals(Lakehouse.EVENT_DATE, date), schema.fieldNames(), read::add);
      rows.put(name, read);
    }
    // Every gold table comes from the same day's payments: all hold rows for the date or none
    // does. A table without rows beside others with rows is a gold run that did not finish (or a
    // partition lost since); publishing it would delete that date's rows in PostgreSQL.
    List<String> empty = new ArrayList<>();
    for (Map.Entry<String, List<Object[]>> e : rows.entrySet()) {
      if (e.getValue().isEmpty()) {
        empty.add(e.getKey());
      }
    }
    if (!empty.isEmpty() && empty.size() < rows.size()) {
      throw new IllegalStateException(
          "gold for "
              + date
              + " is incomplete: "
              + empty
              + " hold no rows for it but the other gold tables do; run the gold job for "
              + date
              + " again (nothing was published)");
    }
    Map<String, PublishResult.Table> out = new LinkedHashMap<>();
    try (Connection c = connections.open()) {
      c.setAutoCommit(false);
      try {
        for (Map.Entry<String, PostgresTable> e : targets.entrySet()) {
          out.put(e.getKey(), write(c, e.getKey(), e.getValue(), date, rows.get(e.getKey())));
        }
        c.commit();
      } catch (SQLException | RuntimeException ex) {
        c.rollback();
        throw ex;
      }
    } catch (SQLException ex) {
      throw new java.io.UncheckedIOException(
          new java.io.IOException(
              "publishing gold " + date + " to PostgreSQL failed: " + ex.getMessage(), ex));
    }
    PublishResult r = new PublishResult(date, out, Duration.ofNanos(System.nanoTime() - start));
    LOG.info(
        "published gold {} to PostgreSQL: {} rows in {} ms",
        date,
        r.rows(),
        r.elapsed().toMillis());
    return r;
  }

  private PublishResult.Table write(
      Connection c, String name, PostgresTable table, LocalDate date, List<Object[]> rows)
      throws SQLException {
    Map<String, String> existing = PostgresTable.existingColumns(c, name);
    boolean created = existing.isEmpty();
    try (Statement s = c.createStatement()) {
      if (created) {
        s.execute(table.createSql());
      } else {
        List<String> diff = table.differences(existing);
        if (!diff.isEmpty()) {
          throw new AnalyticsSchemaMismatchException(name, diff);
        }
      }
      // Concurrent publishers of the same table queue here instead of colliding on the key.
      s.execute("LOCK TABLE \"" + name + "\" IN SHARE ROW EXCLUSIVE MODE");
    }
    long deleted;
    try (PreparedStatement del = c.prepareStatement(table.deleteSql(Lakehouse.EVENT_DATE))) {
      del.setObject(1, date);
      deleted = del.executeUpdate();
    }
    try (PreparedStatement ins = c.prepareStatement(table.insertSql())) {
      int pending = 0;
      for (Object[] row : rows) {
        table.bind(ins, row);
        ins.addBatch();
        if (++pending == batchSize) {
          ins.executeBatch();
          pending = 0;
        }
      }
      if (pending > 0) {
        ins.executeBatch();
      }
    }
    long written;
    try (PreparedStatement count = c.prepareStatement(table.countSql(Lakehouse.EVENT_DATE))) {
      count.setObject(1, date);
      try (ResultSet r = count.executeQuery()) {
        r.next();
        written = r.getLong(1);
      }
    }
    if (written != rows.size()) {
      throw new IllegalStateException(
          "table "
              + name
              + " "
              + date
              + ": read "
              + rows.size()
              + " gold rows but PostgreSQL holds "
              + written
              + "; nothing was committed");
    }
    LOG.debug(
        "{} {}: {} rows replaced {} ({})",
        name,
        date,
        written,
        deleted,
        created ? "created" : "existing");
    return new PublishResult.Table(rows.size(), written, deleted, created);
  }

  private static Map<String, List<String>> gold(Object... pairs) {
    Map<String, List<String>> m = new LinkedHashMap<>();
    for (int i = 0; i < pairs.length; i += 2) {
      @SuppressWarnings("unchecked")
      List<String> keys = (List<String>) pairs[i + 1];
      m.put((String) pairs[i], keys);
    }
    return java.util.Collections.unmodifiableMap(m);
  }

  /**
   * Builds an {@link AnalyticsPublisher}.
   *
   * @since 0.1.0
   */
  public static final class Builder {
    private final Lakehouse lake;
    private Connections connections;
    private int batchSize = 1000;

    private Builder(Lakehouse lake) {
      this.lake = lake;
    }

    /** Where PostgreSQL connections come from (required). */
    public Builder connections(Connections connections) {
      this.connections = Objects.requireNonNull(connections, "connections");
      return this;
    }

    /** Rows per JDBC batch (default 1000). */
    public Builder batchSize(int rows) {
      if (rows < 1) {
        throw new IllegalArgumentException("batch size was " + rows + ", must be >= 1");
      }
      this.batchSize = rows;
      return this;
    }

    /**
     * Builds the publisher.
     *
     * @throws IllegalStateException when no connections were given
     */
    public AnalyticsPublisher build() {
      if (connections == null) {
        throw new IllegalStateException("give the PostgreSQL connections: connections(...)");
      }
      return new AnalyticsPublisher(this);
    }
  }
}
