package dev.frip.lakehouse;

import static dev.frip.lakehouse.Events.rec;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.frip.core.EventStream;
import dev.frip.core.GeneratorConfig;
import dev.frip.core.Topics;
import dev.frip.core.WorldGenerator;
import dev.frip.lakehouse.internal.DeltaTable;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.avro.specific.SpecificRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Gold tables built by the real silver and gold jobs from a generated world, published to an
 * embedded PostgreSQL on 127.0.0.1 and read back over JDBC.
 */
class AnalyticsPublisherTest {

  private static final AtomicInteger DATABASES = new AtomicInteger();

  @TempDir static Path lakeDir;

  private static EmbeddedPostgres pg;
  private static Lakehouse lake;
  private static LocalDate day1;
  private static LocalDate day2;

  private String url;

  @BeforeAll
  static void buildGoldAndStartPostgres() throws Exception {
    pg = EmbeddedPostgres.builder().setServerConfig("listen_addresses", "127.0.0.1").start();
    GeneratorConfig config =
        GeneratorConfig.builder().seed(7).days(2).users(60).fraudRate(0.1).build();
    lake = Lakehouse.local(lakeDir);
    Map<String, List<BronzeRecord>> byTopic = new LinkedHashMap<>();
    Map<String, Long> offsets = new HashMap<>();
    try (EventStream s = WorldGenerator.create(config).stream()) {
      while (s.hasNext()) {
        SpecificRecord e = s.next().value();
        String topic = rec(e, 0, 0).topic().name();
        long off = offsets.merge(topic, 1L, Long::sum);
        byTopic.computeIfAbsent(topic, k -> new ArrayList<>()).add(rec(e, 0, off));
      }
    }
    byTopic.forEach((t, rs) -> lake.bronzeWriter(Topics.require(t)).write(rs));
    day1 = config.startDate();
    day2 = day1.plusDays(1);
    for (LocalDate d : List.of(day1, day2)) {
      assertThat(SilverJob.builder(lake).build().run(d).published()).as("silver %s", d).isTrue();
      assertThat(GoldJob.builder(lake).build().run(d).published()).as("gold %s", d).isTrue();
    }
  }

  @AfterAll
  static void stopPostgres() throws Exception {
    pg.close();
  }

  /** Each test publishes into a database of its own. */
  @BeforeEach
  void freshDatabase() throws SQLException {
    String db = "analytics_" + DATABASES.incrementAndGet();
    try (Connection c = connect("postgres");
        Statement s = c.createStatement()) {
      s.execute("CREATE DATABASE " + db);
    }
    url = "jdbc:postgresql://127.0.0.1:" + pg.getPort() + "/" + db;
  }

  private static Connection connect(String db) throws SQLException {
    return DriverManager.getConnection(
        "jdbc:postgresql://127.0.0.1:" + pg.getPort() + "/" + db, "postgres", "");
  }

  private AnalyticsPublisher publisher() {
    return AnalyticsPublisher.builder(lake)
        .connections(() -> DriverManager.getConnection(url, "postgres", ""))
        .batchSize(64)
        .build();
  }

  /** The date's rows of a table, as comparable lists in Delta column order. */
  private List<List<Object>> postgresRows(String table, LocalDate date) throws SQLException {
    List<String> cols = lake.scan(lake.goldPath(table)).resolvedColumns();
    List<List<Object>> out = new ArrayList<>();
    try (Connection c = DriverManager.getConnection(url, "postgres", "");
        PreparedStatement s =
            c.prepareStatement(
                "SELECT "
                    + String.join(", ", cols)
                    + " FROM "
                    + table
                    + " WHERE event_date = ? ORDER BY 1, 2, 3, 4")) {
      s.setObject(1, date);
      try (ResultSet r = s.executeQuery()) {
        while (r.next()) {
          List<Object> row = new ArrayList<>();
          for (int i = 1; i <= cols.size(); i++) {
            Object v = r.getObject(i);
            row.add(v instanceof java.sql.Date d ? d.toLocalDate() : v);
          }
          out.add(row);
        }
      }
    }
    return out;
  }

