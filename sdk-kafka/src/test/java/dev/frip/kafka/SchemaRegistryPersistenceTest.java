package dev.frip.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.frip.core.TopicSpec;
import dev.frip.core.events.PaymentEvent;
import dev.frip.embedded.EmbeddedKafka;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.config.ConfigResource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The registry service keeping its state in a compacted topic of a real broker. */
class SchemaRegistryPersistenceTest {

  private static EmbeddedKafka kafka;

  @BeforeAll
  static void startBroker() {
    kafka = EmbeddedKafka.start();
  }

  @AfterAll
  static void stopBroker() {
    kafka.stop();
  }

  private static SchemaRegistryServer server(String topic) {
    return SchemaRegistryServer.builder()
        .port(0)
        .kafkaStorage(kafka.bootstrapServers())
        .topic(topic)
        .start();
  }

  @Test
  void restartKeepsEveryIdVersionAndCompatibilityLevel() throws Exception {
    Map<String, Integer> ids = new LinkedHashMap<>();
    int v1Id;
    int v2Id;
    try (SchemaRegistryServer first = server("_schemas_restart");
        SchemaRegistry client = SchemaRegistry.builder().url(first.url()).build()) {
      for (TopicSpec t : AvroSerdeTest.eventTopics()) {
        ids.put(t.valueSubject(), client.register(t.valueSubject(), t.valueSchema()));
      }
      v1Id = client.register("evolving-value", AvroSerdeTest.paymentsV1());
      v2Id = client.register("evolving-value", PaymentEvent.getClassSchema());
      client.setCompatibility(CompatibilityLevel.FULL);
      client.setCompatibility("payments-value", CompatibilityLevel.NONE);
    }

    try (SchemaRegistryServer second = server("_schemas_restart");
        SchemaRegistry client = SchemaRegistry.builder().url(second.url()).build()) {
      for (TopicSpec t : AvroSerdeTest.eventTopics()) {
        int id = ids.get(t.valueSubject());
        assertThat(client.lookup(t.valueSubject(), t.valueSchema()).id()).isEqualTo(id);
        assertThat(client.schemaById(id)).isEqualTo(t.valueSchema());
      }
      assertThat(client.versions("evolving-value")).containsExactly(1, 2);
      assertThat(client.version("evolving-value", 1).id()).isEqualTo(v1Id);
      assertThat(client.latest("evolving-value").id()).isEqualTo(v2Id);
      assertThat(client.compatibility()).isEqualTo(CompatibilityLevel.FULL);
      assertThat(client.compatibility("payments-value")).contains(CompatibilityLevel.NONE);
      int fresh = client.register("fresh-value", SchemaRegistryServerTest.v1());
      assertThat(fresh).isGreaterThan(ids.values().stream().mapToInt(i -> i).max().orElseThrow());
      assertThat(fresh).isGreaterThan(v2Id);
    }
  }

  @Test
  void storeTopicIsCompactedWithOnePartition() throws Exception {
    try (SchemaRegistryServer server = server("_schemas_layout");
        Admin admin = Admin.create(Map.of("bootstrap.servers", kafka.bootstrapServers()))) {
      assertThat(server.url()).startsWith("http://127.0.0.1:");
      assertThat(
              admin
                  .describeTopics(List.of("_schemas_layout"))
                  .allTopicNames()
                  .get()
                  .get("_schemas_layout")
                  .partitions())
          .hasSize(1);
      ConfigResource r = new ConfigResource(ConfigResource.Type.TOPIC, "_schemas_layout");
      Config config = admin.describeConfigs(List.of(r)).all().get().get(r);
      assertThat(config.get("cleanup.policy").value()).isEqualTo("compact");
    }
  }

  @Test
  void refusesAStoreTopicWithSeveralPartitions() throws Exception {
    try (Admin admin = Admin.create(Map.of("bootstrap.servers", kafka.bootstrapServers()))) {
      admin.createTopics(List.of(new NewTopic("_schemas_wide", 3, (short) 1))).all().get();
    }
    assertThatThrownBy(() -> server("_schemas_wide"))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("exactly 1");
  }
}
