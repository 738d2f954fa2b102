package dev.frip.lakehouse;

import static dev.frip.lakehouse.Events.payment;
import static dev.frip.lakehouse.Events.rec;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.frip.core.Topics;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BronzeBufferTest {

  @TempDir Path dir;

  private static final Instant T = Instant.parse("2026-02-25T10:00:00Z");

  /** A clock the test moves by hand. */
  static final class ManualClock extends Clock {
    Instant now = T;

    @Override
    public ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return now;
    }
  }

  @Test
  void flushesWhenFull() {
    Lakehouse lake = Lakehouse.local(dir);
    BronzeBuffer b =
        lake.bronzeWriter(Topics.PAYMENTS).buffered(3, Duration.ofSeconds(5), new ManualClock());
    assertThat(b.add(rec(payment("a", "u", T, 1), 0, 0))).isEmpty();
    assertThat(b.add(rec(payment("b", "u", T, 1), 0, 1))).isEmpty();
    BronzeCommit c = b.add(rec(payment("c", "u", T, 1), 1, 0)).orElseThrow();
    assertThat(c.written()).isEqualTo(3);
    assertThat(b.size()).isZero();
    assertThat(lake.scan(lake.bronzePath(Topics.PAYMENTS)).count()).isEqualTo(3);
  }

  @Test
  void flushesWhenTheOldestRecordHasWaitedLongEnough() {
    Lakehouse lake = Lakehouse.local(dir);
    ManualClock clock = new ManualClock();
    BronzeBuffer b =
        lake.bronzeWriter(Topics.PAYMENTS).buffered(1000, Duration.ofSeconds(5), clock);
    b.add(rec(payment("a", "u", T, 1), 0, 0));
    clock.now = T.plusSeconds(4);
    b.add(rec(payment("b", "u", T, 1), 0, 1));
    assertThat(b.flushIfDue()).isEmpty();
    clock.now = T.plusSeconds(5);
    assertThat(b.flushIfDue().orElseThrow().offsets()).containsEntry(0, 1L);
    assertThat(b.flushIfDue()).isEmpty();
    assertThat(b.flush()).isEmpty();
  }

  @Test
  void argumentsAreValidated() {
    BronzeTableWriter w = Lakehouse.local(dir).bronzeWriter(Topics.PAYMENTS);
    assertThatThrownBy(() -> w.buffered(0, Duration.ofSeconds(1)))
        .hasMessageContaining("size was 0");
    assertThatThrownBy(() -> w.buffered(10, Duration.ZERO))
        .hasMessageContaining("max age was PT0S");
  }
}
