package dev.frip.core.quality;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.OptionalDouble;
import java.util.Set;

/**
 * A named set of {@link Expectation}s for one dataset, run together before publication.
 *
 * <pre>{@code
 * SuiteResult r = ExpectationSuite.named("enriched_transactions")
 *     .expect(Expectation.unique("event_id"))
 *     .build()
 *     .run(rows, Instant.now());
 * if (!r.publishable()) { ... quarantine r.failures(), write r.toJson() ... }
 * }</pre>
 *
 * @since 0.1.0
 */
public final class ExpectationSuite {

  private final String name;
  private final List<Expectation> expectations;
  private final double maxQuarantinedFraction; // NaN: no limit

  private ExpectationSuite(
      String name, List<Expectation> expectations, double maxQuarantinedFraction) {
    this.name = name;
    this.expectations = List.copyOf(expectations);
    this.maxQuarantinedFraction = maxQuarantinedFraction;
  }

  /** A builder for a suite named after its dataset. */
  public static Builder named(String name) {
    Objects.requireNonNull(name, "suite name");
    if (name.isBlank()) {
      throw new IllegalArgumentException("suite name was blank");
    }
    return new Builder(name);
  }

  /** The suite's name. */
  public String name() {
    return name;
  }

  /** The expectations, in the order they run. */
  public List<Expectation> expectations() {
    return expectations;
  }

  /**
   * The most rows, as a fraction of those checked, that may break {@link Severity#QUARANTINE} rules
   * before the suite blocks publication; empty when there is no limit.
   */
  public OptionalDouble maxQuarantinedFraction() {
    return Double.isNaN(maxQuarantinedFraction)
        ? OptionalDouble.empty()
        : OptionalDouble.of(maxQuarantinedFraction);
  }

  /**
   * Runs every expectation on the rows; {@code runAt} is recorded in the result. With a {@linkplain
   * Builder#maxQuarantinedFraction limit}, the result ends with one more, {@link Severity#BLOCK},
   * result named {@code max_quarantined_fraction(LIMIT)} whose observation counts the rows that
   * broke a quarantine rule.
   */
  public SuiteResult run(RowSet rows, Instant runAt) {
    Objects.requireNonNull(rows, "rows");
    Objects.requireNonNull(runAt, "runAt");
    List<ExpectationResult> results = new ArrayList<>(expectations.size() + 1);
    for (Expectation e : expectations) {
      results.add(e.check(rows));
    }
    if (!Double.isNaN(maxQuarantinedFraction)) {
      results.add(quarantinedFraction(results, rows.size()));
    }
    return new SuiteResult(name, runAt, rows.size(), results);
  }

  private ExpectationResult quarantinedFraction(List<ExpectationResult> results, int rowCount) {
    Set<Integer> rows = new HashSet<>();
    for (ExpectationResult r : results) {
      if (r.severity() == Severity.QUARANTINE) {
        rows.addAll(r.failedRows());
      }
    }
    double fraction = rowCount == 0 ? 0 : (double) rows.size() / rowCount;
    return new ExpectationResult(
        "max_quarantined_fraction(" + maxQuarantinedFraction + ")",
        Severity.BLOCK,
        fraction <= maxQuarantinedFraction,
        List.of(),
        String.format(
            Locale.ROOT,
            "%d of %d rows broke a quarantine rule (%.4f)",
            rows.size(),
            rowCount,
            fraction));
  }

  /** Builds an {@link ExpectationSuite}. */
  public static final class Builder {
    private final String name;
    private final List<Expectation> expectations = new ArrayList<>();
    private double maxQuarantinedFraction = Double.NaN;

    private Builder(String name) {
      this.name = name;
    }

    /**
     * Blocks publication when more than {@code fraction} (0 to 1) of the rows break {@link
     * Severity#QUARANTINE} rules: quarantining a few bad rows keeps a dataset flowing, but a share
     * this large means the input or the pipeline is broken. 0 blocks on any quarantined row. By
     * default there is no limit.
     */
    public Builder maxQuarantinedFraction(double fraction) {
      if (!(fraction >= 0 && fraction <= 1)) {
        throw new IllegalArgumentException(
            "suite " + name + ": maxQuarantinedFraction was " + fraction + ", must be in [0, 1]");
      }
      this.maxQuarantinedFraction = fraction;
      return this;
    }

    /** Adds an expectation. */
    public Builder expect(Expectation e) {
      expectations.add(Objects.requireNonNull(e, "expectation"));
      return this;
    }

    /** Builds the suite; it needs at least one expectation. */
    public ExpectationSuite build() {
      if (expectations.isEmpty()) {
        throw new IllegalStateException("suite " + name + " has no expectations");
      }
      return new ExpectationSuite(name, expectations, maxQuarantinedFraction);
    }
  }
}
