package dev.frip.core;

import java.time.Duration;
import java.util.Objects;
import org.apache.avro.Schema;

/**
 * One Kafka topic of the platform: its name, partitioning, retention, cleanup policy and the Avro
 * schema of its values. Topic admin creates topics from these specs and reports drift against them.
 *
 * <p>Every topic is keyed by {@code user_id}, so all events of one customer land in one partition
 * and a streaming scorer instance owns a disjoint slice of customers.
 *
 * @param name the topic name, e.g. {@code payments}
 * @param partitions number of partitions
 * @param retention how long records are kept
 * @param cleanupPolicy {@code delete} or {@code compact}
 * @param valueSchema Avro schema of record values, or {@code null} for raw-bytes topics (dead
 *     letters)
 * @param kind what the topic is for
 * @since 0.1.0
 */
public record TopicSpec(
    String name,
    int partitions,
    Duration retention,
    CleanupPolicy cleanupPolicy,
    Schema valueSchema,
    Kind kind) {

  /** The record key of every FRIP topic. */
  public static final String KEY_FIELD = "user_id";

  /** What a topic carries. */
  public enum Kind {
    /** One of the six seed topics produced by merchant systems. */
    INPUT,
    /** Produced by FRIP: scores and alerts. */
    OUTPUT,
    /** Records that failed deserialization or validation, with headers naming the error. */
    DEAD_LETTER,
    /** FRIP's own bookkeeping, e.g. the schema registry's {@code _schemas}. */
    INTERNAL
  }

  /** Kafka's {@code cleanup.policy}. */
  public enum CleanupPolicy {
    DELETE("delete"),
    COMPACT("compact");

    private final String configValue;

    CleanupPolicy(String configValue) {
      this.configValue = configValue;
    }

    /** The value of Kafka's {@code cleanup.policy} topic config. */
    public String configValue() {
      return configValue;
    }
  }

  /** Validates the spec at construction so a bad spec fails where it is written. */
  public TopicSpec {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(retention, "retention");
    Objects.requireNonNull(cleanupPolicy, "cleanupPolicy");
    Objects.requireNonNull(kind, "kind");
    if (name.isBlank() || !name.matches("[A-Za-z0-9._-]+")) {
      throw new IllegalArgumentException(
          "topic name '" + name + "' is not a legal Kafka topic name");
    }
    if (partitions < 1) {
      throw new IllegalArgumentException(
          "topic " + name + ": partitions was " + partitions + ", must be at least 1");
    }
    if (retention.isNegative() || retention.isZero()) {
      throw new IllegalArgumentException(
          "topic " + name + ": retention was " + retention + ", must be positive");
    }
  }

  /** Retention in milliseconds, as Kafka's {@code retention.ms} wants it. */
  public long retentionMs() {
    return retention.toMillis();
  }

  /** The Confluent subject of this topic's values (TopicNameStrategy): {@code {topic}-value}. */
  public String valueSubject() {
    return name + "-value";
  }

  /** The Confluent subject of this topic's keys (TopicNameStrategy): {@code {topic}-key}. */
  public String keySubject() {
    return name + "-key";
  }

  /** The dead-letter topic name for this topic: {@code {topic}.dlq}. */
  public String deadLetterTopic() {
    return name + ".dlq";
  }
}
