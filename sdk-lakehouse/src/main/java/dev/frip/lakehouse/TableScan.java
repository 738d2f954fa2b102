package dev.frip.lakehouse;

import dev.frip.lakehouse.internal.DeltaTable;
import io.delta.kernel.expressions.Predicate;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * Reads a FRIP Delta table for training and analytics: a date range of {@code event_date}
 * partitions (pruned from the Delta log, other partitions' files are never opened) and only the
 * columns asked for. Values come back as Java types: {@code String}, {@code Long}, {@code Integer},
 * {@code Double}, {@code Float}, {@code Boolean}, {@link java.time.Instant} for timestamps and
 * {@link LocalDate} for dates.
 *
 * <pre>{@code
 * List<Map<String, Object>> rows = lake.scan(lake.silverPath())
 *     .between(LocalDate.parse("2026-02-01"), LocalDate.parse("2026-02-07"))
 *     .columns("payment_id", "amount_reporting", "is_fraud")
 *     .rows();
 * }</pre>
 *
 * <p>A table that does not exist yet reads as empty.
 *
 * @since 0.1.0
 */
public final class TableScan {

  private final DeltaTable table;
  private LocalDate from;
  private LocalDate to;
  private List<String> columns;

  TableScan(Lakehouse lake, String tablePath) {
    this.table =
        DeltaTable.forReading(lake.engine(), Objects.requireNonNull(tablePath, "tablePath"));
  }

  /** Only partitions with {@code from <= event_date <= to}. */
  public TableScan between(LocalDate from, LocalDate to) {
    Objects.requireNonNull(from, "from");
    Objects.requireNonNull(to, "to");
    if (to.isBefore(from)) {
      throw new IllegalArgumentException(
          "date range is empty: from " + from + " is after to " + to);
    }
    this.from = from;
    this.to = to;
    return this;
  }

  /** Only one {@code event_date} partition. */
  public TableScan on(LocalDate date) {
    return between(date, date);
  }

  /** Only these columns, in this order; by default all of the table's columns. */
  public TableScan columns(String... names) {
    if (names.length == 0) {
      throw new IllegalArgumentException("give at least one column, or do not call columns()");
    }
    this.columns = List.copyOf(Arrays.asList(names));
    return this;
  }

  /** Passes each row, as values in column order, to {@code sink}: a new array per row. */
  public void forEach(Consumer<Object[]> sink) {
    List<String> cols = resolvedColumns();
    if (cols.isEmpty()) {
      return;
    }
    table.scan(predicate(), cols, sink);
  }

  /** All matching rows as maps from column name to value (column order kept). */
  public List<Map<String, Object>> rows() {
    List<String> cols = resolvedColumns();
    List<Map<String, Object>> out = new ArrayList<>();
    forEach(
        r -> {
          Map<String, Object> m = new LinkedHashMap<>(cols.size() * 2);
          for (int i = 0; i < cols.size(); i++) {
            m.put(cols.get(i), r[i]);
          }
          out.add(m);
        });
    return out;
  }

  /** Number of matching rows. */
  public long count() {
    long[] n = {0};
    forEach(r -> n[0]++);
    return n[0];
  }

  /** The columns this scan returns. */
  public List<String> resolvedColumns() {
    return columns != null ? columns : Collections.unmodifiableList(table.columns());
  }

  private Predicate predicate() {
    return from == null ? null : DeltaTable.dateBetween(Lakehouse.EVENT_DATE, from, to);
  }
}
