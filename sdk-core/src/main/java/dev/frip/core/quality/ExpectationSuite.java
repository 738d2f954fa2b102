package dev.frip.core.quality;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

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

  private ExpectationSuite(String name, List<Expectation> expectations) {
    this.name = name;
    this.expectations = List.copyOf(expectations);
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

  /** Runs every expectation on the rows; {@code runAt} is recorded in the result. */
  public SuiteResult run(RowSet rows, Instant runAt) {
    Objects.requireNonNull(rows, "rows");
    Objects.requireNonNull(runAt, "runAt");
    List<ExpectationResult> results = new ArrayList<>(expectations.size());
    for (Expectation e : expectations) {
      results.add(e.check(rows));
    }
    return new SuiteResult(name, runAt, rows.size(), results);
  }

  /** Builds an {@link ExpectationSuite}. */
  public static final class Builder {
    private final String name;
    private final List<Expectation> expectations = new ArrayList<>();

    private Builder(String name) {
      this.name = name;
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
      return new ExpectationSuite(name, expectations);
    }
  }
}
