package dev.frip.kafka;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.common.TopicPartition;

/**
 * The consumer meters every FRIP consumer shares, named as {@link EventConsumerLoop} names them so
 * that one dashboard covers all: {@code frip.kafka.records.in{topic}}, {@code
 * frip.kafka.dlq.records{topic,stage}} and {@code frip.kafka.consumer.lag{group}}. Every topic and
 * stage starts at zero, so a dashboard shows a flat line rather than no data before the first dead
 * letter. Without a registry ({@link #none()}) every method does nothing.
 *
 * <p>{@link #updateLag} reads the consumer, so call it from the polling thread; the others are
 * thread-safe.
 *
 * @since 0.1.0
 */
public final class ConsumerMeters {

  private static final ConsumerMeters NONE = new ConsumerMeters();

  private final Map<String, Counter> recordsIn = new HashMap<>();
  private final Map<String, Counter> deadLetters = new HashMap<>();
  private final AtomicLong lag = new AtomicLong();
  private final boolean enabled;

  private ConsumerMeters() {
    this.enabled = false;
  }

  private ConsumerMeters(
      MeterRegistry meters, String group, Collection<String> topics, List<String> stages) {
    this.enabled = true;
    for (String topic : topics) {
      recordsIn.put(
          topic,
          Counter.builder("frip.kafka.records.in")
              .description("Records polled from Kafka")
              .tag("topic", topic)
              .register(meters));
      for (String stage : stages) {
        deadLetters.put(
            key(topic, stage),
            Counter.builder("frip.kafka.dlq.records")
                .description("Records sent to {topic}.dlq, by the stage that refused them")
                .tag("topic", topic)
                .tag("stage", stage)
                .register(meters));
      }
    }
    Gauge.builder("frip.kafka.consumer.lag", lag, AtomicLong::get)
        .description("Records behind the end of the assigned partitions")
        .tag("group", group)
        .register(meters);
  }

  /**
   * The meters of a consumer in {@code group} reading {@code topics}, whose dead letters come from
   * {@code stages} (e.g. {@link DeadLetter#STAGE_DESERIALIZE}).
   */
  public static ConsumerMeters of(
      MeterRegistry meters, String group, Collection<String> topics, List<String> stages) {
    return new ConsumerMeters(meters, group, topics, stages);
  }

  /** Meters that record nothing. */
  public static ConsumerMeters none() {
    return NONE;
  }

  /** Counts a record polled from {@code topic}. */
  public void read(String topic) {
    if (enabled) {
      Counter c = recordsIn.get(topic);
      if (c != null) {
        c.increment();
      }
    }
  }

  /** Counts a record of {@code topic} dead-lettered at {@code stage}. */
  public void deadLettered(String topic, String stage) {
    if (enabled) {
      Counter c = deadLetters.get(key(topic, stage));
      if (c != null) {
        c.increment();
      }
    }
  }

  /** Sets the lag gauge to the records behind the end of the consumer's assigned partitions. */
  public void updateLag(Consumer<?, ?> consumer) {
    if (!enabled) {
      return;
    }
    long total = 0;
    for (TopicPartition tp : consumer.assignment()) {
      total += consumer.currentLag(tp).orElse(0);
    }
    lag.set(total);
  }

  private static String key(String topic, String stage) {
    return topic + '\u0000' + stage;
  }
}
