package dev.frip.apps;

import dev.frip.core.EventJson;
import dev.frip.core.EventStream;
import dev.frip.core.FraudScenario;
import dev.frip.core.GeneratedEvent;
import dev.frip.core.GenerationSummary;
import dev.frip.core.GeneratorConfig;
import dev.frip.core.Profile;
import dev.frip.core.Topics;
import dev.frip.core.WorldGenerator;
import dev.frip.kafka.EventProducer;
import dev.frip.kafka.SchemaRegistry;
import dev.frip.kafka.TopicAdmin;
import dev.frip.kafka.TopicReport;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.PrintStream;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.EnumSet;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code frip generate}: runs the synthetic fraud world generator and writes its events as JSON
 * lines, one event a line, to a file or standard output, and/or produces them to Kafka in the
 * Confluent Avro wire format, then prints a summary (events per topic, frauds per scenario). The
 * same flags give byte-identical output. A file is written beside its target and moved over it when
 * complete, so a run that stops early leaves the previous file as it was.
 */
@Command(
    name = "generate",
    mixinStandardHelpOptions = true,
    description = "Generate the synthetic fraud world (six topics, labelled fraud) as JSON lines.")
final class GenerateCommand implements Callable<Integer> {

  @Option(names = "--seed", description = "Random seed; the same seed gives the same events.")
  long seed = 42;

  @Option(names = "--days", description = "Days to simulate (profile default when omitted).")
  Integer days;

  @Option(
      names = "--profile",
      description = "platform (default) or handbook (the Fraud Detection Handbook simulator).")
  String profile = "platform";

  @Option(names = "--start-date", description = "First simulated day, YYYY-MM-DD (UTC).")
  String startDate;

  @Option(names = "--users", description = "Number of customers.")
  Integer users;

  @Option(names = "--merchants", description = "Number of merchants (platform profile).")
  Integer merchants;

  @Option(names = "--terminals", description = "Number of terminals.")
  Integer terminals;

  @Option(names = "--fraud-rate", description = "Target fraction of fraudulent payments, [0, 1].")
  Double fraudRate;

  @Option(
      names = "--scenarios",
      split = ",",
      description = "Fraud scenarios to inject (platform profile), comma separated.")
  String[] scenarios;

  @Option(
      names = "--out",
      description =
          "Output file for the JSON lines (replaced only once complete), or - for standard output.")
  String out;

  @Option(
      names = "--bootstrap",
      paramLabel = "HOST:PORT",
      description =
          "Also produce the events to Kafka (default without --out: $KAFKA_BOOTSTRAP_SERVERS).")
  String bootstrap;

  @Option(
      names = "--registry-url",
      paramLabel = "URL",
      description = "Schema registry for the Avro values (default: $SCHEMA_REGISTRY_URL).")
  String registryUrl;

  @Override
  public Integer call() throws IOException {
    GeneratorConfig config = config();
    String servers = bootstrap;
    if (servers == null && out == null) {
      servers = System.getenv("KAFKA_BOOTSTRAP_SERVERS");
    }
    if (out == null && (servers == null || servers.isBlank())) {
      throw new IllegalArgumentException(
          "--out or --bootstrap is required: write JSON lines to a file (- for stdout), "
              + "or produce to Kafka (or set KAFKA_BOOTSTRAP_SERVERS)");
    }
    String registry = registryUrl != null ? registryUrl : System.getenv("SCHEMA_REGISTRY_URL");
    if (servers != null && (registry == null || registry.isBlank())) {
      throw new IllegalArgumentException(
          "--registry-url is required with --bootstrap (or set SCHEMA_REGISTRY_URL)");
    }
    boolean toStdout = "-".equals(out);
    // The summary goes to stderr when the events go to stdout, so the stream stays clean.
    PrintStream report = toStdout ? System.err : System.out;
    long started = System.nanoTime();
    long count = 0;
    int exit = 0;
    // A file is written to a hidden one beside it and moved over it at the end, as score-file
    // does: a run that fails or is killed midway leaves the previous file whole.
    Path target = out == null || toStdout ? null : Path.of(out);
    if (target != null) {
      Files.createDirectories(target.toAbsolutePath().getParent());
    }
    Path partial = target == null ? null : PartialFile.beside(target);
    try {
      try (EventStream events = WorldGenerator.create(config).stream();
          Writer writer = out == null ? null : open(partial);
          KafkaSink kafka = servers == null ? null : KafkaSink.open(servers, registry)) {
        StringBuilder line = new StringBuilder(1024);
        while (events.hasNext()) {
          GeneratedEvent e = events.next();
          if (writer != null) {
            line.setLength(0);
            EventJson.appendLine(e, line);
            writer.append(line);
          }
          if (kafka != null) {
            kafka.send(e);
          }
          count++;
        }
        if (writer != null) {
          writer.flush();
        }
        if (kafka != null) {
          kafka.flush();
        }
        double seconds = (System.nanoTime() - started) / 1e9;
        printSummary(report, config, events.summary(), count, seconds);
        if (kafka != null) {
          report.printf(
              Locale.ROOT,
              "kafka %s: %,d events acknowledged, %,d failed%n",
              servers,
              kafka.acknowledged.get(),
              kafka.failed.get());
          if (kafka.failed.get() > 0) {
            System.err.println(
                "frip generate: "
                    + kafka.failed.get()
                    + " events were not acknowledged by Kafka; first error: "
                    + kafka.firstError.get());
            exit = 1; // the file is complete all the same: it replaces the old one
          }
        }
      }
      if (partial != null) {
        PartialFile.commit(partial, target);
      }
    } finally {
      if (partial != null) {
        Files.deleteIfExists(partial);
      }
    }
    return exit;
  }

