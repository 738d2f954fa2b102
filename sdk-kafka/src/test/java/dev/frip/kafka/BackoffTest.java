package dev.frip.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class BackoffTest {

  @Test
  void pausesDoubleUpToTheMaximumAndStartOverAfterASuccess() {
    Backoff b = new Backoff(Duration.ofMillis(1), Duration.ofMillis(5));
    assertThat(b.nextMillis()).isEqualTo(1);
    b.pause(() -> false);
    assertThat(b.nextMillis()).isEqualTo(2);
    b.pause(() -> false);
    assertThat(b.nextMillis()).isEqualTo(4);
    b.pause(() -> false);
    assertThat(b.nextMillis()).isEqualTo(5);
    b.reset();
    assertThat(b.nextMillis()).isEqualTo(1);
  }

  @Test
  void aStoppedLoopDoesNotWait() {
    Backoff b = new Backoff(Duration.ofHours(1), Duration.ofHours(2));
    b.pause(() -> true); // returns at once, or this test would not end
    assertThat(b.nextMillis()).isEqualTo(Duration.ofHours(2).toMillis());
  }

  @Test
  void boundsMustBeOrderedAndPositive() {
    assertThatThrownBy(() -> new Backoff(Duration.ZERO, Duration.ofSeconds(1)))
        .hasMessageContaining("0 < min <= max");
    assertThatThrownBy(() -> new Backoff(Duration.ofSeconds(2), Duration.ofSeconds(1)))
        .hasMessageContaining("min PT2S, max PT1S");
  }
}
