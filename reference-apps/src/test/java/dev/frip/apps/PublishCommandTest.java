package dev.frip.apps;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.frip.core.EventStream;
import dev.frip.core.GeneratedEvent;
import dev.frip.core.GeneratorConfig;
import dev.frip.core.WorldGenerator;
import dev.frip.lakehouse.BronzeRecord;
import dev.frip.lakehouse.GoldJob;
import dev.frip.lakehouse.Lakehouse;
import dev.frip.lakehouse.PublishResult;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code frip silver}, {@code gold} then {@code publish} on a generated day, into the embedded
 * PostgreSQL and into a server named by the environment variables.
 */
class PublishCommandTest {

  @TempDir static Path dir;

  private static Path lakeDir;
  private static Lakehouse lake;
  private static LocalDate day;

  @BeforeAll
  static void goldOfAGeneratedDay() {
    GeneratorConfig config = GeneratorConfig.builder().seed(3).days(1).users(60).build();
    lakeDir = dir.resolve("lake");
    lake = Lakehouse.local(lakeDir);
    Map<String, List<BronzeRecord>> byTopic = new LinkedHashMap<>();
    Map<String, Long> offsets = new HashMap<>();
    try (EventStream s = WorldGenerator.create(config).stream()) {
      while (s.hasNext()) {
        GeneratedEvent e = s.next();
        long off = offsets.merge(e.topic().name(), 1L, Long::sum);
        byTopic
            .computeIfAbsent(e.topic().name(), k -> new ArrayList<>())
            .add(new BronzeRecord(e.topic(), 0, off, e.eventTime(), 1, e.value()));
      }
    }
    byTopic.forEach((t, rs) -> lake.bronzeWriter(rs.get(0).topic()).write(rs));
    day = config.startDate();
    for (String job : List.of("silver", "gold")) {
      GenerateCommandTest.Run r =
          GenerateCommandTest.run(job, "--date", day.toString(), "--lakehouse", lakeDir.toString());
      assertThat(r.exit()).as(r.err()).isZero();
    }
  }

  private static long deltaGmv() {
    long[] gmv = {0};
    lake.scan(lake.goldPath(GoldJob.DAILY_REVENUE))
        .on(day)
        .columns("gmv_minor")
        .forEach(r -> gmv[0] += (Long) r[0]);
    return gmv[0];
  }

  private static long[] gmvAndRows(DataSource ds) throws SQLException {
    try (Connection c = ds.getConnection();
        Statement s = c.createStatement();
        ResultSet r =
            s.executeQuery(
                "SELECT sum(gmv_minor), count(*) FROM daily_revenue WHERE event_date = DATE '"
                    + day
                    + "'")) {
      r.next();
      return new long[] {r.getLong(1), r.getLong(2)};
    }
  }

  @Test
  void publishStartsTheEmbeddedDatabaseAndRepublishingReplacesTheDate() throws Exception {
    assumeTrue(System.getenv("POSTGRES_HOST") == null, "POSTGRES_HOST is set");
    Path pgDir = dir.resolve("pg");
    String[] args = {
      "publish",
      "--date",
      day.toString(),
      "--lakehouse",
      lakeDir.toString(),
      "--postgres-dir",
      pgDir.toString()
    };
    long goldRows = lake.scan(lake.goldPath(GoldJob.DAILY_REVENUE)).on(day).count();

    GenerateCommandTest.Run first = GenerateCommandTest.run(args);
    GenerateCommandTest.Run second = GenerateCommandTest.run(args);

    assertThat(first.exit()).as(first.err()).isZero();
    assertThat(first.out())
        .contains(
            "publish daily_revenue "
                + day
                + ": "
                + goldRows
                + " rows read from gold, "
                + goldRows
                + " written (0 replaced), table created")
        .contains("to embedded postgresql://127.0.0.1:")
        .containsPattern("published \\d+ rows of " + day + " .* rows/s\\)");
    assertThat(second.exit()).as(second.err()).isZero();
    // The data directory outlived the first run: the rows were there to be replaced.
    assertThat(second.out())
        .contains(
            "publish daily_revenue "
                + day
                + ": "
                + goldRows
                + " rows read from gold, "
                + goldRows
                + " written ("
                + goldRows
                + " replaced)")
        .doesNotContain("table created");
    try (EmbeddedPostgres pg =
        EmbeddedPostgres.builder()
            .setDataDirectory(pgDir)
            .setCleanDataDirectory(false)
            .setServerConfig("listen_addresses", "127.0.0.1")
            .start()) {
      assertThat(gmvAndRows(pg.getPostgresDatabase())).containsExactly(deltaGmv(), goldRows);
    }
  }

  @Test
  void theEnvironmentNamesAnExternalServerAndThePasswordIsNeverShown() throws Exception {
    Path secret = Files.writeString(dir.resolve("pg-password"), "s3cr3t-Pw\n");
    try (EmbeddedPostgres pg =
        EmbeddedPostgres.builder().setServerConfig("listen_addresses", "127.0.0.1").start()) {
      Map<String, String> env =
          Map.of(
              "POSTGRES_HOST", "127.0.0.1",
              "POSTGRES_PORT", String.valueOf(pg.getPort()),
              "POSTGRES_DB", "postgres",
              "POSTGRES_USER", "postgres",
              "POSTGRES_PASSWORD_FILE", secret.toString());
      try (AnalyticsDatabase db = AnalyticsDatabase.open(env, null)) {
        assertThat(db.toString())
            .isEqualTo("postgresql://127.0.0.1:" + pg.getPort() + "/postgres as postgres")
            .doesNotContain("s3cr3t");
        PublishResult r = PublishCommand.publish(lake, db, day);
        assertThat(r.tables().values())
            .allSatisfy(t -> assertThat(t.rowsWritten()).isEqualTo(t.rowsRead()));
      }
      long goldRows = lake.scan(lake.goldPath(GoldJob.DAILY_REVENUE)).on(day).count();
      assertThat(gmvAndRows(pg.getPostgresDatabase())).containsExactly(deltaGmv(), goldRows);
    }
  }

  @Test
  void badSettingsAreNamed() {
    assertThatThrownBy(
            () -> AnalyticsDatabase.open(Map.of("POSTGRES_HOST", "h", "POSTGRES_PORT", "x"), null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("POSTGRES_PORT was 'x', must be a port number (1-65535)");
    assertThatThrownBy(
            () ->
                AnalyticsDatabase.open(
                    Map.of(
                        "POSTGRES_HOST",
                        "h",
                        "POSTGRES_PASSWORD_FILE",
                        dir.resolve("absent").toString()),
                    null))
        .hasMessageContaining("POSTGRES_PASSWORD_FILE");
    GenerateCommandTest.Run noGold =
        GenerateCommandTest.run(
            "publish",
            "--date",
            day.toString(),
            "--lakehouse",
            dir.resolve("empty-lake").toString(),
            "--postgres-dir",
            dir.resolve("pg-unused").toString());
    assertThat(noGold.exit()).isEqualTo(1);
    assertThat(noGold.err()).contains("gold table daily_revenue does not exist");
  }
}
