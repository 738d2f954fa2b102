package dev.frip.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The topic catalogue matches the seed (names, partitions, retention) and its naming rules. */
class SeedTopicsTest {

  @Test
  void seedTopicsKeepTheSeedRetention() {
    assertThat(Topics.SEED)
        .extracting(TopicSpec::name)
        .containsExactly("orders", "payments", "users", "devices", "geo_events", "refunds");
    assertThat(Topics.SEED)
        .extracting(t -> t.retention().toDays())
        .containsExactly(7L, 7L, 14L, 7L, 3L, 30L);
    assertThat(Topics.ALL).allMatch(t -> t.partitions() == Topics.PARTITIONS);
    assertThat(Topics.PAYMENTS.retentionMs()).isEqualTo(Duration.ofDays(7).toMillis());
    assertThat(Topics.PAYMENTS.cleanupPolicy().configValue()).isEqualTo("delete");
  }

  @Test
  void everySeedAndOutputTopicHasADeadLetterTopic() {
    assertThat(Topics.DEAD_LETTERS).hasSize(8);
    assertThat(Topics.byName("payments.dlq"))
        .get()
        .extracting(TopicSpec::kind)
        .isEqualTo(TopicSpec.Kind.DEAD_LETTER);
    assertThat(Topics.require("alerts").kind()).isEqualTo(TopicSpec.Kind.OUTPUT);
    assertThat(Topics.FRAUD_SCORES.valueSubject()).isEqualTo("fraud_scores-value");
    assertThat(Topics.FRAUD_SCORES.keySubject()).isEqualTo("fraud_scores-key");
  }

  @Test
  void invalidSpecsAndUnknownNamesAreRefused() {
    assertThatThrownBy(() -> Topics.require("nope")).hasMessageContaining("unknown topic 'nope'");
    assertThatThrownBy(
            () ->
                new TopicSpec(
                    "bad name",
                    1,
                    Duration.ofDays(1),
                    TopicSpec.CleanupPolicy.COMPACT,
                    null,
                    TopicSpec.Kind.INTERNAL))
        .hasMessageContaining("not a legal Kafka topic name");
    assertThatThrownBy(
            () ->
                new TopicSpec(
                    "t",
                    0,
                    Duration.ofDays(1),
                    TopicSpec.CleanupPolicy.DELETE,
                    null,
                    TopicSpec.Kind.INTERNAL))
        .hasMessageContaining("partitions was 0");
    assertThatThrownBy(
            () ->
                new TopicSpec(
                    "t",
                    1,
                    Duration.ZERO,
                    TopicSpec.CleanupPolicy.DELETE,
                    null,
                    TopicSpec.Kind.INTERNAL))
        .hasMessageContaining("must be positive");
  }
}
