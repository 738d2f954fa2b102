package dev.frip.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Map;
import org.apache.avro.Schema;
import org.junit.jupiter.api.Test;

class TopicsTest {

  @Test
  void seedTopicsHaveTheSeedsPartitionsAndRetention() {
    Map<String, Integer> retentionDays =
        Map.of(
            "orders", 7, "payments", 7, "users", 14, "devices", 7, "geo_events", 3, "refunds", 30);
    assertThat(Topics.SEED)
        .extracting(TopicSpec::name)
        .containsExactlyElementsOf(
            java.util.List.of("orders", "payments", "users", "devices", "geo_events", "refunds"));
    for (TopicSpec t : Topics.SEED) {
      assertThat(t.partitions()).as(t.name()).isEqualTo(6);
      assertThat(t.retention())
          .as(t.name())
          .isEqualTo(Duration.ofDays(retentionDays.get(t.name())));
      assertThat(t.cleanupPolicy()).isEqualTo(TopicSpec.CleanupPolicy.DELETE);
      assertThat(t.kind()).isEqualTo(TopicSpec.Kind.INPUT);
    }
    assertThat(Topics.PAYMENTS.retentionMs()).isEqualTo(604_800_000L);
    assertThat(Topics.REFUNDS.retentionMs()).isEqualTo(2_592_000_000L);
  }

  @Test
  void everySeedAndOutputTopicIsKeyedByUserIdAndHasADeadLetterTopic() {
    for (TopicSpec t : Topics.ALL) {
      if (t.kind() == TopicSpec.Kind.DEAD_LETTER) {
        assertThat(t.valueSchema()).as(t.name()).isNull();
        continue;
      }
      Schema s = t.valueSchema();
      assertThat(s.getField(TopicSpec.KEY_FIELD)).as(t.name() + " has user_id").isNotNull();
      assertThat(Topics.byName(t.deadLetterTopic())).as(t.name() + " dlq").isPresent();
    }
    assertThat(Topics.DEAD_LETTERS).hasSize(8);
    assertThat(Topics.ALL).hasSize(16);
  }

  @Test
  void subjectsFollowTopicNameStrategy() {
    assertThat(Topics.PAYMENTS.valueSubject()).isEqualTo("payments-value");
    assertThat(Topics.PAYMENTS.keySubject()).isEqualTo("payments-key");
    assertThat(Topics.GEO_EVENTS.deadLetterTopic()).isEqualTo("geo_events.dlq");
  }

  @Test
  void eventsCarryTheJoinKeysAndMoneyAsMinorUnits() {
    Schema payment = Topics.PAYMENTS.valueSchema();
    for (String key :
        new String[] {
          "event_id",
          "event_time",
          "user_id",
          "order_id",
          "payment_id",
          "device_id",
          "merchant_id",
          "terminal_id",
          "ip",
          "lat",
          "lon",
          "country",
          "amount_minor",
          "currency"
        }) {
      assertThat(payment.getField(key)).as("payments." + key).isNotNull();
    }
    assertThat(payment.getField("amount_minor").schema().getType()).isEqualTo(Schema.Type.LONG);
  }

  @Test
  void lookupsNameTheAllowedTopics() {
    assertThat(Topics.require("payments")).isSameAs(Topics.PAYMENTS);
    assertThat(Topics.byName("nope")).isEmpty();
    assertThatThrownBy(() -> Topics.require("nope"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("unknown topic 'nope'")
        .hasMessageContaining("payments");
  }

  @Test
  void invalidSpecsFailAtConstruction() {
    Schema s = Topics.PAYMENTS.valueSchema();
    assertThatThrownBy(
            () ->
                new TopicSpec(
                    "bad topic",
                    6,
                    Duration.ofDays(1),
                    TopicSpec.CleanupPolicy.DELETE,
                    s,
                    TopicSpec.Kind.INPUT))
        .hasMessageContaining("not a legal Kafka topic name");
    assertThatThrownBy(
            () ->
                new TopicSpec(
                    "t",
                    0,
                    Duration.ofDays(1),
                    TopicSpec.CleanupPolicy.DELETE,
                    s,
                    TopicSpec.Kind.INPUT))
        .hasMessageContaining("partitions was 0");
    assertThatThrownBy(
            () ->
                new TopicSpec(
                    "t", 1, Duration.ZERO, TopicSpec.CleanupPolicy.DELETE, s, TopicSpec.Kind.INPUT))
        .hasMessageContaining("retention");
    assertThat(TopicSpec.CleanupPolicy.COMPACT.configValue()).isEqualTo("compact");
  }
}
