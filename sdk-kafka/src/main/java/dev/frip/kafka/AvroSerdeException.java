package dev.frip.kafka;

import org.apache.kafka.common.errors.SerializationException;

/**
 * A record could not be serialized or deserialized. The message names the topic, the schema id when
 * it could be read, and what was wrong (short record, wrong magic byte, unknown id, malformed
 * Avro). Extends Kafka's {@link SerializationException}, so plain Kafka clients treat it as theirs.
 *
 * @since 0.1.0
 */
public class AvroSerdeException extends SerializationException {

  private static final long serialVersionUID = 1L;

  /** The schema id of a record whose header could not be read. */
  public static final int NO_SCHEMA_ID = -1;

  private final String topic;
  private final int schemaId;

  /**
   * Creates the exception.
   *
   * @param topic the record's topic
   * @param schemaId the schema id from the header, or {@link #NO_SCHEMA_ID}
   * @param message what was wrong
   * @param cause the underlying error, or null
   */
  public AvroSerdeException(String topic, int schemaId, String message, Throwable cause) {
    super(message, cause);
    this.topic = topic;
    this.schemaId = schemaId;
  }

  /** The record's topic. */
  public String topic() {
    return topic;
  }

  /** The schema id from the header, or {@link #NO_SCHEMA_ID} when it could not be read. */
  public int schemaId() {
    return schemaId;
  }

  /**
   * Whether the record itself may be fine and only the schema registry could not answer (no
   * response, a 5xx, an open circuit breaker): the record should be read again later, not
   * dead-lettered. FRIP's consumers rewind to it and retry.
   */
  public boolean retriable() {
    return getCause() instanceof SchemaRegistryException e && e.retriable();
  }
}
