package dev.frip.kafka;

import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;

/**
 * The dead-letter contract: a record that fails goes to {@code {topic}.dlq} with its original key
 * and value bytes and these headers (UTF-8 strings). Original headers are kept as they were.
 *
 * @since 0.1.0
 */
public final class DeadLetter {

  /** Class name of the error, e.g. {@code dev.frip.kafka.AvroSerdeException}. */
  public static final String ERROR_CLASS = "frip.dlq.error.class";

  /** The error message, naming topic, partition, offset and what was wrong. */
  public static final String ERROR_MESSAGE = "frip.dlq.error.message";

  /** The topic the record was consumed from. */
  public static final String TOPIC = "frip.dlq.topic";

  /** The partition it was consumed from. */
  public static final String PARTITION = "frip.dlq.partition";

  /** Its offset in that partition. */
  public static final String OFFSET = "frip.dlq.offset";

  /** The schema id from the wire-format header, when the header was readable. */
  public static final String SCHEMA_ID = "frip.dlq.schema.id";

  /**
   * Where it failed: {@link #STAGE_DESERIALIZE}, {@link #STAGE_VALIDATE} or {@link #STAGE_PROCESS}.
   */
  public static final String STAGE = "frip.dlq.stage";

  /** The bytes are not a readable record of a known schema. */
  public static final String STAGE_DESERIALIZE = "deserialize";

  /** The record was read but broke a validation rule. */
  public static final String STAGE_VALIDATE = "validate";

  /** The handler threw. */
  public static final String STAGE_PROCESS = "process";

  /** Suffix of dead-letter topics. */
  public static final String SUFFIX = ".dlq";

  private DeadLetter() {}

  /** The dead-letter topic of a topic. */
  public static String topicFor(String topic) {
    return topic + SUFFIX;
  }

  /**
   * The dead letter of a consumed record: its original key, value, timestamp and headers, plus the
   * {@code frip.dlq.*} headers, addressed to {@code {topic}.dlq}. Every FRIP consumer that
   * dead-letters builds the record here, so the contract has one implementation.
   *
   * @param raw the record as consumed
   * @param stage one of the {@code STAGE_*} constants
   * @param errorClass class name of the error
   * @param message what was wrong, naming topic, partition and offset
   * @param schemaId the wire-format schema id, or {@link AvroSerdeException#NO_SCHEMA_ID}
   */
  public static ProducerRecord<byte[], byte[]> of(
      ConsumerRecord<byte[], byte[]> raw,
      String stage,
      String errorClass,
      String message,
      int schemaId) {
    Headers headers = new RecordHeaders(raw.headers().toArray());
    put(headers, ERROR_CLASS, errorClass);
    put(headers, ERROR_MESSAGE, message);
    put(headers, TOPIC, raw.topic());
    put(headers, PARTITION, String.valueOf(raw.partition()));
    put(headers, OFFSET, String.valueOf(raw.offset()));
    if (schemaId != AvroSerdeException.NO_SCHEMA_ID) {
      put(headers, SCHEMA_ID, String.valueOf(schemaId));
    }
    put(headers, STAGE, stage);
    // A record without a timestamp (-1, from some non-Java producers or old data) keeps none; the
    // producer then stamps the dead letter, instead of refusing it and stopping the consumer.
    Long timestamp = raw.timestamp() < 0 ? null : raw.timestamp();
    return new ProducerRecord<>(
        topicFor(raw.topic()), null, timestamp, raw.key(), raw.value(), headers);
  }

  /**
   * The configuration of a dead-letter producer for consumers configured with {@code
   * consumerConfig}: the same bootstrap servers and connection security ({@code security.protocol},
   * {@code sasl.*}, {@code ssl.*}, {@code client.dns.lookup}), all replicas acknowledging,
   * idempotent.
   */
  public static Map<String, Object> producerConfig(Map<String, ?> consumerConfig) {
    Map<String, Object> p = connectionConfig(consumerConfig);
    Object servers = consumerConfig.get(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG);
    if (servers != null) {
      p.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, servers);
    }
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    return p;
  }

  /**
   * The connection security of a client configuration ({@code security.protocol}, {@code sasl.*},
   * {@code ssl.*}, {@code client.dns.lookup}): what another client of the same cluster needs too.
   */
  public static Map<String, Object> connectionConfig(Map<String, ?> config) {
    Map<String, Object> p = new HashMap<>();
    for (Map.Entry<String, ?> e : config.entrySet()) {
      String k = e.getKey();
      if (k.equals(CommonClientConfigs.SECURITY_PROTOCOL_CONFIG)
          || k.equals(CommonClientConfigs.CLIENT_DNS_LOOKUP_CONFIG)
          || k.startsWith("sasl.")
          || k.startsWith("ssl.")) {
        p.put(k, e.getValue());
      }
    }
    return p;
  }

  private static void put(Headers headers, String key, String value) {
    headers.remove(key);
    headers.add(key, value.getBytes(StandardCharsets.UTF_8));
  }

  /** The last value of a header as a string, or null when absent. */
  public static String header(Headers headers, String key) {
    Header h = headers.lastHeader(key);
    return h == null || h.value() == null ? null : new String(h.value(), StandardCharsets.UTF_8);
  }
}
