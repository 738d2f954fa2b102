package dev.frip.core.quality;

import dev.frip.core.internal.JsonStrings;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The outcome of an {@link ExpectationSuite} run: whether the dataset may be published, which rows
 * broke which rule, and a machine-readable JSON form.
 *
 * @param suite the suite's name
 * @param runAt when the suite ran
 * @param rowCount rows checked
 * @param results one result per expectation, in suite order
 * @since 0.1.0
 */
public record SuiteResult(
    String suite, Instant runAt, int rowCount, List<ExpectationResult> results) {

  /** Copies the results. */
  public SuiteResult {
    results = List.copyOf(results);
  }

  /** True when every expectation held. */
  public boolean passed() {
    return results.stream().allMatch(ExpectationResult::passed);
  }

  /** True when no {@link Severity#BLOCK} expectation failed. */
  public boolean publishable() {
    return results.stream().allMatch(r -> r.passed() || r.severity() != Severity.BLOCK);
  }

  /** The failed expectations. */
  public List<ExpectationResult> failures() {
    return results.stream().filter(r -> !r.passed()).toList();
  }

  /** For each offending row index, the rules it broke (rows in index order). */
  public Map<Integer, List<String>> offendingRows() {
    Map<Integer, List<String>> out = new TreeMap<>();
    for (ExpectationResult r : results) {
      for (int i : r.failedRows()) {
        out.computeIfAbsent(i, k -> new ArrayList<>()).add(r.rule());
      }
    }
    return out;
  }

  /**
   * The result as one JSON object: suite, run time, row count, passed, publishable, and per
   * expectation its rule, severity, passed, observation, failed row count and up to 20 row indexes.
   */
  public String toJson() {
    StringBuilder sb = new StringBuilder(256);
    sb.append("{\"suite\": ");
    str(suite, sb);
    sb.append(", \"run_at\": ");
    str(runAt.toString(), sb);
    sb.append(", \"row_count\": ").append(rowCount);
    sb.append(", \"passed\": ").append(passed());
    sb.append(", \"publishable\": ").append(publishable());
    sb.append(", \"expectations\": [");
    for (int i = 0; i < results.size(); i++) {
      ExpectationResult r = results.get(i);
      if (i > 0) {
        sb.append(", ");
      }
      sb.append("{\"rule\": ");
      str(r.rule(), sb);
      sb.append(", \"severity\": ");
      str(r.severity().name(), sb);
      sb.append(", \"passed\": ").append(r.passed());
      sb.append(", \"observed\": ");
      str(r.observed(), sb);
      sb.append(", \"failed_rows\": ").append(r.failedRows().size());
      sb.append(", \"sample_rows\": [");
      List<Integer> sample = r.failedRows().subList(0, Math.min(20, r.failedRows().size()));
      for (int j = 0; j < sample.size(); j++) {
        if (j > 0) {
          sb.append(", ");
        }
        sb.append(sample.get(j));
      }
      sb.append("]}");
    }
    sb.append("]}");
    return sb.toString();
  }

  /** Appends a JSON string literal. */
  static void str(String s, StringBuilder sb) {
    if (s == null) {
      sb.append("null");
      return;
    }
    JsonStrings.append(s, sb);
  }
}
