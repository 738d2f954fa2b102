package dev.frip.apps;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.frip.core.EventStream;
import dev.frip.core.GeneratedEvent;
import dev.frip.core.GeneratorConfig;
import dev.frip.core.Topics;
import dev.frip.core.WorldGenerator;
import dev.frip.embedded.EmbeddedKafka;
import dev.frip.kafka.AvroSerde;
import dev.frip.kafka.FripAvroDeserializer;
import dev.frip.kafka.SchemaRegistry;
import dev.frip.kafka.SchemaRegistryServer;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** {@code frip generate --bootstrap --registry-url} against a real broker and registry. */
class GenerateToKafkaTest {

  private static EmbeddedKafka kafka;
  private static SchemaRegistryServer registry;

  @BeforeAll
  static void start() {
    kafka = EmbeddedKafka.start();
    registry = SchemaRegistryServer.builder().port(0).inMemoryStorage().start();
  }

  @AfterAll
  static void stop() {
    registry.close();
    kafka.stop();
  }

  @Test
  void everyGeneratedEventLandsOnItsTopicKeyedByUserInTheWireFormat() {
    String[] world = {"--seed", "11", "--days", "1", "--users", "60"};
    List<String> args = new java.util.ArrayList<>(List.of("generate"));
    args.addAll(List.of(world));
    args.addAll(List.of("--bootstrap", kafka.bootstrapServers(), "--registry-url", registry.url()));
    GenerateCommandTest.Run r = GenerateCommandTest.run(args.toArray(String[]::new));
    assertThat(r.exit()).as(r.err()).isZero();
    assertThat(r.out()).contains("events acknowledged, 0 failed");

    Map<String, Long> expected = new HashMap<>();
    try (EventStream events =
        WorldGenerator.create(GeneratorConfig.builder().seed(11).days(1).users(60).build())
            .stream()) {
      while (events.hasNext()) {
        GeneratedEvent e = events.next();
        expected.merge(e.topic().name(), 1L, Long::sum);
      }
    }
    long total = expected.values().stream().mapToLong(Long::longValue).sum();

    Map<String, Long> consumed = new HashMap<>();
    try (SchemaRegistry client = SchemaRegistry.builder().url(registry.url()).build();
        FripAvroDeserializer values = new FripAvroDeserializer(client, true);
        KafkaConsumer<String, byte[]> consumer =
            new KafkaConsumer<>(
                Map.of(
                    "bootstrap.servers", kafka.bootstrapServers(),
                    "group.id", "generate-to-kafka-test",
                    "auto.offset.reset", "earliest"),
                new StringDeserializer(),
                new ByteArrayDeserializer())) {
      consumer.subscribe(Topics.SEED.stream().map(t -> t.name()).toList());
      long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
      long seen = 0;
      while (seen < total && System.nanoTime() < deadline) {
        for (ConsumerRecord<String, byte[]> rec : consumer.poll(Duration.ofMillis(500))) {
          assertThat(rec.value()[0]).isEqualTo(AvroSerde.MAGIC_BYTE);
          SpecificRecord value = (SpecificRecord) values.deserialize(rec.topic(), rec.value());
          Object userId = value.get(value.getSchema().getField("user_id").pos());
          assertThat(rec.key()).isEqualTo(userId.toString());
          assertThat(value.getSchema()).isEqualTo(Topics.require(rec.topic()).valueSchema());
          consumed.merge(rec.topic(), 1L, Long::sum);
          seen++;
        }
      }
    }
    assertThat(consumed).isEqualTo(expected);
  }

  @Test
  void kafkaWithoutARegistryIsAUsageError() {
    // The flag is required only when SCHEMA_REGISTRY_URL does not name a registry.
    assumeTrue(System.getenv("SCHEMA_REGISTRY_URL") == null);
    GenerateCommandTest.Run r =
        GenerateCommandTest.run(
            "generate", "--days", "1", "--bootstrap", kafka.bootstrapServers(), "--out", "-");
    assertThat(r.exit()).isEqualTo(Frip.EXIT_USAGE);
    assertThat(r.err()).contains("--registry-url is required with --bootstrap");
  }

  @Test
  void anUnreachableRegistryFailsWithAClearMessage() {
    GenerateCommandTest.Run r =
        GenerateCommandTest.run(
            "generate",
            "--days",
            "1",
            "--users",
            "5",
            "--bootstrap",
            kafka.bootstrapServers(),
            "--registry-url",
            "http://127.0.0.1:1");
    assertThat(r.exit()).isEqualTo(1);
    assertThat(r.err()).startsWith("frip generate: ").doesNotContain("\tat ");
  }
}
