package dev.frip.core;

import dev.frip.core.events.Alert;
import dev.frip.core.events.DeviceEvent;
import dev.frip.core.events.FraudScore;
import dev.frip.core.events.GeoEvent;
import dev.frip.core.events.OrderEvent;
import dev.frip.core.events.PaymentEvent;
import dev.frip.core.events.RefundEvent;
import dev.frip.core.events.UserEvent;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The platform's topics, defined once: the six seed topics with the seed's retention, the two
 * output topics, and a dead-letter topic per seed and output topic.
 *
 * <pre>{@code
 * TopicReport report = admin.ensure(Topics.ALL);   // a TopicAdmin of sdk-kafka
 * Schema s = Topics.PAYMENTS.valueSchema();
 * }</pre>
 *
 * @since 0.1.0
 */
public final class Topics {

  /** Partitions of every FRIP topic (the seed's value). */
  public static final int PARTITIONS = 6;

  public static final TopicSpec ORDERS = input("orders", 7, OrderEvent.getClassSchema());
  public static final TopicSpec PAYMENTS = input("payments", 7, PaymentEvent.getClassSchema());
  public static final TopicSpec USERS = input("users", 14, UserEvent.getClassSchema());
  public static final TopicSpec DEVICES = input("devices", 7, DeviceEvent.getClassSchema());
  public static final TopicSpec GEO_EVENTS = input("geo_events", 3, GeoEvent.getClassSchema());
  public static final TopicSpec REFUNDS = input("refunds", 30, RefundEvent.getClassSchema());

  public static final TopicSpec FRAUD_SCORES =
      new TopicSpec(
          "fraud_scores",
          PARTITIONS,
          Duration.ofDays(7),
          TopicSpec.CleanupPolicy.DELETE,
          FraudScore.getClassSchema(),
          TopicSpec.Kind.OUTPUT);
  public static final TopicSpec ALERTS =
      new TopicSpec(
          "alerts",
          PARTITIONS,
          Duration.ofDays(30),
          TopicSpec.CleanupPolicy.DELETE,
          Alert.getClassSchema(),
          TopicSpec.Kind.OUTPUT);

  /** The six seed topics, in the seed's order. */
  public static final List<TopicSpec> SEED =
      List.of(ORDERS, PAYMENTS, USERS, DEVICES, GEO_EVENTS, REFUNDS);

  /** The topics FRIP produces. */
  public static final List<TopicSpec> OUTPUTS = List.of(FRAUD_SCORES, ALERTS);

  /** Dead-letter topics, one per seed and output topic, kept 30 days so nothing bad is lost. */
  public static final List<TopicSpec> DEAD_LETTERS;

  /** Every topic above: seed, outputs, dead letters. */
  public static final List<TopicSpec> ALL;

  private static final Map<String, TopicSpec> BY_NAME;

  static {
    List<TopicSpec> dlqs = new ArrayList<>();
    for (TopicSpec t : concat(SEED, OUTPUTS)) {
      dlqs.add(deadLetterOf(t));
    }
    DEAD_LETTERS = Collections.unmodifiableList(dlqs);
    ALL = concat(concat(SEED, OUTPUTS), DEAD_LETTERS);
    Map<String, TopicSpec> byName = new LinkedHashMap<>();
    for (TopicSpec t : ALL) {
      byName.put(t.name(), t);
    }
    BY_NAME = Collections.unmodifiableMap(byName);
  }

  private Topics() {}

  /** The spec of the topic with this name, if FRIP defines one. */
  public static Optional<TopicSpec> byName(String name) {
    return Optional.ofNullable(BY_NAME.get(name));
  }

  /**
   * The spec of a seed or output topic by name.
   *
   * @throws IllegalArgumentException naming the allowed topics when there is none
   */
  public static TopicSpec require(String name) {
    TopicSpec t = BY_NAME.get(name);
    if (t == null) {
      throw new IllegalArgumentException(
          "unknown topic '" + name + "'; FRIP topics are " + BY_NAME.keySet());
    }
    return t;
  }

  /** The dead-letter spec of a topic: same partitions, raw bytes, 30 days. */
  public static TopicSpec deadLetterOf(TopicSpec topic) {
    return new TopicSpec(
        topic.deadLetterTopic(),
        topic.partitions(),
        Duration.ofDays(30),
        TopicSpec.CleanupPolicy.DELETE,
        null,
        TopicSpec.Kind.DEAD_LETTER);
  }

  private static TopicSpec input(String name, int retentionDays, org.apache.avro.Schema schema) {
    return new TopicSpec(
        name,
        PARTITIONS,
        Duration.ofDays(retentionDays),
        TopicSpec.CleanupPolicy.DELETE,
        schema,
        TopicSpec.Kind.INPUT);
  }

  private static List<TopicSpec> concat(List<TopicSpec> a, List<TopicSpec> b) {
    List<TopicSpec> out = new ArrayList<>(a);
    out.addAll(b);
    return Collections.unmodifiableList(out);
  }
}
