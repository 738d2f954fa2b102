package dev.frip.lakehouse;

import java.time.Duration;
import java.time.LocalDate;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What one {@link AnalyticsPublisher#publish} did, per table.
 *
 * @param date the {@code event_date} published
 * @param tables for each table, in publishing order, its counts
 * @param elapsed wall time of reading gold and writing PostgreSQL
 * @since 0.1.0
 */
public record PublishResult(LocalDate date, Map<String, Table> tables, Duration elapsed) {

  /** Copies the map, keeping its order. */
  public PublishResult {
    tables = Collections.unmodifiableMap(new LinkedHashMap<>(tables));
  }

  /** Rows written to PostgreSQL, all tables. */
  public long rows() {
    return tables.values().stream().mapToLong(Table::rowsWritten).sum();
  }

  /**
   * One table's counts.
   *
   * @param rowsRead rows of the date read from the gold table
   * @param rowsWritten rows of the date in PostgreSQL after the write (equal to {@code rowsRead})
   * @param rowsReplaced rows of the date deleted first (from an earlier publish)
   * @param created whether the PostgreSQL table was created by this publish
   */
  public record Table(long rowsRead, long rowsWritten, long rowsReplaced, boolean created) {}
}
