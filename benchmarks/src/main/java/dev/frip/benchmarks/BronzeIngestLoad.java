package dev.frip.benchmarks;

import dev.frip.core.Topics;
import dev.frip.core.events.PaymentEvent;
import dev.frip.embedded.EmbeddedKafka;
import dev.frip.kafka.EventProducer;
import dev.frip.kafka.FripAvroDeserializer;
import dev.frip.kafka.SchemaRegistry;
import dev.frip.kafka.SchemaRegistryServer;
import dev.frip.kafka.TopicAdmin;
import dev.frip.lakehouse.BronzeIngester;
import dev.frip.lakehouse.Lakehouse;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Load tool: produces N payments to an in-process broker on 127.0.0.1, then measures, in one JVM,
 * (1) the baseline: a plain consumer that polls and deserializes every record (no Delta writes),
 * and (2) {@link BronzeIngester#runUntilIdle()} into a fresh local lakehouse. Prints events/s of
 * each, the process CPU time of each phase (events per CPU-second are less sensitive to other load
 * on a shared machine than wall time), and the bronze data files per date partition with their
 * average size. Bounded in count and time (the ingester is shut down after {@code maxSeconds}).
 *
 * <p>Both measurements are repeated {@code rounds} times over the same records, each ingester round
 * into a fresh lakehouse (so it reads the whole topic again), and only the last round is reported
 * as the result: the first rounds are warm-up. Without them the JIT dominates: a single cold round
 * of 300,000 events spent more CPU in the C2 compiler thread than in the ingester's threads (JFR).
 *
 * <p>Usage: {@code java -cp benchmarks/target/benchmarks.jar dev.frip.benchmarks.BronzeIngestLoad
 * [events=500000] [maxSeconds=120] [rounds=3]}
 */
public final class BronzeIngestLoad {

  private BronzeIngestLoad() {}

  /** Entry point. */
  public static void main(String[] args) throws Exception {
    int count = args.length > 0 ? Integer.parseInt(args[0]) : 500_000;
    long maxSeconds = args.length > 1 ? Long.parseLong(args[1]) : 120;
    int rounds = args.length > 2 ? Integer.parseInt(args[2]) : 3;
    Path lakeDir = Files.createTempDirectory("frip-bronze-load");
    try (EmbeddedKafka kafka = EmbeddedKafka.start();
        SchemaRegistryServer server =
            SchemaRegistryServer.builder().port(0).kafkaStorage(kafka.bootstrapServers()).start();
        SchemaRegistry registry = SchemaRegistry.builder().url(server.url()).build();
        TopicAdmin admin =
            TopicAdmin.builder().bootstrapServers(kafka.bootstrapServers()).build()) {
      admin.ensure(List.of(Topics.PAYMENTS));
      long start = System.nanoTime();
      try (EventProducer producer =
          EventProducer.builder()
              .bootstrapServers(kafka.bootstrapServers())
              .registry(registry)
              .build()) {
        for (int i = 0; i < count; i++) {
          producer.send(Topics.PAYMENTS, Payments.payment(i));
        }
        producer.flush();
      }
      System.out.printf(
          Locale.ROOT,
          "produced %d payments in %.2f s%n",
          count,
          (System.nanoTime() - start) / 1e9);

      for (int round = 1; round <= rounds; round++) {
        boolean last = round == rounds;
        String label = last ? "RESULT" : "warm-up " + round + ":";
        long cpu = cpuNanos();
        double baseline = consumeAndDeserialize(kafka, registry, count, maxSeconds, round);
        double baselineCpu = (cpuNanos() - cpu) / 1e9;

        Path roundDir = lakeDir.resolve("round-" + round);
        ScheduledExecutorService watchdog = Executors.newSingleThreadScheduledExecutor();
        BronzeIngester.Counts c;
        long nanos;
        try (BronzeIngester ingester =
            BronzeIngester.builder()
                .lakehouse(Lakehouse.local(roundDir))
                .bootstrapServers(kafka.bootstrapServers())
                .registry(registry)
                .topics(Topics.PAYMENTS)
                .build()) {
          watchdog.schedule(ingester::shutdown, maxSeconds, TimeUnit.SECONDS);
          start = System.nanoTime();
          cpu = cpuNanos();
          c = ingester.runUntilIdle();
          nanos = System.nanoTime() - start;
          cpu = cpuNanos() - cpu;
        } finally {
          watchdog.shutdownNow();
        }
        double ingest = c.written() / (nanos / 1e9);
        double ingestCpu = cpu / 1e9;
        if (last) {
          reportFiles(roundDir.resolve("bronze").resolve(Topics.PAYMENTS.name()));
        }
        System.out.printf(
            Locale.ROOT,
            "round %d ingest: read %d, written %d, dead-lettered %d in %.2f s%n",
            round,
            c.read(),
            c.written(),
            c.deadLettered(),
            nanos / 1e9);
        System.out.printf(
            Locale.ROOT,
            "%1$s baseline consume + deserialize (no Delta): %2$.0f events/s,"
                + " process CPU %3$.2f s = %4$.0f events per CPU-s%n"
                + "%1$s BronzeIngester to local Delta: %5$.0f events/s,"
                + " process CPU %6$.2f s = %7$.0f events per CPU-s%n"
                + "%1$s ratio ingest/baseline: %8$.2f wall, %9$.2f per CPU-s%n",
            label,
            baseline,
            baselineCpu,
            count / baselineCpu,
            ingest,
            ingestCpu,
            c.written() / ingestCpu,
            ingest / baseline,
            (c.written() / ingestCpu) / (count / baselineCpu));
      }
    } finally {
      try (Stream<Path> files = Files.walk(lakeDir)) {
        files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }

  /** CPU time of the whole process (all threads, the in-process broker included). */
  private static long cpuNanos() {
    return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
        .getProcessCpuTime();
  }

  /** Prints the Parquet data files per date partition of a bronze table and their average size. */
  private static void reportFiles(Path table) throws java.io.IOException {
    Map<String, long[]> parts = new java.util.TreeMap<>();
    try (Stream<Path> files = Files.walk(table)) {
      for (Path p : (Iterable<Path>) files::iterator) {
        String name = p.getFileName().toString();
        if (name.endsWith(".parquet") && !p.toString().contains("_delta_log")) {
          long[] n =
              parts.computeIfAbsent(p.getParent().getFileName().toString(), k -> new long[2]);
          n[0]++;
          n[1] += Files.size(p);
        }
      }
    }
    parts.forEach(
        (part, n) ->
            System.out.printf(
                Locale.ROOT,
                "RESULT bronze files: %s: %d files, average %.2f MB%n",
                part,
                n[0],
                n[1] / (double) n[0] / 1e6));
  }

  private static double consumeAndDeserialize(
      EmbeddedKafka kafka, SchemaRegistry registry, int count, long maxSeconds, int round) {
    long seen = 0;
    long checksum = 0;
    long start = System.nanoTime();
    long deadline = start + Duration.ofSeconds(maxSeconds).toNanos();
    try (FripAvroDeserializer values = new FripAvroDeserializer(registry, true);
        KafkaConsumer<byte[], byte[]> consumer =
            new KafkaConsumer<>(
                Map.of(
                    "bootstrap.servers", kafka.bootstrapServers(),
                    "group.id", "baseline-" + round,
                    "auto.offset.reset", "earliest",
                    "enable.auto.commit", "false",
                    "max.poll.records", "5000"),
                new ByteArrayDeserializer(),
                new ByteArrayDeserializer())) {
      consumer.subscribe(List.of(Topics.PAYMENTS.name()));
      while (seen < count && System.nanoTime() < deadline) {
        for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
          PaymentEvent p = (PaymentEvent) values.deserialize(r.topic(), r.headers(), r.value());
          checksum += p.getAmountMinor();
          seen++;
        }
      }
    }
    long nanos = System.nanoTime() - start;
    System.out.printf(
        Locale.ROOT,
        "baseline: consumed %d in %.2f s (checksum %d)%n",
        seen,
        nanos / 1e9,
        checksum);
    return seen / (nanos / 1e9);
  }
}
