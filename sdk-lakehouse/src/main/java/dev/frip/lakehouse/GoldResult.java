package dev.frip.lakehouse;

import dev.frip.core.quality.SuiteResult;
import java.time.LocalDate;
import java.util.Map;

/**
 * What one gold run did, per table.
 *
 * @param date the {@code event_date} built
 * @param tables for each gold table, how its partition fared
 * @since 0.1.0
 */
public record GoldResult(LocalDate date, Map<String, Table> tables, Refunds refunds) {

  /** Copies the map. */
  public GoldResult {
    tables = Map.copyOf(tables);
  }

  /**
   * The refund and chargeback events of the date's payments: read = netted + quarantined. A refund
   * is quarantined (in {@code quarantine/refunds}, with the rule it broke) when its amount is not
   * positive, its currency is not its payment's, or it would return more than the payment.
   *
   * @param read distinct refund events of payments of the date
   * @param netted events subtracted in the revenue and counted in the fraud KPIs
   * @param quarantined events refused
   */
  public record Refunds(int read, int netted, int quarantined) {
    /** Whether every event read was netted or quarantined. */
    public boolean reconciles() {
      return read == netted + quarantined;
    }
  }

  /** True when every table's partition was published. */
  public boolean published() {
    return tables.values().stream().allMatch(Table::published);
  }

  /**
   * One gold table's outcome.
   *
   * @param published whether the partition passed its quality gate and was written
   * @param version the table's version after the run
   * @param rows rows published
   * @param quality the expectation suite's result
   */
  public record Table(boolean published, long version, int rows, SuiteResult quality) {}
}
