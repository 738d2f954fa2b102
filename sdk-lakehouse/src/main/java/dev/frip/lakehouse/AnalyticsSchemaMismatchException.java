package dev.frip.lakehouse;

import java.util.List;

/**
 * A publish was refused because an analytics table in PostgreSQL does not have the gold table's
 * columns and types. Nothing was written and the table was not altered. The message names the table
 * and every differing column.
 *
 * @since 0.1.0
 */
public final class AnalyticsSchemaMismatchException extends IllegalStateException {

  private final String table;
  private final List<String> differences;

  /** Creates the exception for a table and its column differences. */
  public AnalyticsSchemaMismatchException(String table, List<String> differences) {
    super(
        "refusing to publish to PostgreSQL table "
            + table
            + ": its columns differ from the gold schema: "
            + String.join("; ", differences)
            + ". Nothing was written. Migrate the table (or drop it to have it re-created).");
    this.table = table;
    this.differences = List.copyOf(differences);
  }

  /** The PostgreSQL table that was not written. */
  public String table() {
    return table;
  }

  /** One line per differing column, e.g. {@code "column gmv_minor: PostgreSQL has text, ..."}. */
  public List<String> differences() {
    return differences;
  }
}
