package dev.frip.core.quality;

import java.util.List;

/**
 * The outcome of one expectation on one {@link RowSet}.
 *
 * @param rule the expectation's name, e.g. {@code not_null(payment_id)}
 * @param severity what a failure does
 * @param passed whether the expectation held
 * @param failedRows row indexes that broke a row-level rule (empty for dataset-level rules)
 * @param observed what was seen, e.g. {@code "3 nulls"} or {@code "max event_time 2026-02-25T.."}
 * @since 0.1.0
 */
public record ExpectationResult(
    String rule, Severity severity, boolean passed, List<Integer> failedRows, String observed) {

  /** Copies the row indexes. */
  public ExpectationResult {
    failedRows = List.copyOf(failedRows);
  }
}
