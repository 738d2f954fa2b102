package dev.frip.apps;

import dev.frip.lakehouse.AnalyticsPublisher;
import dev.frip.lakehouse.Lakehouse;
import dev.frip.lakehouse.PublishResult;
import java.net.URI;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code frip publish}: the gold tables of one date to the analytics database (PostgreSQL). */
@Command(
    name = "publish",
    mixinStandardHelpOptions = true,
    description = {
      "Publishes the gold tables (daily_revenue, fraud_kpis, merchant_risk, customer_metrics)",
      "of one event date to PostgreSQL in one transaction, replacing that date's rows.",
      "Connects with POSTGRES_HOST/PORT/DB/USER and POSTGRES_PASSWORD (or POSTGRES_PASSWORD_FILE);",
      "when POSTGRES_HOST is unset, starts an embedded PostgreSQL on 127.0.0.1."
    })
final class PublishCommand implements Callable<Integer> {

  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Mixin LakeOptions lake;

  @Option(
      names = "--postgres-dir",
      paramLabel = "DIR",
      description =
          "Data directory of the embedded PostgreSQL (when POSTGRES_HOST is unset); default"
              + " analytics-postgres under a local lakehouse.")
  Path postgresDir;

  @Override
  public Integer call() {
    LocalDate day = lake.date();
    Lakehouse lakehouse = lake.lakehouse();
    Map<String, String> env = System.getenv();
    try (AnalyticsDatabase db = AnalyticsDatabase.open(env, embeddedDirectory(lakehouse, env))) {
      PublishResult r = publish(lakehouse, db, day);
      print(r, db);
    }
    return 0;
  }

  /** Publishes {@code day} of {@code lakehouse} to {@code db}. */
  static PublishResult publish(Lakehouse lakehouse, AnalyticsDatabase db, LocalDate day) {
    return AnalyticsPublisher.builder(lakehouse).connections(db.connections()).build().publish(day);
  }

  private void print(PublishResult r, AnalyticsDatabase db) {
    var out = spec.commandLine().getOut();
    r.tables()
        .forEach(
            (name, t) ->
                out.printf(
                    "publish %s %s: %d rows read from gold, %d written (%d replaced)%s%n",
                    name,
                    r.date(),
                    t.rowsRead(),
                    t.rowsWritten(),
                    t.rowsReplaced(),
                    t.created() ? ", table created" : ""));
    double seconds = Math.max(r.elapsed().toNanos(), 1) / 1e9;
    out.printf(
        "published %d rows of %s to %s in %.2f s (%.0f rows/s)%n",
        r.rows(), r.date(), db, seconds, r.rows() / seconds);
  }

  private Path embeddedDirectory(Lakehouse lakehouse, Map<String, String> env) {
    if (postgresDir != null) {
      return postgresDir.toAbsolutePath();
    }
    String host = env.get("POSTGRES_HOST");
    if (host != null && !host.isBlank()) {
      return null;
    }
    if (!lakehouse.root().startsWith("file:")) {
      throw new IllegalArgumentException(
          "--postgres-dir is required for the embedded PostgreSQL when the lakehouse is not local"
              + " (or set POSTGRES_HOST)");
    }
    return Path.of(URI.create(lakehouse.root())).resolve("analytics-postgres");
  }
}
