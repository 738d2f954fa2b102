package dev.frip.benchmarks;

import dev.frip.core.TopicSpec;
import dev.frip.core.Topics;
import dev.frip.core.events.PaymentEvent;
import dev.frip.embedded.EmbeddedKafka;
import dev.frip.kafka.EventProducer;
import dev.frip.kafka.FripAvroSerializer;
import dev.frip.kafka.SchemaRegistry;
import dev.frip.kafka.SchemaRegistryServer;
import dev.frip.kafka.TopicAdmin;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Load tool: produces payments to an in-process broker on 127.0.0.1 and prints events/s. Runs, in
 * one JVM and on one broker, FRIP's {@link EventProducer} (Avro wire format, acks=all, idempotent,
 * lz4) and, as the baseline, a plain producer of pre-serialized bytes with acks=1 and the same
 * batching. Bounded in count and time.
 *
 * <p>Usage: {@code java -cp benchmarks/target/benchmarks-all.jar dev.frip.benchmarks.ProduceLoad
 * [events=1000000] [maxSeconds=60]}
 */
public final class ProduceLoad {

  private ProduceLoad() {}

  /** Entry point. */
  public static void main(String[] args) throws Exception {
    int count = args.length > 0 ? Integer.parseInt(args[0]) : 1_000_000;
    long maxNanos = Duration.ofSeconds(args.length > 1 ? Long.parseLong(args[1]) : 60).toNanos();
    PaymentEvent[] events = new PaymentEvent[10_000];
    for (int i = 0; i < events.length; i++) {
      events[i] = Payments.payment(i);
    }
    try (EmbeddedKafka kafka = EmbeddedKafka.start();
        SchemaRegistryServer server =
            SchemaRegistryServer.builder().port(0).kafkaStorage(kafka.bootstrapServers()).start();
        SchemaRegistry registry = SchemaRegistry.builder().url(server.url()).build();
        TopicAdmin admin =
            TopicAdmin.builder().bootstrapServers(kafka.bootstrapServers()).build()) {
      TopicSpec baselineTopic =
          new TopicSpec(
              "payments_baseline",
              Topics.PARTITIONS,
              Duration.ofDays(1),
              TopicSpec.CleanupPolicy.DELETE,
              null,
              TopicSpec.Kind.INTERNAL);
      admin.ensure(List.of(Topics.PAYMENTS, baselineTopic));

      // Warm up both paths briefly so JIT compilation is not measured.
      runFrip(kafka, registry, events, 50_000, maxNanos);
      runBaseline(kafka, registry, events, baselineTopic.name(), 50_000, maxNanos, false);

      double frip = runFrip(kafka, registry, events, count, maxNanos);
      double baseline =
          runBaseline(kafka, registry, events, baselineTopic.name(), count, maxNanos, false);
      double rawAll =
          runBaseline(kafka, registry, events, baselineTopic.name(), count, maxNanos, true);
      System.out.printf(
          Locale.ROOT,
          "RESULT frip EventProducer acks=all idempotent lz4 avro: %.0f events/s%n"
              + "RESULT baseline raw bytes acks=1 lz4: %.0f events/s%n"
              + "RESULT raw bytes acks=all idempotent lz4 (no serde): %.0f events/s%n"
              + "RESULT ratio frip/baseline: %.2f%n",
          frip,
          baseline,
          rawAll,
          frip / baseline);
    }
  }

  private static double runFrip(
      EmbeddedKafka kafka, SchemaRegistry registry, PaymentEvent[] events, int count, long maxNanos)
      throws Exception {
    AtomicLong acked = new AtomicLong();
    AtomicLong failed = new AtomicLong();
    long start = System.nanoTime();
    int sent = 0;
    try (EventProducer producer =
        EventProducer.builder()
            .bootstrapServers(kafka.bootstrapServers())
            .registry(registry)
            .build()) {
      for (; sent < count && System.nanoTime() - start < maxNanos; sent++) {
        producer
            .send(Topics.PAYMENTS, events[sent % events.length])
            .whenComplete((m, e) -> (e == null ? acked : failed).incrementAndGet());
      }
      producer.flush();
    }
    return report("frip", sent, acked.get(), failed.get(), System.nanoTime() - start);
  }

  private static double runBaseline(
      EmbeddedKafka kafka,
      SchemaRegistry registry,
      PaymentEvent[] events,
      String topic,
      int count,
      long maxNanos,
      boolean acksAll)
      throws Exception {
    byte[][] values = new byte[events.length][];
    byte[][] keys = new byte[events.length][];
    FripAvroSerializer ser = new FripAvroSerializer(registry);
    for (int i = 0; i < events.length; i++) {
      values[i] = ser.serialize("payments", events[i]);
      keys[i] = events[i].getUserId().getBytes(StandardCharsets.UTF_8);
    }
    AtomicLong acked = new AtomicLong();
    AtomicLong failed = new AtomicLong();
    Map<String, Object> config =
        Map.of(
            "bootstrap.servers",
            kafka.bootstrapServers(),
            "acks",
            "1",
            "enable.idempotence",
            false,
            "compression.type",
            "lz4",
            "linger.ms",
            5,
            "batch.size",
            128 * 1024);
    long start = System.nanoTime();
    int sent = 0;
    try (KafkaProducer<byte[], byte[]> producer =
        new KafkaProducer<>(config, new ByteArraySerializer(), new ByteArraySerializer())) {
      for (; sent < count && System.nanoTime() - start < maxNanos; sent++) {
        int i = sent % events.length;
        producer.send(
            new ProducerRecord<>(topic, keys[i], values[i]),
            (m, e) -> (e == null ? acked : failed).incrementAndGet());
      }
      producer.flush();
    }
    return report(
        acksAll ? "raw acks=all" : "baseline",
        sent,
        acked.get(),
        failed.get(),
        System.nanoTime() - start);
  }

  private static double report(String what, int sent, long acked, long failed, long nanos) {
    double seconds = nanos / 1e9;
    double rate = acked / seconds;
    System.out.printf(
        Locale.ROOT,
        "%s: sent %d, acknowledged %d, failed %d in %.2f s = %.0f events/s%n",
        what,
        sent,
        acked,
        failed,
        seconds,
        rate);
    return rate;
  }
}
