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

  @Test
  void localHoursMatchTheZoneRulesAcrossTransitionsInAnyOrder() {
    SilverTransform.LocalHours hours = new SilverTransform.LocalHours();
    java.util.Random random = new java.util.Random(7);
    long start = java.time.Instant.parse("2026-03-28T00:00:00Z").getEpochSecond() * 1_000_000L;
    String[] countries = {"FR", "FR", "FR", "US", "BR", "JP", "XX", null};
    for (int i = 0; i < 20_000; i++) {
      // Mostly forward in time through the spring transitions, sometimes back, any country.
      long micros =
          i % 10 == 9
              ? start + random.nextLong(0, 3L * 86_400_000_000L)
              : start + i * 13_000_000L + random.nextInt(1_000_000);
      String country = countries[random.nextInt(countries.length)];
      long seconds = Math.floorDiv(micros, 1_000_000L);
      java.time.Instant at = java.time.Instant.ofEpochSecond(seconds, micros % 1_000_000 * 1000);
      int offset = ReferenceData.zoneOf(country).getRules().getOffset(at).getTotalSeconds();
      int want = (int) Math.floorMod(Math.floorDiv(seconds + offset, 3600L), 24L);
      assertThat(hours.of(micros, country)).as("%s at %s", country, at).isEqualTo(want);
    }
    // Exactly at Paris's spring transition (01:00 UTC): the new offset.
    long transition = java.time.Instant.parse("2026-03-29T01:00:00Z").getEpochSecond();
    assertThat(hours.of((transition - 1) * 1_000_000L, "FR")).isEqualTo(1);
    assertThat(hours.of(transition * 1_000_000L, "FR")).isEqualTo(3);
  }
}
