package dev.frip.lakehouse;

import static dev.frip.lakehouse.Events.payment;
import static dev.frip.lakehouse.Events.rec;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.frip.core.Topics;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TableScanTest {

  @TempDir Path dir;

  private Lakehouse lakeWithFiveDays() {
    Lakehouse lake = Lakehouse.local(dir);
    List<BronzeRecord> batch = new ArrayList<>();
    Instant t = Instant.parse("2026-03-01T08:00:00Z");
    for (int d = 0; d < 5; d++) {
      batch.add(rec(payment("p" + d, "u", t.plusSeconds(86_400L * d), d), 0, d));
    }
    lake.bronzeWriter(Topics.PAYMENTS).write(batch);
    return lake;
  }

  @Test
  void dateRangeAndProjection() {
    Lakehouse lake = lakeWithFiveDays();
    List<Map<String, Object>> rows =
        lake.scan(lake.bronzePath(Topics.PAYMENTS))
            .between(LocalDate.parse("2026-03-02"), LocalDate.parse("2026-03-04"))
            .columns("payment_id", "event_date")
            .rows();
    assertThat(rows)
        .extracting(r -> r.get("payment_id"))
        .containsExactlyInAnyOrder("p1", "p2", "p3");
    assertThat(rows.get(0).keySet()).containsExactly("payment_id", "event_date");
  }

  @Test
  void wholeTableWithAllColumns() {
    Lakehouse lake = lakeWithFiveDays();
    TableScan s = lake.scan(lake.bronzePath(Topics.PAYMENTS));
    assertThat(s.count()).isEqualTo(5);
    assertThat(s.resolvedColumns()).contains("payment_id", "kafka_offset", "event_date");
  }

  @Test
  void missingTableIsEmpty() {
    Lakehouse lake = Lakehouse.local(dir);
    assertThat(lake.scan(lake.silverPath()).rows()).isEmpty();
  }

  @Test
  void argumentsAreValidated() {
    TableScan s = Lakehouse.local(dir).scan(Lakehouse.local(dir).silverPath());
    assertThatThrownBy(
            () -> s.between(LocalDate.parse("2026-03-02"), LocalDate.parse("2026-03-01")))
        .hasMessageContaining("from 2026-03-02 is after to 2026-03-01");
    assertThatThrownBy(s::columns).hasMessageContaining("at least one column");
  }
}
