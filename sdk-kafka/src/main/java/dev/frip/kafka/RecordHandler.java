package dev.frip.kafka;

import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * What an {@link EventConsumerLoop} does with each valid record. An exception sends the record to
 * the dead-letter topic with stage {@code process}; the loop goes on.
 *
 * @param <V> the value type
 * @since 0.1.0
 */
@FunctionalInterface
public interface RecordHandler<V> {

  /** Handles one deserialized, validated record. */
  void handle(ConsumerRecord<String, V> record) throws Exception;
}
