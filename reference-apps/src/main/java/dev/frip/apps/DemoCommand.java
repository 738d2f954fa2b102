package dev.frip.apps;

import dev.frip.core.GeneratorConfig;
import dev.frip.core.Topics;
import dev.frip.embedded.EmbeddedKafka;
import dev.frip.kafka.SchemaRegistryServer;
import dev.frip.lakehouse.GoldJob;
import dev.frip.lakehouse.Lakehouse;
import dev.frip.lakehouse.PublishResult;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code frip demo}: the whole platform on one machine with nothing installed. It starts an
 * in-process Kafka broker (KRaft) and the schema registry on 127.0.0.1, produces a generated fraud
 * world to the six topics, ingests them into bronze exactly once, builds silver, gold and the
 * training features for every day, trains and promotes a model, then runs the streaming scorer
 * ({@code frip score-stream}) over the topics (the earlier days only warm the features up, the last
 * day's payments are scored), ingests its {@code fraud_scores} and {@code alerts} into bronze,
 * rebuilds the last day's gold and reports what the model caught from the lakehouse (gold {@code
 * fraud_kpis} alert precision and recall).
 *
 * <p>Each lakehouse step is the same subcommand a user would run ({@code frip ingest}, {@code frip
 * silver}, ...), so the demo is also their integration. The broker's log and the lakehouse of a run
 * live in a new timestamped directory under {@code --dir}; every server binds 127.0.0.1 and is
 * stopped at the end.
 */
@Command(
    name = "demo",
    mixinStandardHelpOptions = true,
    description = {
      "Runs the whole platform on embedded defaults: Kafka + schema registry on 127.0.0.1,",
      "generate -> bronze -> silver -> gold -> training features -> model -> streaming scorer",
      "-> fraud_scores in bronze -> gold fraud_kpis alert precision and recall."
    })
final class DemoCommand implements Callable<Integer> {

  @Spec picocli.CommandLine.Model.CommandSpec spec;

