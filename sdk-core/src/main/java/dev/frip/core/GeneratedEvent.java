package dev.frip.core;

import java.util.Objects;
import org.apache.avro.specific.SpecificRecord;

/**
 * One event of the synthetic world, addressed to its topic: what a producer sends to Kafka and what
 * {@code frip generate} writes as one JSON line.
 *
 * @param topic the topic the event belongs to
 * @param key the record key, always the event's {@code user_id}
 * @param value the Avro event, an instance of the topic's generated class
 * @param eventTime the event's {@code event_time} in epoch milliseconds (UTC)
 * @since 0.1.0
 */
public record GeneratedEvent(TopicSpec topic, String key, SpecificRecord value, long eventTime) {

  /** Checks the parts are present. */
  public GeneratedEvent {
    Objects.requireNonNull(topic, "topic");
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(value, "value");
  }
}
