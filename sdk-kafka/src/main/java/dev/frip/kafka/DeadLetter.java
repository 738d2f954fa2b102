package dev.frip.kafka;

import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;

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

  /** The last value of a header as a string, or null when absent. */
  public static String header(Headers headers, String key) {
    Header h = headers.lastHeader(key);
    return h == null || h.value() == null ? null : new String(h.value(), StandardCharsets.UTF_8);
  }
}