  GeneratorConfig config() {
    Profile p = Profile.parse(profile);
    GeneratorConfig.Builder b = GeneratorConfig.builder().profile(p).seed(seed);
    if (days != null) {
      b.days(days);
    }
    if (startDate != null) {
      try {
        b.startDate(LocalDate.parse(startDate));
      } catch (DateTimeParseException e) {
        throw new IllegalArgumentException(
            "--start-date was '" + startDate + "'; allowed: a date as YYYY-MM-DD");
      }
    }
    if (users != null) {
      b.users(users);
    }
    if (merchants != null) {
      b.merchants(merchants);
    }
    if (terminals != null) {
      b.terminals(terminals);
    }
    if (fraudRate != null) {
      b.fraudRate(fraudRate);
    }
    if (scenarios != null) {
      Set<FraudScenario> set = EnumSet.noneOf(FraudScenario.class);
      for (String s : scenarios) {
        set.add(FraudScenario.parse(s.trim()));
      }
      b.scenarios(set);
    }
    return b.build();
  }

  /** Standard output when {@code partial} is null, else that new file. */
  private static Writer open(Path partial) throws IOException {
    OutputStream os =
        partial == null
            ? new NonClosingStream(System.out)
            : Files.newOutputStream(partial, StandardOpenOption.CREATE_NEW);
    return new BufferedWriter(new OutputStreamWriter(os, StandardCharsets.UTF_8), 1 << 20);
  }

  /** A new hidden file's path beside {@code target}, creating the target's directory. */
  private static void printSummary(
      PrintStream report,
      GeneratorConfig config,
      GenerationSummary summary,
      long count,
      double seconds) {
    report.printf(
        Locale.ROOT,
        "generated %,d events (profile %s, seed %d) in %.2f s, %,.0f events/s%n",
        count,
        config.profile().name().toLowerCase(Locale.ROOT),
        config.seed(),
        seconds,
        count / Math.max(seconds, 1e-9));
    report.println("events per topic:");
    for (Map.Entry<String, Long> e : summary.eventsPerTopic().entrySet()) {
      report.printf(Locale.ROOT, "  %-12s %,12d%n", e.getKey(), e.getValue());
    }
    long payments = summary.payments();
    long frauds = summary.fraudPayments();
    report.printf(
        Locale.ROOT,
        "fraud payments: %,d of %,d (%.4f%%)%n",
        frauds,
        payments,
        payments == 0 ? 0.0 : 100.0 * frauds / payments);
    report.println("frauds per scenario:");
    for (Map.Entry<FraudScenario, Long> e : summary.fraudPaymentsPerScenario().entrySet()) {
      report.printf(Locale.ROOT, "  %-22s %,10d%n", e.getKey().label(), e.getValue());
    }
  }

  /**
   * Produces events to Kafka: ensures the platform's topics first (so none is auto-created with the
   * broker's defaults), then sends each event keyed by its user and counts acknowledgements.
   */
  private static final class KafkaSink implements AutoCloseable {
    final AtomicLong acknowledged = new AtomicLong();
    final AtomicLong failed = new AtomicLong();
    final AtomicReference<Throwable> firstError = new AtomicReference<>();
    private final SchemaRegistry registry;
    private final EventProducer producer;

    private KafkaSink(SchemaRegistry registry, EventProducer producer) {
      this.registry = registry;
      this.producer = producer;
    }

    static KafkaSink open(String servers, String registryUrl) {
      try (TopicAdmin admin = TopicAdmin.builder().bootstrapServers(servers).build()) {
        TopicReport report = admin.ensure(Topics.ALL);
        if (!report.ok()) {
          throw new IllegalStateException("topics differ from their specs:\n" + report.describe());
        }
      }
      SchemaRegistry registry = SchemaRegistry.builder().url(registryUrl).build();
      try {
        return new KafkaSink(
            registry, EventProducer.builder().bootstrapServers(servers).registry(registry).build());
      } catch (RuntimeException e) {
        registry.close();
        throw e;
      }
    }

    void send(GeneratedEvent e) {
      producer
          .send(e)
          .whenComplete(
              (metadata, error) -> {
                if (error == null) {
                  acknowledged.incrementAndGet();
                } else {
                  failed.incrementAndGet();
                  firstError.compareAndSet(null, error);
                }
              });
    }

    void flush() {
      producer.flush();
    }

    @Override
    public void close() {
      try {
        producer.close();
      } finally {
        registry.close();
      }
    }
  }

  /** Lets the writer be closed without closing the JVM's standard output. */
  private static final class NonClosingStream extends java.io.FilterOutputStream {
    NonClosingStream(OutputStream out) {
      super(out);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
      out.write(b, off, len);
    }

    @Override
    public void close() throws IOException {
      flush();
    }
  }
}
