package dev.frip.kafka.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.frip.kafka.CompatibilityLevel;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Keeps the registry's changes in a compacted, single-partition Kafka topic ({@code _schemas} by
 * default), in the key and value layout of Confluent's store: a key per subject version or config,
 * JSON values. One partition keeps the order; compaction keeps the latest value per key forever.
 *
 * <p>One registry instance writes at a time (no leader election): run a single instance per topic.
 */
public final class KafkaSchemaStore implements SchemaStore {

  private static final Duration TIMEOUT = Duration.ofSeconds(30);

  private final String topic;
  private final Map<String, Object> clientConfig;
  private final KafkaProducer<byte[], byte[]> producer;
  private final ObjectMapper json = new ObjectMapper();

  /**
   * Connects to Kafka and creates the topic if it is missing.
   *
   * @param clientConfig Kafka client settings, at least {@code bootstrap.servers}
   * @param topic the store topic, e.g. {@code _schemas}
   * @throws IllegalStateException when the topic exists with more than one partition or without
   *     compaction
   */
  public KafkaSchemaStore(Map<String, Object> clientConfig, String topic) {
    this.topic = topic;
    this.clientConfig = Map.copyOf(clientConfig);
    ensureTopic();
    Map<String, Object> p = new HashMap<>(clientConfig);
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    p.put(ProducerConfig.LINGER_MS_CONFIG, 0);
    this.producer = new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer());
  }

  private void ensureTopic() {
    try (Admin admin = Admin.create(clientConfig)) {
      NewTopic t =
          new NewTopic(topic, Optional.of(1), Optional.empty())
              .configs(
                  Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT));
      try {
        admin.createTopics(List.of(t)).all().get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
      } catch (ExecutionException e) {
        if (!(e.getCause() instanceof TopicExistsException)) {
          throw new IllegalStateException(
              "cannot create the schema store topic " + topic + ": " + e.getCause(), e);
        }
      }
      TopicDescription d =
          MetadataWait.get(() -> admin.describeTopics(List.of(topic)).allTopicNames(), TIMEOUT)
              .get(topic);
      if (d.partitions().size() != 1) {
        throw new IllegalStateException(
            "the schema store topic "
                + topic
                + " has "
                + d.partitions().size()
                + " partitions; it must have exactly 1 to keep the order of registrations");
      }
      // Writable only once the partition's leader has taken over: listing offsets asks the leader.
      MetadataWait.get(
          () ->
              admin
                  .listOffsets(
                      Map.of(
                          new TopicPartition(topic, 0),
                          org.apache.kafka.clients.admin.OffsetSpec.latest()))
                  .all(),
          TIMEOUT);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while preparing " + topic, e);
    } catch (ExecutionException | TimeoutException e) {
      throw new IllegalStateException("cannot prepare the schema store topic " + topic, e);
    }
  }

  @Override
  public void replay(Consumer<RegistryService.Entry> sink) {
    Map<String, Object> c = new HashMap<>(clientConfig);
    c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    TopicPartition tp = new TopicPartition(topic, 0);
    try (KafkaConsumer<byte[], byte[]> consumer =
        new KafkaConsumer<>(c, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      consumer.assign(List.of(tp));
      consumer.seekToBeginning(List.of(tp));
      long end = consumer.endOffsets(List.of(tp), TIMEOUT).get(tp);
      long deadline = System.nanoTime() + TIMEOUT.toNanos();
      while (consumer.position(tp, TIMEOUT) < end) {
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException(
              "reading the schema store topic " + topic + " did not reach offset " + end);
        }
        for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
          RegistryService.Entry entry = decode(r.key(), r.value());
          if (entry != null) {
            sink.accept(entry);
          }
        }
      }
    }
  }

  @Override
  public void append(RegistryService.Entry entry) {
    ObjectNode key = json.createObjectNode();
    ObjectNode value = json.createObjectNode();
    if (entry instanceof RegistryService.SchemaEntry s) {
      key.put("keytype", "SCHEMA").put("subject", s.subject()).put("version", s.version());
      key.put("magic", 1);
      value.put("subject", s.subject()).put("version", s.version()).put("id", s.id());
      value.put("schema", s.schema()).put("deleted", false);
    } else if (entry instanceof RegistryService.ConfigEntry c) {
      key.put("keytype", "CONFIG").put("subject", c.subject()).put("magic", 0);
      value.put("compatibilityLevel", c.level().name());
    }
    try {
      producer
          .send(new ProducerRecord<>(topic, 0, bytes(key), bytes(value)))
          .get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while writing to " + topic, e);
    } catch (ExecutionException | TimeoutException e) {
      throw new IllegalStateException("cannot write to the schema store topic " + topic, e);
    }
  }

  private byte[] bytes(JsonNode node) {
    try {
      return json.writeValueAsBytes(node);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private RegistryService.Entry decode(byte[] keyBytes, byte[] valueBytes) {
    if (keyBytes == null || valueBytes == null) {
      return null; // a tombstone: nothing to restore
    }
    try {
      JsonNode key = json.readTree(keyBytes);
      JsonNode value = json.readTree(valueBytes);
      switch (key.path("keytype").asText()) {
        case "SCHEMA":
          if (value.path("deleted").asBoolean(false)) {
            return null;
          }
          return new RegistryService.SchemaEntry(
              value.path("subject").asText(),
              value.path("version").asInt(),
              value.path("id").asInt(),
              value.path("schema").asText());
        case "CONFIG":
          JsonNode subject = key.path("subject");
          return new RegistryService.ConfigEntry(
              subject.isNull() || subject.isMissingNode() ? null : subject.asText(),
              CompatibilityLevel.parse(value.path("compatibilityLevel").asText()));
        default:
          return null; // other Confluent key types (NOOP, DELETE_SUBJECT...) carry no state here
      }
    } catch (IOException e) {
      throw new IllegalStateException("unreadable record in the schema store topic " + topic, e);
    }
  }

  @Override
  public void close() {
    producer.close(Duration.ofSeconds(5));
  }
}
