package dev.frip.core.quality;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ExpectationSuiteTest {

  private static final Instant T = Instant.parse("2026-02-25T12:00:00Z");

  private static RowSet rows(Object[]... rs) {
    return RowSet.of(List.of("id", "amount", "status", "at"), new ArrayList<>(Arrays.asList(rs)));
  }

  private static final RowSet GOOD =
      rows(
          new Object[] {"a", 10L, "AUTHORIZED", T},
          new Object[] {"b", 20L, "DECLINED", T.minusSeconds(60)});

  private static final RowSet BAD =
      rows(
          new Object[] {"a", 10L, "AUTHORIZED", T},
          new Object[] {"a", -5L, "PENDING", T},
          new Object[] {null, "x", null, T});

  @Test
  void goodRowsPassEveryRule() {
    SuiteResult r = suite().run(GOOD, T);
    assertThat(r.passed()).isTrue();
    assertThat(r.publishable()).isTrue();
    assertThat(r.failures()).isEmpty();
    assertThat(r.offendingRows()).isEmpty();
  }

  @Test
  void rowsHeldColumnByColumnGiveTheSameResultAsArrays() {
    Object[][] columns = new Object[4][3];
    for (int r = 0; r < BAD.size(); r++) {
      for (int c = 0; c < 4; c++) {
        columns[c][r] = BAD.row(r)[c];
      }
    }
    RowSet byColumn = RowSet.of(BAD.columns(), BAD.size(), (r, c) -> columns[c][r]);
    SuiteResult fromColumns = suite().run(byColumn, T);
    SuiteResult fromArrays = suite().run(BAD, T);
    assertThat(fromColumns.toJson()).isEqualTo(fromArrays.toJson());
    assertThat(byColumn.row(1)).containsExactly("a", -5L, "PENDING", T);
    assertThat(byColumn.value(2, "amount")).isEqualTo("x");
    assertThatThrownBy(() -> byColumn.value(3, 0)).isInstanceOf(IndexOutOfBoundsException.class);
    assertThatThrownBy(() -> RowSet.of(List.of("id"), -1, (r, c) -> null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("size was -1");
  }

  @Test
  void largeRowSetsReportEveryBrokenRowInRowOrder() {
    // More rows than one task checks; ids with equal hash codes ("Aa" and "BB" hash alike).
    int n = 3 * BaseRule.ROWS_PER_TASK + 123;
    Object[] ids = new Object[n];
    Object[] amounts = new Object[n];
    for (int i = 0; i < n; i++) {
      ids[i] = i % 10_007 == 5 ? ids[i - 5] : (i % 2 == 0 ? "Aa" : "BB") + i;
      if (i % 9_973 == 3) {
        amounts[i] = -1L;
      } else if (i % 65_536 != 0) { // else null
        amounts[i] = (long) (i % 1000);
      }
    }
    ids[n - 1] = null;
    ids[n - 2] = "Aa0"; // the first row's id
    RowSet rows = RowSet.of(List.of("id", "amount"), n, (r, c) -> c == 0 ? ids[r] : amounts[r]);

    SuiteResult r =
        ExpectationSuite.named("big")
            .expect(Expectation.unique("id"))
            .expect(Expectation.notNull("id"))
            .expect(Expectation.between("amount", 0, 999))
            .build()
            .run(rows, T);

    List<Integer> duplicates = new ArrayList<>();
    Set<Object> seen = new java.util.HashSet<>();
    List<Integer> nulls = new ArrayList<>();
    List<Integer> outOfRange = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      if (ids[i] == null) {
        nulls.add(i);
      } else if (!seen.add(ids[i])) {
        duplicates.add(i);
      }
      if (amounts[i] != null && (Long) amounts[i] < 0) {
        outOfRange.add(i);
      }
    }
    assertThat(duplicates).contains(n - 2).hasSizeGreaterThan(1);
    assertThat(r.results().get(0).failedRows()).isEqualTo(duplicates);
    assertThat(r.results().get(1).failedRows()).containsExactly(n - 1).isEqualTo(nulls);
    assertThat(r.results().get(2).failedRows()).hasSizeGreaterThan(10).isEqualTo(outOfRange);
  }

  @Test
  void eachRowLevelRuleNamesTheRowsThatBrokeIt() {
    SuiteResult r = suite().run(BAD, T);
    assertThat(r.publishable()).isFalse();
    assertThat(r.failures())
        .extracting(ExpectationResult::rule)
        .containsExactly(
            "not_null(id)",
            "unique(id)",
            "between(amount, 0.0, 1000.0)",
            "in(status, [AUTHORIZED, DECLINED])",
            "row_count(bronze.payments)");
    assertThat(r.offendingRows().get(1))
        .containsExactly(
            "unique(id)", "between(amount, 0.0, 1000.0)", "in(status, [AUTHORIZED, DECLINED])");
    assertThat(r.offendingRows().get(2))
        .containsExactly("not_null(id)", "between(amount, 0.0, 1000.0)");
    assertThat(r.offendingRows()).doesNotContainKey(0);
  }

  @Test
  void quarantineSeverityDoesNotBlockPublication() {
    SuiteResult r =
        ExpectationSuite.named("s")
            .expect(Expectation.between("amount", 0, 100).withSeverity(Severity.QUARANTINE))
            .build()
            .run(BAD, T);
    assertThat(r.passed()).isFalse();
    assertThat(r.publishable()).isTrue();
    assertThat(r.results().get(0).severity()).isEqualTo(Severity.QUARANTINE);
    assertThat(r.results().get(0).rule()).isEqualTo("between(amount, 0.0, 100.0)");
  }

  @Test
  void tooManyQuarantinedRowsBlockPublication() {
    // BAD: row 1 breaks between and in, row 2 breaks in (a null) and between ("x"): 2 of 3 rows.
    ExpectationSuite.Builder b =
        ExpectationSuite.named("s")
            .expect(Expectation.between("amount", 0, 100).withSeverity(Severity.QUARANTINE))
            .expect(
                Expectation.in("status", Set.of("AUTHORIZED", "DECLINED"))
                    .withSeverity(Severity.QUARANTINE));
    SuiteResult within = b.maxQuarantinedFraction(0.7).build().run(BAD, T);
    assertThat(within.publishable()).isTrue();
    ExpectationResult limit = within.results().get(2);
    assertThat(limit.rule()).isEqualTo("max_quarantined_fraction(0.7)");
    assertThat(limit.severity()).isEqualTo(Severity.BLOCK);
    assertThat(limit.passed()).isTrue();
    assertThat(limit.observed()).isEqualTo("2 of 3 rows broke a quarantine rule (0.6667)");

    SuiteResult over = b.maxQuarantinedFraction(0.6).build().run(BAD, T);
    assertThat(over.publishable()).isFalse();
    assertThat(over.failures())
        .extracting(ExpectationResult::rule)
        .contains("max_quarantined_fraction(0.6)");
    assertThat(over.offendingRows()).containsOnlyKeys(1, 2);

    // 0 blocks on any quarantined row, and not on none; without a limit there is no extra result.
    assertThat(b.maxQuarantinedFraction(0).build().run(BAD, T).publishable()).isFalse();
    assertThat(b.maxQuarantinedFraction(0).build().run(GOOD, T).publishable()).isTrue();
    assertThat(b.maxQuarantinedFraction(0).build().run(rows(), T).publishable()).isTrue();
    assertThat(ExpectationSuite.named("s").expect(Expectation.notNull("id")).build().run(BAD, T))
        .satisfies(r -> assertThat(r.results()).hasSize(1));
    // A broken BLOCK rule's rows do not count toward the limit: they block by themselves.
    SuiteResult blockRows =
        ExpectationSuite.named("s")
            .expect(Expectation.unique("id"))
            .maxQuarantinedFraction(0)
            .build()
            .run(BAD, T);
    assertThat(blockRows.results().get(1).passed()).isTrue();
    assertThat(blockRows.publishable()).isFalse();
  }

  @Test
  void referentialIntegrityFlagsValuesMissingFromTheReference() {
    ExpectationResult r =
        Expectation.referencedIn("id", "bronze.payments", Set.of("b")).check(GOOD);
    assertThat(r.passed()).isFalse();
    assertThat(r.failedRows()).containsExactly(0);
    assertThat(r.observed()).isEqualTo("1 values missing from bronze.payments");
  }

  @Test
  void freshnessLooksAtTheNewestTimestamp() {
    Expectation fresh = Expectation.freshness("at", Duration.ofHours(1), T.plusSeconds(1800));
    assertThat(fresh.check(GOOD).passed()).isTrue();
    Expectation stale = Expectation.freshness("at", Duration.ofHours(1), T.plusSeconds(7200));
    ExpectationResult r = stale.check(GOOD);
    assertThat(r.passed()).isFalse();
    assertThat(r.observed()).isEqualTo("newest at " + T);
    assertThat(stale.check(rows()).passed()).isFalse();
  }

  @Test
  void freshnessReadsEveryTimestampTypeARowSetMayHold() {
    Expectation within2h = Expectation.freshness("at", Duration.ofHours(2), T.plusSeconds(3600));
    Object[] newest = {
      T,
      T.atOffset(ZoneOffset.ofHours(2)),
      T.atZone(ZoneId.of("Europe/Paris")),
      LocalDate.of(2026, 2, 25) // 00:00 UTC, 13 hours before the run
    };

    for (Object at : newest) {
      ExpectationResult r =
          within2h.check(
              rows(new Object[] {"a", 1L, "AUTHORIZED", T.minusSeconds(86_400)}, row("b", at)));
      assertThat(r.passed())
          .as(at.getClass().getSimpleName())
          .isEqualTo(!(at instanceof LocalDate));
      assertThat(r.observed()).isEqualTo("newest at " + at);
    }
    assertThat(
            Expectation.freshness("at", Duration.ofDays(1), T)
                .check(rows(row("a", null), row("b", LocalDate.of(2026, 2, 25))))
                .passed())
        .isTrue();
  }

  @Test
  void freshnessFailsNamingTheColumnAndTypeOfAValueThatIsNoTimestamp() {
    Expectation fresh = Expectation.freshness("at", Duration.ofHours(1), T);

    ExpectationResult r = fresh.check(rows(row("a", T), row("b", "2026-02-25T12:00:00Z")));

    assertThat(r.passed()).isFalse();
    assertThat(r.observed())
        .isEqualTo(
            "at holds a java.lang.String at row 1,"
                + " not an Instant, OffsetDateTime, ZonedDateTime or LocalDate");
    assertThat(fresh.check(rows(row("a", T.toEpochMilli()))).observed())
        .contains("java.lang.Long at row 0");
    assertThat(fresh.check(rows(row("a", null))).observed()).isEqualTo("no at value in 1 rows");
  }

  private static Object[] row(String id, Object at) {
    return new Object[] {id, 1L, "AUTHORIZED", at};
  }

  @Test
  void jsonIsMachineReadable() {
    String json = suite().run(BAD, T).toJson();
    assertThat(json)
        .startsWith(
            "{\"suite\": \"payments\", \"run_at\": \"2026-02-25T12:00:00Z\", \"row_count\": 3")
        .contains("\"passed\": false, \"publishable\": false")
        .contains(
            "{\"rule\": \"unique(id)\", \"severity\": \"BLOCK\", \"passed\": false,"
                + " \"observed\": \"1 duplicate values\", \"failed_rows\": 1, \"sample_rows\": [1]}")
        .endsWith("]}");
    StringBuilder sb = new StringBuilder();
    SuiteResult.str("q\"\\\n\r\t\u0001", sb);
    assertThat(sb).hasToString("\"q\\\"\\\\\\n\\r\\t\\u0001\"");
  }

  @Test
  void argumentsAreValidatedWithNamedValues() {
    assertThatThrownBy(() -> Expectation.between("amount", 5, 1))
        .hasMessageContaining("between(amount): range [5.0, 1.0] is empty");
    assertThatThrownBy(() -> Expectation.in("status", Set.of()))
        .hasMessageContaining("in(status): no allowed values");
    assertThatThrownBy(() -> Expectation.rowCount(-1, "x")).hasMessageContaining("was -1");
    assertThatThrownBy(() -> Expectation.notNull(" ")).hasMessageContaining("blank");
    assertThatThrownBy(() -> Expectation.freshness("at", Duration.ofSeconds(-1), T))
        .hasMessageContaining("maxAge was PT-1S");
    assertThatThrownBy(() -> ExpectationSuite.named("s").build())
        .hasMessageContaining("suite s has no expectations");
    assertThatThrownBy(() -> ExpectationSuite.named("s").maxQuarantinedFraction(1.5))
        .hasMessageContaining("suite s: maxQuarantinedFraction was 1.5, must be in [0, 1]");
    assertThatThrownBy(() -> ExpectationSuite.named("s").maxQuarantinedFraction(Double.NaN))
        .hasMessageContaining("was NaN");
    assertThatThrownBy(() -> ExpectationSuite.named("")).hasMessageContaining("blank");
    assertThatThrownBy(() -> GOOD.value(0, "nope"))
        .hasMessageContaining(
            "column nope is not in the rows; columns are [id, amount, status, at]");
  }

  private static ExpectationSuite suite() {
    return ExpectationSuite.named("payments")
        .expect(Expectation.notNull("id"))
        .expect(Expectation.unique("id"))
        .expect(Expectation.between("amount", 0, 1000))
        .expect(Expectation.in("status", Set.of("AUTHORIZED", "DECLINED")))
        .expect(Expectation.referencedIn("id", "bronze.payments", Set.of("a", "b")))
        .expect(Expectation.rowCount(2, "bronze.payments"))
        .build();
  }
}