  private static List<List<Object>> deltaRows(String table, LocalDate date) {
    List<List<Object>> out = new ArrayList<>();
    lake.scan(lake.goldPath(table))
        .on(date)
        .forEach(r -> out.add(new ArrayList<>(Arrays.asList(r))));
    return out;
  }

  private long count(String sql) throws SQLException {
    try (Connection c = DriverManager.getConnection(url, "postgres", "");
        Statement s = c.createStatement();
        ResultSet r = s.executeQuery(sql)) {
      r.next();
      return r.getLong(1);
    }
  }

  @Test
  void postgresListensOnLoopbackOnly() throws SQLException {
    try (Connection c = connect("postgres");
        Statement s = c.createStatement();
        ResultSet r = s.executeQuery("SHOW listen_addresses")) {
      r.next();
      assertThat(r.getString(1)).isEqualTo("127.0.0.1");
    }
  }

  @Test
  void everyGoldTableIsCreatedTypedAndHoldsTheDeltaRows() throws SQLException {
    PublishResult r = publisher().publish(day1);

    assertThat(r.tables()).containsOnlyKeys(AnalyticsPublisher.tables());
    for (String table : AnalyticsPublisher.tables()) {
      List<List<Object>> delta = deltaRows(table, day1);
      assertThat(delta).as(table).isNotEmpty();
      PublishResult.Table t = r.tables().get(table);
      assertThat(t.created()).isTrue();
      assertThat(t.rowsRead()).isEqualTo(delta.size());
      assertThat(t.rowsWritten()).isEqualTo(t.rowsRead());
      assertThat(postgresRows(table, day1)).as(table).containsExactlyInAnyOrderElementsOf(delta);
    }
    assertThat(r.rows())
        .isEqualTo(r.tables().values().stream().mapToLong(PublishResult.Table::rowsRead).sum());
    // Typed columns and the primary key of event_date plus the grouping keys.
    assertThat(
            count(
                "SELECT count(*) FROM information_schema.columns WHERE table_name = 'daily_revenue'"
                    + " AND ((column_name = 'gmv_minor' AND data_type = 'bigint')"
                    + " OR (column_name = 'approval_rate' AND data_type = 'double precision')"
                    + " OR (column_name = 'event_date' AND data_type = 'date'))"))
        .isEqualTo(3);
    assertThat(
            count(
                "SELECT count(*) FROM information_schema.key_column_usage k"
                    + " JOIN information_schema.table_constraints t"
                    + " ON k.constraint_name = t.constraint_name"
                    + " WHERE t.constraint_type = 'PRIMARY KEY' AND k.table_name = 'fraud_kpis'"
                    + " AND k.column_name IN ('event_date', 'merchant_id')"))
        .isEqualTo(2);
  }

  @Test
  void republishingADateReplacesItsRowsAndLeavesOtherDatesAlone() throws SQLException {
    AnalyticsPublisher publisher = publisher();
    publisher.publish(day1);
    publisher.publish(day2);
    Map<String, List<List<Object>>> before = new HashMap<>();
    for (String table : AnalyticsPublisher.tables()) {
      before.put(table, postgresRows(table, day1));
    }

    PublishResult again = publisher.publish(day1);

    for (String table : AnalyticsPublisher.tables()) {
      PublishResult.Table t = again.tables().get(table);
      assertThat(t.created()).isFalse();
      assertThat(t.rowsReplaced()).isEqualTo(t.rowsWritten());
      assertThat(postgresRows(table, day1)).as(table).isEqualTo(before.get(table));
      assertThat(postgresRows(table, day2))
          .as(table)
          .containsExactlyInAnyOrderElementsOf(deltaRows(table, day2));
    }
    assertThat(count("SELECT count(*) FROM customer_metrics"))
        .isEqualTo(
            deltaRows("customer_metrics", day1).size()
                + deltaRows("customer_metrics", day2).size());
  }

