package dev.frip.kafka;

import dev.frip.core.GeneratedEvent;
import dev.frip.core.TopicSpec;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * A typed producer for FRIP events: idempotent, {@code acks=all}, lz4 (or zstd) compression, keyed
 * by {@code user_id}, values in the Confluent wire format through {@link FripAvroSerializer}.
 *
 * <pre>{@code
 * try (EventProducer producer = EventProducer.builder()
 *     .bootstrapServers("127.0.0.1:9092").registry(registry).build()) {
 *   for (GeneratedEvent e : events) producer.send(e);
 * }
 * }</pre>
 *
 * <p>Meters (with a meter registry): {@code frip.kafka.records.out{topic}} for acknowledged records
 * and {@code frip.kafka.produce.errors{topic}} for failed ones.
 *
 * @since 0.1.0
 */
public final class EventProducer implements AutoCloseable {

  private final KafkaProducer<String, Object> producer;
  private final MeterRegistry meters;
  private final Map<String, Counter> outCounters = new ConcurrentHashMap<>();
  private final Map<String, Counter> errorCounters = new ConcurrentHashMap<>();

  private EventProducer(KafkaProducer<String, Object> producer, MeterRegistry meters) {
    this.producer = producer;
    this.meters = meters;
  }

  /** A builder; bootstrap servers and a registry are required. */
  public static Builder builder() {
    return new Builder();
  }

  /** Sends one generated event to its topic, keyed by its key ({@code user_id}). */
  public CompletableFuture<RecordMetadata> send(GeneratedEvent event) {
    return send(event.topic(), event.key(), event.value());
  }

  /**
   * Sends an event to a topic, keyed by the event's {@code user_id}.
   *
   * @throws IllegalArgumentException when the event has no {@code user_id} or is not the topic's
   *     type
   */
  public CompletableFuture<RecordMetadata> send(TopicSpec topic, SpecificRecord value) {
    var field = value.getSchema().getField(TopicSpec.KEY_FIELD);
    if (field == null || value.get(field.pos()) == null) {
      throw new IllegalArgumentException(
          value.getSchema().getFullName() + " has no " + TopicSpec.KEY_FIELD + " to key it by");
    }
    return send(topic, value.get(field.pos()).toString(), value);
  }

  /**
   * Sends a value with an explicit key.
   *
   * @throws IllegalArgumentException when the value is not of the topic's schema
   */
  public CompletableFuture<RecordMetadata> send(TopicSpec topic, String key, SpecificRecord value) {
    Objects.requireNonNull(topic, "topic");
    Objects.requireNonNull(value, "value");
    if (topic.valueSchema() != null
        && !topic.valueSchema().getFullName().equals(value.getSchema().getFullName())) {
      throw new IllegalArgumentException(
          "topic "
              + topic.name()
              + " carries "
              + topic.valueSchema().getFullName()
              + ", not "
              + value.getSchema().getFullName());
    }
    CompletableFuture<RecordMetadata> result = new CompletableFuture<>();
    String name = topic.name();
    producer.send(
        new ProducerRecord<>(name, key, value),
        (metadata, error) -> {
          if (error != null) {
            count(errorCounters, "frip.kafka.produce.errors", name);
            result.completeExceptionally(error);
          } else {
            count(outCounters, "frip.kafka.records.out", name);
            result.complete(metadata);
          }
        });
    return result;
  }

  private void count(Map<String, Counter> counters, String meter, String topic) {
    if (meters != null) {
      counters
          .computeIfAbsent(topic, t -> Counter.builder(meter).tag("topic", t).register(meters))
          .increment();
    }
  }

  /** Waits until every record sent so far is acknowledged or failed. */
  public void flush() {
    producer.flush();
  }

  /** Flushes and closes. */
  @Override
  public void close() {
    producer.close(Duration.ofSeconds(30));
  }

  /** Settings of the producer. */
  public static final class Builder {
    private final Map<String, Object> config = new HashMap<>();
    private SchemaRegistry registry;
    private MeterRegistry meters;

    private Builder() {
      config.put(ProducerConfig.ACKS_CONFIG, "all");
      config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
      config.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
      config.put(ProducerConfig.LINGER_MS_CONFIG, 5);
      config.put(ProducerConfig.BATCH_SIZE_CONFIG, 128 * 1024);
      config.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, 5);
    }

    /** The cluster, {@code host:port[,host:port]}. */
    public Builder bootstrapServers(String servers) {
      config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, Objects.requireNonNull(servers));
      return this;
    }

    /** The schema registry the serializer registers schemas in. */
    public Builder registry(SchemaRegistry registry) {
      this.registry = Objects.requireNonNull(registry, "registry");
      return this;
    }

    /**
     * Compression: {@code lz4} (default) or {@code zstd}.
     *
     * @throws IllegalArgumentException for any other codec
     */
    public Builder compression(String codec) {
      if (!"lz4".equals(codec) && !"zstd".equals(codec)) {
        throw new IllegalArgumentException("compression was '" + codec + "', must be lz4 or zstd");
      }
      config.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, codec);
      return this;
    }

    /**
     * Any other producer setting (security, linger, batch size). Idempotence and {@code acks=all}
     * cannot be weakened here.
     *
     * @throws IllegalArgumentException for acks or enable.idempotence
     */
    public Builder property(String key, Object value) {
      if (ProducerConfig.ACKS_CONFIG.equals(key)
          || ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG.equals(key)) {
        throw new IllegalArgumentException(
            key + " is fixed (acks=all, idempotent) so that no event is lost or duplicated");
      }
      config.put(Objects.requireNonNull(key), Objects.requireNonNull(value));
      return this;
    }

    /** Where the records-out and error counters go. */
    public Builder meterRegistry(MeterRegistry meters) {
      this.meters = Objects.requireNonNull(meters, "meters");
      return this;
    }

    /**
     * Creates the producer.
     *
     * @throws IllegalStateException when bootstrap servers or the registry are missing
     */
    public EventProducer build() {
      if (!config.containsKey(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG)) {
        throw new IllegalStateException("bootstrap servers were not set");
      }
      if (registry == null) {
        throw new IllegalStateException("schema registry was not set");
      }
      FripAvroSerializer values = new FripAvroSerializer(registry);
      if (meters != null) {
        values.meterRegistry(meters);
      }
      return new EventProducer(
          new KafkaProducer<>(new HashMap<>(config), new StringSerializer(), values), meters);
    }
  }
}
