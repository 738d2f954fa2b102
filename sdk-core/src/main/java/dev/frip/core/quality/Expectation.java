package dev.frip.core.quality;

import dev.frip.core.internal.features.Hashing;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.function.Predicate;
import java.util.stream.IntStream;

/**
 * One data-quality rule, checked on a {@link RowSet} before a lakehouse partition is published.
 * Row-level rules report the rows that break them so they can be quarantined with the rule's name;
 * dataset-level rules (row count, freshness) report an observation.
 *
 * <pre>{@code
 * ExpectationSuite suite = ExpectationSuite.named("enriched_transactions")
 *     .expect(Expectation.notNull("payment_id"))
 *     .expect(Expectation.unique("event_id"))
 *     .expect(Expectation.between("amount_minor", 0, 100_000_000))
 *     .expect(Expectation.in("status", Set.of("AUTHORIZED", "DECLINED")))
 *     .build();
 * }</pre>
 *
 * @since 0.1.0
 */
public interface Expectation {

  /** The rule's name as it appears in results and quarantine rows. */
  String name();

  /** What a failure does (default {@link Severity#BLOCK}). */
  Severity severity();

  /** Checks the rows. */
  ExpectationResult check(RowSet rows);

  /** The same rule with another severity. */
  default Expectation withSeverity(Severity severity) {
    Objects.requireNonNull(severity, "severity");
    Expectation self = this;
    return new Expectation() {
      @Override
      public String name() {
        return self.name();
      }

      @Override
      public Severity severity() {
        return severity;
      }

      @Override
      public ExpectationResult check(RowSet rows) {
        ExpectationResult r = self.check(rows);
        return new ExpectationResult(r.rule(), severity, r.passed(), r.failedRows(), r.observed());
      }
    };
  }

  /** Every row has a value in {@code column}. */
  static Expectation notNull(String column) {
    return rowRule("not_null(" + column + ")", column, v -> v != null, "nulls");
  }

  /** No two rows share a value of {@code column}; the second and later rows fail. */
  static Expectation unique(String column) {
    requireColumn(column);
    return new BaseRule("unique(" + column + ")") {
      @Override
      public ExpectationResult check(RowSet rows) {
        int c = rows.indexOf(column);
        // Open addressing over row numbers, each slot a row's value hash (high half) beside its
        // row + 1 (low half, 0 when empty): no node or boxed value per row (a partition has
        // millions), one memory access per probe, values compared only when hashes match.
        int n = rows.size();
        int cap = Integer.highestOneBit(Math.max(4, n) * 2 - 1) << 1;
        int mask = cap - 1;
        long[] slots = new long[cap];
        List<Integer> bad = new ArrayList<>();
        for (int i = 0; i < n; i++) {
          Object v = rows.value(i, c);
          if (v == null) {
            continue;
          }
          int h = v.hashCode();
          int slot = Hashing.mix(h) & mask;
          boolean duplicate = false;
          long e;
          while ((e = slots[slot]) != 0) {
            if ((int) (e >>> 32) == h && v.equals(rows.value((int) e - 1, c))) {
              duplicate = true;
              break;
            }
            slot = (slot + 1) & mask;
          }
          if (duplicate) {
            bad.add(i);
          } else {
            slots[slot] = (long) h << 32 | (i + 1);
          }
        }
        return result(bad, bad.size() + " duplicate values");
      }
    };
  }

  /** Non-null numeric values of {@code column} lie in {@code [min, max]}. */
  static Expectation between(String column, double min, double max) {
    if (Double.isNaN(min) || Double.isNaN(max) || min > max) {
      throw new IllegalArgumentException(
          "between(" + column + "): range [" + min + ", " + max + "] is empty");
    }
    return rowRule(
        "between(" + column + ", " + min + ", " + max + ")",
        column,
        v -> {
          if (v == null) {
            return true;
          }
          if (!(v instanceof Number n)) {
            return false;
          }
          double d = n.doubleValue();
          return d >= min && d <= max;
        },
        "values out of range");
  }

  /** Non-null values of {@code column} are among {@code allowed}. */
  static Expectation in(String column, Set<?> allowed) {
    Objects.requireNonNull(allowed, "allowed values of " + column);
    if (allowed.isEmpty()) {
      throw new IllegalArgumentException("in(" + column + "): no allowed values given");
    }
    Set<?> copy = Set.copyOf(allowed);
    return rowRule(
        "in("
            + column
            + ", "
            + new java.util.TreeSet<>(copy.stream().map(String::valueOf).toList())
            + ")",
        column,
        v -> v == null || copy.contains(v),
        "values not allowed");
  }