  @Test
  void aRetypedColumnIsRefusedNamingTableAndColumnAndNothingIsCommitted() throws SQLException {
    publisher().publish(day1);
    try (Connection c = DriverManager.getConnection(url, "postgres", "");
        Statement s = c.createStatement()) {
      s.execute("DELETE FROM daily_revenue");
      s.execute("ALTER TABLE fraud_kpis ALTER COLUMN alerts TYPE text");
    }

    assertThatThrownBy(() -> publisher().publish(day1))
        .isInstanceOf(AnalyticsSchemaMismatchException.class)
        .hasMessageContaining("fraud_kpis")
        .hasMessageContaining("column alerts: PostgreSQL has text, gold has bigint")
        .satisfies(
            e ->
                assertThat(((AnalyticsSchemaMismatchException) e).table()).isEqualTo("fraud_kpis"));
    // daily_revenue was rewritten earlier in the same transaction: rolled back with it.
    assertThat(count("SELECT count(*) FROM daily_revenue")).isZero();
    assertThat(
            count(
                "SELECT count(*) FROM information_schema.columns WHERE table_name = 'fraud_kpis'"
                    + " AND column_name = 'alerts' AND data_type = 'text'"))
        .isEqualTo(1);
  }

  @Test
  void aMissingOrExtraColumnIsRefusedToo() throws SQLException {
    publisher().publish(day1);
    try (Connection c = DriverManager.getConnection(url, "postgres", "");
        Statement s = c.createStatement()) {
      s.execute("ALTER TABLE merchant_risk DROP COLUMN night_share");
      s.execute("ALTER TABLE merchant_risk ADD COLUMN analyst_note text");
    }

    assertThatThrownBy(() -> publisher().publish(day1))
        .isInstanceOf(AnalyticsSchemaMismatchException.class)
        .hasMessageContaining("merchant_risk")
        .hasMessageContaining("column night_share: missing in PostgreSQL")
        .hasMessageContaining("column analyst_note: in PostgreSQL, not in gold");
  }

  /** A publisher that fails the test if it opens a connection. */
  private static AnalyticsPublisher withoutDatabase(Lakehouse lake) {
    return AnalyticsPublisher.builder(lake)
        .connections(
            () -> {
              throw new AssertionError("no connection may be opened");
            })
        .build();
  }

  @Test
  void aLakehouseWithoutGoldTablesIsRefusedBeforeTouchingPostgres(@TempDir Path empty) {
    AnalyticsPublisher p = withoutDatabase(Lakehouse.local(empty));

    assertThatThrownBy(() -> p.publish(day1))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("gold table daily_revenue does not exist");
  }

  @Test
  void aDatabaseFailureNamesTheDate() {
    AnalyticsPublisher p =
        AnalyticsPublisher.builder(lake)
            .connections(
                () ->
                    DriverManager.getConnection(
                        url.replace("analytics_", "missing_"), "postgres", ""))
            .build();

    assertThatThrownBy(() -> p.publish(day1))
        .isInstanceOf(java.io.UncheckedIOException.class)
        .hasMessageContaining("publishing gold " + day1 + " to PostgreSQL failed");
  }

  @Test
  void builderRequiresConnectionsAndAPositiveBatch() {
    assertThatThrownBy(() -> AnalyticsPublisher.builder(lake).build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("connections");
    assertThatThrownBy(() -> AnalyticsPublisher.builder(lake).batchSize(0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("batch size was 0");
  }

  @Test
  void aDateWithSomeGoldTablesEmptyIsRefusedBeforeTouchingPostgres(@TempDir Path copy)
      throws Exception {
    // A copy of the lakehouse whose fraud_kpis partition of day 1 was emptied, as when the gold
    // job stopped after the other tables.
    try (var files = Files.walk(lakeDir)) {
      for (Path from : (Iterable<Path>) files::iterator) {
        Path to = copy.resolve(lakeDir.relativize(from).toString());
        if (Files.isDirectory(from)) {
          Files.createDirectories(to);
        } else {
          Files.copy(from, to);
        }
      }
    }
    Lakehouse partial = Lakehouse.local(copy);
    DeltaTable kpis = DeltaTable.forReading(partial.engine(), partial.goldPath("fraud_kpis"));
    new DeltaTable(
            partial.engine(),
            kpis.path(),
            kpis.snapshot().orElseThrow().getSchema(),
            Lakehouse.EVENT_DATE,
            0)
        .replacePartition(day1, List.<Object[]>of());
    AnalyticsPublisher p = withoutDatabase(partial);

    assertThatThrownBy(() -> p.publish(day1))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("gold for " + day1 + " is incomplete: [fraud_kpis]");
  }
}
