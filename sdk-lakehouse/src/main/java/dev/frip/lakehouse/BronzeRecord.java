package dev.frip.lakehouse;

import dev.frip.core.TopicSpec;
import java.util.Objects;
import org.apache.avro.specific.SpecificRecord;

/**
 * One Kafka record on its way to bronze: the decoded event and where it came from. The Kafka
 * consumer builds these from {@code ConsumerRecord}s; tests build them directly.
 *
 * @param topic the seed topic the record was read from
 * @param partition the Kafka partition
 * @param offset the record's offset in its partition
 * @param kafkaTimestamp the record's Kafka timestamp, epoch milliseconds
 * @param schemaId the schema registry id the value was written with
 * @param value the decoded event, an instance of the topic's generated class
 * @since 0.1.0
 */
public record BronzeRecord(
    TopicSpec topic,
    int partition,
    long offset,
    long kafkaTimestamp,
    int schemaId,
    SpecificRecord value) {

  /** Validates the coordinates and that the value belongs to the topic. */
  public BronzeRecord {
    Objects.requireNonNull(topic, "topic");
    Objects.requireNonNull(value, "value");
    if (partition < 0 || partition >= topic.partitions()) {
      throw new IllegalArgumentException(
          "topic "
              + topic.name()
              + ": partition was "
              + partition
              + ", must be in [0, "
              + topic.partitions()
              + ")");
    }
    if (offset < 0) {
      throw new IllegalArgumentException(
          "topic " + topic.name() + "-" + partition + ": offset was " + offset + ", must be >= 0");
    }
    if (topic.valueSchema() == null
        || !topic.valueSchema().getFullName().equals(value.getSchema().getFullName())) {
      throw new IllegalArgumentException(
          "topic "
              + topic.name()
              + "-"
              + partition
              + "@"
              + offset
              + ": value is a "
              + value.getSchema().getFullName()
              + ", the topic carries "
              + (topic.valueSchema() == null ? "raw bytes" : topic.valueSchema().getFullName()));
    }
  }
}