  private static final DateTimeFormatter RUN_FORMAT =
      DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);

  @Option(
      names = "--dir",
      description = "Directory for the runs, each in a subdirectory (default: frip-data/demo).")
  Path dir = Path.of("frip-data", "demo");

  @Option(names = "--seed", description = "Generator seed (default: 42).")
  long seed = 42;

  @Option(
      names = "--days",
      description = "Days of history; the last one is scored, the others train (default: 10).")
  int days = 10;

  @Option(names = "--users", description = "Customers in the generated world (default: 2000).")
  int users = 2000;

  @Override
  public Integer call() throws IOException {
    if (days < 3) {
      throw new IllegalArgumentException("--days was " + days + ", the demo needs at least 3");
    }
    if (users < 50) {
      throw new IllegalArgumentException("--users was " + users + ", the demo needs at least 50");
    }
    PrintWriter out = spec.commandLine().getOut();
    GeneratorConfig world = GeneratorConfig.builder().seed(seed).days(days).users(users).build();
    LocalDate first = world.startDate();
    LocalDate scoreDay = first.plusDays(days - 1);
    // Each run gets a directory of its own, so running the demo again never mixes two worlds.
    String stamp = RUN_FORMAT.format(Instant.now());
    Path run = dir.toAbsolutePath().resolve(stamp);
    for (int i = 2; Files.exists(run); i++) {
      run = dir.toAbsolutePath().resolve(stamp + "-" + i);
    }
    Files.createDirectories(run);
    Path lakeDir = run.resolve("lakehouse");
    String lake = lakeDir.toString();
    long started = System.nanoTime();

    step(out, 1, "start Kafka (KRaft) and the schema registry on 127.0.0.1");
    try (EmbeddedKafka kafka = EmbeddedKafka.start(run.resolve("kafka"), Map.of());
        SchemaRegistryServer registry =
            SchemaRegistryServer.builder().port(0).kafkaStorage(kafka.bootstrapServers()).start()) {
      out.printf("  kafka %s, schema registry %s%n", kafka.bootstrapServers(), registry.url());
      out.flush();
      String[] kafkaFlags = {"--bootstrap", kafka.bootstrapServers()};
      String[] registryFlags = {"--registry-url", registry.url()};

      step(out, 2, "create the topics");
      run("topics", kafkaFlags);

      step(out, 3, "generate " + days + " days of " + users + " customers into Kafka");
      run(
          "generate",
          concat(
              new String[] {
                "--seed",
                Long.toString(seed),
                "--days",
                Integer.toString(days),
                "--users",
                Integer.toString(users)
              },
              kafkaFlags,
              registryFlags));

      step(out, 4, "ingest the six topics into bronze (exactly once)");
      run(
          "ingest",
          concat(kafkaFlags, registryFlags, new String[] {"--lakehouse", lake, "--until-idle"}));

      step(out, 5, "silver, gold and training features for each day");
      for (LocalDate d = first; !d.isAfter(scoreDay); d = d.plusDays(1)) {
        String[] day = {"--date", d.toString(), "--lakehouse", lake};
        run("silver", day);
        run("gold", day);
        run("features", day);
      }

      step(out, 6, "train on " + first + ".." + scoreDay.minusDays(1) + " and promote");
      run(
          "train",
          "--lakehouse",
          lake,
          "--from",
          first.toString(),
          "--to",
          scoreDay.minusDays(1).toString(),
          "--max-depth",
          "4,6",
          "--eta",
          "0.1,0.3",
          "--rounds",
          "150",
          "--promote");

      step(
          out,
          7,
          "stream-score "
              + scoreDay
              + " from Kafka with the promoted model (earlier days warm the features up)");
      run(
          "score-stream",
          concat(
              kafkaFlags,
              registryFlags,
              new String[] {
                "--lakehouse", lake, "--score-from", scoreDay.toString(), "--until-idle"
              }));

      step(
          out, 8, "fraud_scores and alerts into bronze, gold fraud_kpis of " + scoreDay + " again");
      run(
          "ingest",
          concat(
              kafkaFlags,
              registryFlags,
              new String[] {
                "--lakehouse", lake, "--topics", "fraud_scores,alerts", "--until-idle"
              }));
      run("gold", "--date", scoreDay.toString(), "--lakehouse", lake);
    }
    report(out, Lakehouse.local(lakeDir), scoreDay);
    publishToPostgres(out, Lakehouse.local(lakeDir), run.resolve("postgres"), first, scoreDay);

    out.printf(
        Locale.ROOT,
        "%ndemo done in %.1f s; lakehouse at %s%n",
        (System.nanoTime() - started) / 1e9,
        lakeDir);
    return 0;
  }

  /**
   * Reports the scoring day from the lakehouse: the scores the streaming scorer produced (bronze
   * {@code fraud_scores}, first score per payment) by action against the silver labels, the gold
   * {@code fraud_kpis} alert precision and recall, and the scoring latency the scores carry.
   */
  private void report(PrintWriter out, Lakehouse lake, LocalDate day) {
    Map<String, Boolean> fraud = new HashMap<>();
    lake.scan(lake.silverPath())
        .on(day)
        .columns("payment_id", "is_fraud")
        .forEach(r -> fraud.put((String) r[0], (Boolean) r[1]));
    Map<String, Object[]> first = new HashMap<>(); // payment -> partition, offset, action, latency
    lake.scan(lake.bronzePath(Topics.FRAUD_SCORES))
        .between(day, day.plusDays(1))
        .columns(
            "payment_id",
            "payment_event_time",
            "kafka_partition",
            "kafka_offset",
            "action",
            "latency_us",
            "model_version")
        .forEach(
            r -> {
              if (LocalDate.ofInstant((Instant) r[1], ZoneOffset.UTC).equals(day)) {
                first.merge(
                    (String) r[0],
                    r,
                    (a, b) ->
                        ((Integer) a[2] < (Integer) b[2]
                                || (a[2].equals(b[2]) && (Long) a[3] < (Long) b[3]))
                            ? a
                            : b);
              }
            });
    Map<String, long[]> byAction = new TreeMap<>(); // payments, frauds
    long[] latencies = new long[first.size()];
    Set<String> models = new TreeSet<>();
    int i = 0;
    for (Map.Entry<String, Object[]> e : first.entrySet()) {
      Object[] r = e.getValue();
      long[] a = byAction.computeIfAbsent((String) r[4], k -> new long[2]);
      a[0]++;
      a[1] += Boolean.TRUE.equals(fraud.get(e.getKey())) ? 1 : 0;
      latencies[i++] = (Long) r[5];
      models.add((String) r[6]);
    }
    Arrays.sort(latencies);
    out.printf("  model %s, %,d payments scored%n", String.join(", ", models), first.size());
    for (String action : List.of("ALLOW", "REVIEW", "BLOCK")) {
      long[] a = byAction.getOrDefault(action, new long[2]);
      out.printf(Locale.ROOT, "  %-6s %,8d payments, %,5d of them fraud%n", action, a[0], a[1]);
    }
    Map<String, Object> kpis =
        lake.scan(lake.goldPath(GoldJob.FRAUD_KPIS)).on(day).rows().stream()
            .filter(r -> "*".equals(r.get("merchant_id")))
            .findFirst()
            .orElse(Map.of());
    out.printf(
        Locale.ROOT,
        "  gold fraud_kpis: alert precision %s, recall %s (%s alerts, %s of them fraud, over %s"
            + " scored authorized payments)%n"
            + "  streaming score incl. feature lookup and reason codes, this run's JVM still warming"
            + " up: p50 %.1f µs, p99 %.1f µs%n",
        ratio(kpis.get("alert_precision")),
        ratio(kpis.get("alert_recall")),
        kpis.get("alerts"),
        kpis.get("alerted_frauds"),
        kpis.get("scored_transactions"),
        percentile(latencies, 0.50),
        percentile(latencies, 0.99));
  }

  private static String ratio(Object v) {
    return v == null ? "n/a" : String.format(Locale.ROOT, "%.3f", (Double) v);
  }

  private static double percentile(long[] sorted, double q) {
    return sorted.length == 0 ? 0 : sorted[(int) Math.min(sorted.length - 1, q * sorted.length)];
  }

  /**
   * Publishes the gold tables of every day to an embedded PostgreSQL on 127.0.0.1 (data in the
   * run's directory), as {@code frip publish} does, and prints GMV and fraud rate as PostgreSQL
   * computes them from the published tables.
   */
  private static void publishToPostgres(
      PrintWriter out, Lakehouse lake, Path dataDir, LocalDate first, LocalDate last) {
    out.printf("%nanalytics database (embedded PostgreSQL, data in %s)%n", dataDir);
    try (AnalyticsDatabase db = AnalyticsDatabase.open(Map.of(), dataDir)) {
      long rows = 0;
      long nanos = 0;
      for (LocalDate d = first; !d.isAfter(last); d = d.plusDays(1)) {
        PublishResult r = PublishCommand.publish(lake, db, d);
        rows += r.rows();
        nanos += r.elapsed().toNanos();
      }
      try (Connection c = db.connections().open();
          Statement s = c.createStatement();
          ResultSet q =
              s.executeQuery(
                  "SELECT (SELECT sum(gmv_reporting) FROM daily_revenue),"
                      + " (SELECT sum(fraud_transactions)::float8 / sum(transactions)"
                      + " FROM fraud_kpis WHERE merchant_id = '*')")) {
        q.next();
        out.printf(
            Locale.ROOT,
            "  published %,d gold rows of %s..%s to %s (%.0f rows/s)%n"
                + "  from PostgreSQL: GMV %,.2f, fraud rate %.2f%% of transactions%n",
            rows,
            first,
            last,
            db,
            rows / Math.max(nanos / 1e9, 1e-9),
            q.getDouble(1),
            100 * q.getDouble(2));
      }
    } catch (SQLException e) {
      throw new IllegalStateException("querying the analytics database failed", e);
    }
  }

  private static void step(PrintWriter out, int n, String what) {
    out.printf("%n[%d/8] %s%n", n, what);
    out.flush();
  }

  /** Runs one {@code frip} subcommand; a failure stops the demo with its exit code. */
  private void run(String command, String... args) {
    String[] argv = concat(new String[] {command}, args);
    spec.commandLine().getOut().flush();
    int exit = Frip.run(argv);
    if (exit != 0) {
      throw new IllegalStateException(
          "step 'frip " + String.join(" ", argv) + "' failed with exit code " + exit);
    }
  }

  private static String[] concat(String[]... parts) {
    return Arrays.stream(parts).flatMap(Arrays::stream).toArray(String[]::new);
  }
}
