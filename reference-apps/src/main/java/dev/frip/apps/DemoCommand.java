package dev.frip.apps;

import dev.frip.core.BatchFeatures;
import dev.frip.core.EventStream;
import dev.frip.core.FeatureStore;
import dev.frip.core.GeneratedEvent;
import dev.frip.core.GeneratorConfig;
import dev.frip.core.WorldGenerator;
import dev.frip.core.events.Action;
import dev.frip.core.events.PaymentEvent;
import dev.frip.core.events.RefundEvent;
import dev.frip.core.events.RefundType;
import dev.frip.embedded.EmbeddedKafka;
import dev.frip.kafka.SchemaRegistryServer;
import dev.frip.lakehouse.Lakehouse;
import dev.frip.scoring.Decision;
import dev.frip.scoring.FeatureLookup;
import dev.frip.scoring.FraudScorer;
import dev.frip.scoring.ModelRegistry;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import org.apache.avro.specific.SpecificRecord;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code frip demo}: the whole platform on one machine with nothing installed. It starts an
 * in-process Kafka broker (KRaft) and the schema registry on 127.0.0.1, produces a generated fraud
 * world to the six topics, ingests them into bronze exactly once, builds silver, gold and the
 * training features for every day, trains and promotes a model, then scores the last day's payments
 * in-process as live traffic and reports what the model caught.
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
      "generate -> bronze -> silver -> gold -> training features -> model -> in-process scoring."
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
    }

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

    step(out, 7, "score " + scoreDay + " in-process, as live traffic, with the promoted model");
    score(out, world, Lakehouse.local(lakeDir), scoreDay);
    out.printf(
        Locale.ROOT,
        "%ndemo done in %.1f s; lakehouse at %s%n",
        (System.nanoTime() - started) / 1e9,
        lakeDir);
    return 0;
  }

  /**
   * Replays the generated world in event-time order (the order live traffic arrives in) through an
   * online {@link FeatureStore}; each payment of the scoring day is scored before it is folded in,
   * as at checkout.
   */
  private void score(PrintWriter out, GeneratorConfig world, Lakehouse lake, LocalDate day) {
    List<SpecificRecord> events = new ArrayList<>();
    Set<String> chargebacked = new HashSet<>();
    try (EventStream s = WorldGenerator.create(world).stream()) {
      while (s.hasNext()) {
        GeneratedEvent e = s.next();
        events.add(e.value());
        if (e.value() instanceof RefundEvent r && r.getRefundType() == RefundType.CHARGEBACK) {
          chargebacked.add(r.getPaymentId());
        }
      }
    }
    // Batch features (terminal and merchant risk with the 7-day label delay) as of the scoring
    // day, computed from the history only.
    BatchFeatures batch = BatchFeatures.compute(events, world.startDate(), day);
    FeatureStore store =
        FeatureStore.inMemory()
            .maximumUsers(Math.max(10_000, users * 2L))
            .allowedLateness(Duration.ofMinutes(5))
            .clock(
                Clock.fixed(
                    day.plusDays(1).atStartOfDay().toInstant(ZoneOffset.UTC), ZoneOffset.UTC))
            .batchFeatures(batch)
            .build();
    ModelRegistry registry = ModelRegistry.on(lake.objectStore(Lakehouse.MODEL_REGISTRY));
    Map<Action, long[]> byAction = new EnumMap<>(Action.class); // payments, frauds
    for (Action a : Action.values()) {
      byAction.put(a, new long[2]);
    }
    List<Long> latencies = new ArrayList<>();
    long fallbacks = 0;
    String why;
    Instant dayStart = day.atStartOfDay().toInstant(ZoneOffset.UTC);
    Instant dayEnd = day.plusDays(1).atStartOfDay().toInstant(ZoneOffset.UTC);
    try (FraudScorer scorer =
        FraudScorer.builder().models(registry).features(FeatureLookup.of(store)).build()) {
      for (SpecificRecord e : events) {
        if (e instanceof PaymentEvent p
            && !p.getEventTime().isBefore(dayStart)
            && p.getEventTime().isBefore(dayEnd)) {
          long t0 = System.nanoTime();
          Decision d = scorer.score(p);
          latencies.add(System.nanoTime() - t0);
          long[] a = byAction.get(d.action());
          a[0]++;
          a[1] += chargebacked.contains(p.getPaymentId()) ? 1 : 0;
        }
        store.observe(e);
      }
      out.printf("  model %s, %,d payments scored%n", scorer.modelVersion(), latencies.size());
      StringBuilder reasons = new StringBuilder();
      for (Map.Entry<FraudScorer.FallbackReason, Long> f : scorer.fallbackCounts().entrySet()) {
        fallbacks += f.getValue();
        if (f.getValue() > 0) {
          reasons.append(reasons.length() == 0 ? " (" : ", ").append(f.getKey()).append(' ');
          reasons.append(f.getValue());
        }
      }
      why = reasons.length() == 0 ? "" : reasons.append(')').toString();
    }
    long frauds = 0;
    long alerted = 0;
    long alertedFrauds = 0;
    for (Map.Entry<Action, long[]> e : byAction.entrySet()) {
      long[] a = e.getValue();
      frauds += a[1];
      if (e.getKey() != Action.ALLOW) {
        alerted += a[0];
        alertedFrauds += a[1];
      }
      out.printf(Locale.ROOT, "  %-6s %,8d payments, %,5d of them fraud%n", e.getKey(), a[0], a[1]);
    }
    long[] sorted = latencies.stream().mapToLong(Long::longValue).toArray();
    Arrays.sort(sorted);
    out.printf(
        Locale.ROOT,
        "  alerts (review + block): precision %.3f, recall %.3f of %,d frauds; %,d rules"
            + " fallbacks%s%n"
            + "  in-process score incl. feature lookup: p50 %.1f µs, p99 %.1f µs%n",
        alerted == 0 ? 0 : alertedFrauds / (double) alerted,
        frauds == 0 ? 0 : alertedFrauds / (double) frauds,
        frauds,
        fallbacks,
        why,
        percentile(sorted, 0.50) / 1e3,
        percentile(sorted, 0.99) / 1e3);
  }

  private static double percentile(long[] sorted, double q) {
    return sorted.length == 0 ? 0 : sorted[(int) Math.min(sorted.length - 1, q * sorted.length)];
  }

  private static void step(PrintWriter out, int n, String what) {
    out.printf("%n[%d/7] %s%n", n, what);
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
