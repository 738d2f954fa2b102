package dev.frip.lakehouse;

import java.util.List;

/**
 * A write was refused because its schema does not match the existing Delta table. Nothing was
 * written; the table is unchanged. The message names the table and every differing column.
 *
 * @since 0.1.0
 */
public final class SchemaMismatchException extends IllegalStateException {

  private final String tablePath;
  private final List<String> differences;

  /** Creates the exception for a table and its column differences. */
  public SchemaMismatchException(String tablePath, List<String> differences) {
    super(
        "refusing to write to Delta table "
            + tablePath
            + ": its schema differs from the writer's: "
            + String.join("; ", differences)
            + ". Nothing was written. Migrate the table or write to a new location.");
    this.tablePath = tablePath;
    this.differences = List.copyOf(differences);
  }

  /** The table that was not written. */
  public String tablePath() {
    return tablePath;
  }

  /** One line per differing column, e.g. {@code "column amount: table has long, write has int"}. */
  public List<String> differences() {
    return differences;
  }
}
