package dev.frip.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.NoSuchElementException;
import org.junit.jupiter.api.Test;

class WorldGeneratorDeterminismTest {

  private static GeneratorConfig platform(long seed) {
    return GeneratorConfig.builder()
        .seed(seed)
        .days(4)
        .users(400)
        .merchants(40)
        .terminals(80)
        .fraudRate(0.05)
        .build();
  }

  private static GeneratorConfig handbook(long seed) {
    return GeneratorConfig.builder()
        .profile(Profile.HANDBOOK)
        .seed(seed)
        .days(30)
        .users(300)
        .terminals(600)
        .build();
  }

  private static List<GeneratedEvent> all(GeneratorConfig config) {
    List<GeneratedEvent> out = new ArrayList<>();
    try (EventStream s = WorldGenerator.create(config).stream()) {
      s.forEachRemaining(out::add);
    }
    return out;
  }

  @Test
  void sameSeedGivesTheIdenticalPlatformSequenceIdsIncluded() {
    List<GeneratedEvent> a = all(platform(42));
    List<GeneratedEvent> b = all(platform(42));
    assertThat(a).hasSizeGreaterThan(5_000);
    // Avro records compare every field, event_id (UUID) and the generated ids among them.
    assertThat(b).isEqualTo(a);
  }

  @Test
  void sameSeedGivesTheIdenticalHandbookSequence() {
    List<GeneratedEvent> a = all(handbook(7));
    assertThat(a).hasSizeGreaterThan(10_000);
    assertThat(all(handbook(7))).isEqualTo(a);
  }

  @Test
  void twoStreamsOfOneGeneratorAreIdentical() {
    WorldGenerator g = WorldGenerator.create(platform(1));
    List<GeneratedEvent> a = new ArrayList<>();
    List<GeneratedEvent> b = new ArrayList<>();
    try (EventStream s = g.stream()) {
      s.forEachRemaining(a::add);
    }
    try (EventStream s = g.stream()) {
      s.forEachRemaining(b::add);
    }
    assertThat(b).isEqualTo(a);
    assertThat(g.config()).isSameAs(g.config());
  }

  @Test
  void differentSeedsGiveDifferentWorlds() {
    assertThat(all(platform(1)).subList(0, 1000)).isNotEqualTo(all(platform(2)).subList(0, 1000));
    assertThat(all(handbook(1)).subList(0, 1000)).isNotEqualTo(all(handbook(2)).subList(0, 1000));
  }

  @Test
  void eventIdsAreUniqueVersion4Uuids() {
    List<GeneratedEvent> events = all(platform(9));
    java.util.Set<java.util.UUID> ids = new java.util.HashSet<>();
    for (GeneratedEvent e : events) {
      java.util.UUID id = (java.util.UUID) e.value().get(0);
      assertThat(id.version()).isEqualTo(4);
      assertThat(ids.add(id)).isTrue();
    }
  }

  @Test
  void summaryIsRefusedUntilTheStreamIsExhausted() {
    try (EventStream s = WorldGenerator.create(platform(3)).stream()) {
      s.next();
      assertThatThrownBy(s::summary)
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("exhausted");
      s.forEachRemaining(e -> {});
      assertThat(s.summary().payments()).isPositive();
      assertThatThrownBy(s::next).isInstanceOf(NoSuchElementException.class);
    }
  }

  @Test
  void aClosedStreamHasNoMoreEvents() {
    EventStream s = WorldGenerator.create(platform(3)).stream();
    assertThat(s.hasNext()).isTrue();
    s.close();
    assertThat(s.hasNext()).isFalse();
  }
}
