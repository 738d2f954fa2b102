package dev.frip.core.quality;

import java.util.List;

/** Base of the built-in expectations. */
abstract class BaseRule implements Expectation {

  /** The rows one task of a row-level rule checks; a smaller row set is checked on one thread. */
  static final int ROWS_PER_TASK = 1 << 16;

  private final String name;

  BaseRule(String name) {
    this.name = name;
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public Severity severity() {
    return Severity.BLOCK;
  }

  /** Row-level: failed rows (empty means passed); dataset-level: null means failed. */
  ExpectationResult result(List<Integer> failedRows, String observed) {
    boolean passed = failedRows != null && failedRows.isEmpty();
    return new ExpectationResult(
        name, severity(), passed, failedRows == null ? List.of() : failedRows, observed);
  }

  @Override
  public String toString() {
    return name;
  }
}
