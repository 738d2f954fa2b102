package dev.frip.lakehouse.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

class SilverTransformTest {

  private static final LocalDate D = LocalDate.parse("2026-03-02");

  private final SilverTransform transform =
      new SilverTransform("EUR", Map.of("EUR", 1.0), Duration.ofDays(7), 180);

  @Test
  void readsEveryReferenceTableOnceInJoinOrder() {
    List<String> reads = new CopyOnWriteArrayList<>();
    SilverTransform.Output out =
        transform.run(
            (topic, from, to, columns) -> {
              reads.add(topic);
              return Columns.empty(columns, 0);
            },
            D);
    assertThat(reads)
        .containsExactly("payments", "orders", "users", "devices", "geo_events", "refunds");
    assertThat(out.rows().size()).isZero();
    assertThat(out.bronzeEventIds()).isEmpty();
  }

  @Test
  void aFailedReferenceReadFailsTheRunWithItsOwnException() {
    assertThatThrownBy(
            () ->
                transform.run(
                    (topic, from, to, columns) -> {
                      if (topic.equals("devices")) {
                        throw new IllegalStateException("bronze/devices: file missing");
                      }
                      return Columns.empty(columns, 0);
                    },
                    D))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("bronze/devices: file missing");
  }
}
