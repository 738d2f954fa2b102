package dev.frip.benchmarks;

import dev.frip.core.EventStream;
import dev.frip.core.FeatureCatalog;
import dev.frip.core.FeatureStore;
import dev.frip.core.GeneratorConfig;
import dev.frip.core.Topics;
import dev.frip.core.WorldGenerator;
import dev.frip.core.events.Action;
import dev.frip.embedded.EmbeddedKafka;
import dev.frip.kafka.EventProducer;
import dev.frip.kafka.FripAvroDeserializer;
import dev.frip.kafka.SchemaRegistry;
import dev.frip.kafka.SchemaRegistryServer;
import dev.frip.kafka.StreamingScorer;
import dev.frip.kafka.TopicAdmin;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Load tool: produces a generated world (six topics) to an in-process broker on 127.0.0.1, then
 * measures in one JVM (1) the baseline, a plain consumer that polls and deserializes every record
 * of the six topics, and (2) {@link StreamingScorer#runUntilIdle()}: event-time merge, feature
 * store fold, a feature-vector read per payment, and the {@code fraud_scores} and {@code alerts}
 * records produced with acks=all. The payment scorer decides by amount after reading the vector, so
 * the model evaluation (about 3 µs per payment, see the scoring section of RESULTS.md) is not in
 * the number. Prints records/s and process CPU of each phase.
 *
 * <p>Usage: {@code java -cp benchmarks/target/benchmarks.jar
 * dev.frip.benchmarks.StreamingScorerLoad [users=10000] [days=10] [maxSeconds=180]}
 */
public final class StreamingScorerLoad {

  private StreamingScorerLoad() {}

  /** Entry point. */
  public static void main(String[] args) throws Exception {
    int users = args.length > 0 ? Integer.parseInt(args[0]) : 10_000;
    int days = args.length > 1 ? Integer.parseInt(args[1]) : 10;
    long maxSeconds = args.length > 2 ? Long.parseLong(args[2]) : 180;
    try (EmbeddedKafka kafka = EmbeddedKafka.start();
        SchemaRegistryServer server =
            SchemaRegistryServer.builder().port(0).kafkaStorage(kafka.bootstrapServers()).start();
        SchemaRegistry registry = SchemaRegistry.builder().url(server.url()).build();
        TopicAdmin admin =
            TopicAdmin.builder().bootstrapServers(kafka.bootstrapServers()).build()) {
      admin.ensure(Topics.ALL);
      long start = System.nanoTime();
      long count = 0;
      try (EventProducer producer =
              EventProducer.builder()
                  .bootstrapServers(kafka.bootstrapServers())
                  .registry(registry)
                  .build();
          EventStream events =
              WorldGenerator.create(
                  GeneratorConfig.builder().seed(42).days(days).users(users).build())
                  .stream()) {
        while (events.hasNext()) {
          producer.send(events.next());
          count++;
        }
        producer.flush();
      }
      System.out.printf(
          Locale.ROOT,
          "produced %d events (%d users, %d days) in %.2f s%n",
          count,
          users,
          days,
          (System.nanoTime() - start) / 1e9);

      long cpu = cpuNanos();
      double baseline = consumeAndDeserialize(kafka, registry, count, maxSeconds);
      double baselineCpu = (cpuNanos() - cpu) / 1e9;

      FeatureStore store = FeatureStore.inMemory().maximumUsers(users * 2L).build();
      ThreadLocal<double[]> vector =
          ThreadLocal.withInitial(() -> new double[FeatureCatalog.size()]);
      ScheduledExecutorService watchdog = Executors.newSingleThreadScheduledExecutor();
      StreamingScorer.Counts c;
      long nanos;
      try (StreamingScorer scorer =
          StreamingScorer.builder()
              .bootstrapServers(kafka.bootstrapServers())
              .registry(registry)
              .features(store)
              .scorer(
                  p -> {
                    double[] v = vector.get();
                    store.vector(p, v);
                    long a = p.getAmountMinor();
                    Action action =
                        a > 150_000 ? Action.BLOCK : a > 80_000 ? Action.REVIEW : Action.ALLOW;
                    return new StreamingScorer.Verdict(
                        Math.min(1.0, a / 200_000.0), "load", action, List.of(), false);
                  })
              .build()) {
        watchdog.schedule(scorer::shutdown, maxSeconds, TimeUnit.SECONDS);
        start = System.nanoTime();
        cpu = cpuNanos();
        c = scorer.runUntilIdle();
        nanos = System.nanoTime() - start;
        cpu = cpuNanos() - cpu;
      } finally {
        watchdog.shutdownNow();
      }
      double rate = c.read() / (nanos / 1e9);
      double scorerCpu = cpu / 1e9;
      System.out.printf(
          Locale.ROOT,
          "scorer: read %d, scored %d (alerts %d), folded %d, dead-lettered %d in %.2f s,"
              + " reconciles %b%n",
          c.read(),
          c.scored(),
          c.alerts(),
          c.folded(),
          c.deadLettered(),
          nanos / 1e9,
          c.reconciles());
      System.out.printf(
          Locale.ROOT,
          "RESULT baseline consume + deserialize, six topics: %.0f records/s,"
              + " process CPU %.2f s = %.0f records per CPU-s%n"
              + "RESULT StreamingScorer (merge, fold, vector, produce scores + alerts): %.0f"
              + " records/s (%.0f payments/s), process CPU %.2f s = %.0f records per CPU-s%n"
              + "RESULT ratio scorer/baseline: %.2f wall, %.2f per CPU-s%n",
          baseline,
          baselineCpu,
          count / baselineCpu,
          rate,
          c.scored() / (nanos / 1e9),
          scorerCpu,
          c.read() / scorerCpu,
          rate / baseline,
          (c.read() / scorerCpu) / (count / baselineCpu));
    }
  }

  /** CPU time of the whole process (all threads, the in-process broker included). */
  private static long cpuNanos() {
    return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
        .getProcessCpuTime();
  }

  private static double consumeAndDeserialize(
      EmbeddedKafka kafka, SchemaRegistry registry, long count, long maxSeconds) {
    long seen = 0;
    long start = System.nanoTime();
    long deadline = start + Duration.ofSeconds(maxSeconds).toNanos();
    try (FripAvroDeserializer values = new FripAvroDeserializer(registry, true);
        KafkaConsumer<byte[], byte[]> consumer =
            new KafkaConsumer<>(
                Map.of(
                    "bootstrap.servers", kafka.bootstrapServers(),
                    "group.id", "baseline",
                    "auto.offset.reset", "earliest",
                    "enable.auto.commit", "false",
                    "max.poll.records", "5000"),
                new ByteArrayDeserializer(),
                new ByteArrayDeserializer())) {
      consumer.subscribe(Topics.SEED.stream().map(t -> t.name()).toList());
      while (seen < count && System.nanoTime() < deadline) {
        for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
          if (values.deserialize(r.topic(), r.headers(), r.value()) != null) {
            seen++;
          }
        }
      }
    }
    long nanos = System.nanoTime() - start;
    System.out.printf(Locale.ROOT, "baseline: consumed %d in %.2f s%n", seen, nanos / 1e9);
    return seen / (nanos / 1e9);
  }
}