  /**
   * Every non-null value of {@code column} exists in {@code keys} of another dataset, e.g. every
   * silver {@code event_id} is a bronze payment's. On a large row set {@code keys.contains} is
   * called from several threads at once (as any set's reads may be).
   */
  static Expectation referencedIn(String column, String reference, Set<?> keys) {
    Objects.requireNonNull(reference, "reference");
    Objects.requireNonNull(keys, "keys of " + reference);
    return rowRule(
        "referenced_in(" + column + ", " + reference + ")",
        column,
        v -> v == null || keys.contains(v),
        "values missing from " + reference);
  }

  /** The dataset has exactly {@code expected} rows, e.g. the unique bronze records it came from. */
  static Expectation rowCount(long expected, String source) {
    if (expected < 0) {
      throw new IllegalArgumentException("rowCount: expected was " + expected + ", must be >= 0");
    }
    Objects.requireNonNull(source, "source");
    return new BaseRule("row_count(" + source + ")") {
      @Override
      public ExpectationResult check(RowSet rows) {
        return result(
            rows.size() == expected ? List.of() : null,
            rows.size() + " rows, " + source + " has " + expected);
      }
    };
  }

  /**
   * The newest {@code timestampColumn} is no older than {@code maxAge} before {@code now}. Values
   * may be {@link Instant}, {@link OffsetDateTime}, {@link ZonedDateTime} or {@link LocalDate} (a
   * date counts as its start of day, UTC); nulls are skipped. An empty dataset, or one without a
   * non-null value, is not fresh; a value of any other type fails the rule, naming the column, the
   * row and the type found.
   */
  static Expectation freshness(String timestampColumn, Duration maxAge, Instant now) {
    requireColumn(timestampColumn);
    Objects.requireNonNull(maxAge, "maxAge");
    Objects.requireNonNull(now, "now");
    if (maxAge.isNegative()) {
      throw new IllegalArgumentException("freshness: maxAge was " + maxAge + ", must be >= 0");
    }
    return new BaseRule("freshness(" + timestampColumn + ", " + maxAge + ")") {
      @Override
      public ExpectationResult check(RowSet rows) {
        int c = rows.indexOf(timestampColumn);
        Instant max = null;
        Object newest = null;
        for (int i = 0; i < rows.size(); i++) {
          Object v = rows.value(i, c);
          if (v == null) {
            continue;
          }
          Instant t = instantOf(v);
          if (t == null) {
            return result(
                null,
                timestampColumn
                    + " holds a "
                    + v.getClass().getName()
                    + " at row "
                    + i
                    + ", not an Instant, OffsetDateTime, ZonedDateTime or LocalDate");
          }
          if (max == null || t.isAfter(max)) {
            max = t;
            newest = v;
          }
        }
        if (max == null) {
          return result(null, "no " + timestampColumn + " value in " + rows.size() + " rows");
        }
        boolean ok = !max.isBefore(now.minus(maxAge));
        return result(ok ? List.of() : null, "newest " + timestampColumn + " " + newest);
      }
    };
  }

  /** A timestamp value as an instant (a date at its start of day, UTC), or null for other types. */
  private static Instant instantOf(Object v) {
    if (v instanceof Instant t) {
      return t;
    } else if (v instanceof OffsetDateTime t) {
      return t.toInstant();
    } else if (v instanceof ZonedDateTime t) {
      return t.toInstant();
    } else if (v instanceof LocalDate d) {
      return d.atStartOfDay(ZoneOffset.UTC).toInstant();
    }
    return null;
  }

  /**
   * A rule each value is checked against on its own. Large row sets are checked in ranges of
   * {@value BaseRule#ROWS_PER_TASK} rows on the common fork-join pool ({@code ok} must be safe to
   * call from several threads: the built-in ones only read); failed rows are reported in row order.
   */
  private static Expectation rowRule(
      String name, String column, Predicate<Object> ok, String what) {
    requireColumn(column);
    return new BaseRule(name) {
      @Override
      public ExpectationResult check(RowSet rows) {
        int c = rows.indexOf(column);
        int n = rows.size();
        int tasks = (n + BaseRule.ROWS_PER_TASK - 1) / BaseRule.ROWS_PER_TASK;
        List<Integer> bad =
            IntStream.range(0, tasks)
                .parallel()
                .mapToObj(
                    t -> {
                      List<Integer> failed = new ArrayList<>();
                      for (int i = t * BaseRule.ROWS_PER_TASK,
                              end = Math.min(n, i + BaseRule.ROWS_PER_TASK);
                          i < end;
                          i++) {
                        if (!ok.test(rows.value(i, c))) {
                          failed.add(i);
                        }
                      }
                      return failed;
                    })
                .flatMap(List::stream)
                .toList();
        return result(bad, bad.size() + " " + what);
      }
    };
  }

  private static void requireColumn(String column) {
    Objects.requireNonNull(column, "column");
    if (column.isBlank()) {
      throw new IllegalArgumentException("column name was blank");
    }
  }
}
