package dev.frip.core.quality;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Rows an expectation suite checks: named columns and positional values, the shape a lakehouse
 * partition has before it is published. Values are plain Java objects ({@code String}, boxed
 * numbers, {@code Boolean}, {@code java.time.Instant}, {@code java.time.LocalDate}). The rows are
 * either a list of arrays or, for data held column by column, a {@link Cells} function, so a large
 * partition is checked without building a row object per row. Expectations may read a large row set
 * from several threads at once, so reading values must not change shared state.
 *
 * <pre>{@code
 * RowSet rows = RowSet.of(List.of("event_id", "amount"), listOfObjectArrays);
 * RowSet cols = RowSet.of(List.of("event_id", "amount"), size, (row, col) -> table[col][row]);
 * }</pre>
 *
 * @since 0.1.0
 */
public final class RowSet {

  /**
   * One value by row and column position.
   *
   * @since 0.1.0
   */
  @FunctionalInterface
  public interface Cells {
    /** The value at {@code row}, {@code column} (positions in the row set's column order). */
    Object value(int row, int column);
  }

  private final List<String> columns;
  private final int size;
  private final Cells cells;
  private final Map<String, Integer> index = new HashMap<>();

  private RowSet(List<String> columns, int size, Cells cells) {
    this.columns = List.copyOf(columns);
    this.size = size;
    this.cells = cells;
    for (int i = 0; i < this.columns.size(); i++) {
      index.put(this.columns.get(i), i);
    }
  }

  /** Wraps rows (not copied) whose values are in {@code columns} order. */
  public static RowSet of(List<String> columns, List<Object[]> rows) {
    Objects.requireNonNull(columns, "columns");
    Objects.requireNonNull(rows, "rows");
    return new RowSet(columns, rows.size(), (r, c) -> rows.get(r)[c]);
  }

  /**
   * Wraps {@code size} rows held elsewhere (e.g. column by column) whose values {@code cells}
   * returns by position.
   */
  public static RowSet of(List<String> columns, int size, Cells cells) {
    Objects.requireNonNull(columns, "columns");
    Objects.requireNonNull(cells, "cells");
    if (size < 0) {
      throw new IllegalArgumentException("size was " + size + ", must be >= 0");
    }
    return new RowSet(columns, size, cells);
  }

  /** Column names. */
  public List<String> columns() {
    return columns;
  }

  /** Number of rows. */
  public int size() {
    return size;
  }

  /** One row's values (a new array when the rows are held column by column). */
  public Object[] row(int i) {
    Objects.checkIndex(i, size);
    Object[] r = new Object[columns.size()];
    for (int c = 0; c < r.length; c++) {
      r[c] = cells.value(i, c);
    }
    return r;
  }

  /** A value by row and column position. */
  public Object value(int row, int column) {
    Objects.checkIndex(row, size);
    Objects.checkIndex(column, columns.size());
    return cells.value(row, column);
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
    return value(row, indexOf(column));
  }
}
