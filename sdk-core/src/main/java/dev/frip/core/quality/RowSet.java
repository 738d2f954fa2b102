package dev.frip.core.quality;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Rows an expectation suite checks: named columns and positional values, the shape a lakehouse
 * partition has before it is published. Values are plain Java objects ({@code String}, boxed
 * numbers, {@code Boolean}, {@code java.time.Instant}, {@code java.time.LocalDate}).
 *
 * <pre>{@code
 * RowSet rows = RowSet.of(List.of("event_id", "amount"), listOfObjectArrays);
 * }</pre>
 *
 * @since 0.1.0
 */
public final class RowSet {

  private final List<String> columns;
  private final List<Object[]> rows;
  private final Map<String, Integer> index = new HashMap<>();

  private RowSet(List<String> columns, List<Object[]> rows) {
    this.columns = List.copyOf(columns);
    this.rows = rows;
    for (int i = 0; i < this.columns.size(); i++) {
      index.put(this.columns.get(i), i);
    }
  }

  /** Wraps rows (not copied) whose values are in {@code columns} order. */
  public static RowSet of(List<String> columns, List<Object[]> rows) {
    Objects.requireNonNull(columns, "columns");
    Objects.requireNonNull(rows, "rows");
    return new RowSet(columns, rows);
  }

  /** Column names. */
  public List<String> columns() {
    return columns;
  }

  /** Number of rows. */
  public int size() {
    return rows.size();
  }

  /** One row's values. */
  public Object[] row(int i) {
    return rows.get(i);
  }

  /**
   * Position of a column.
   *
   * @throws IllegalArgumentException naming the column and the ones available
   */
  public int indexOf(String column) {
    Integer i = index.get(column);
    if (i == null) {
      throw new IllegalArgumentException(
          "column " + column + " is not in the rows; columns are " + columns);
    }
    return i;
  }

  /** A value by row and column name. */
  public Object value(int row, String column) {
    return rows.get(row)[indexOf(column)];
  }
}
