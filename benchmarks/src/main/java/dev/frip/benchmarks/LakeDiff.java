package dev.frip.benchmarks;

import dev.frip.lakehouse.GoldJob;
import dev.frip.lakehouse.Lakehouse;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * Compares, cell by cell and row by row in scan order, the silver table and the four gold tables of
 * one date in two lakes, e.g. the same bronze run through two builds of the jobs: prints the rows
 * of each table and the first differing row, exits 1 when any table differs.
 *
 * <p>Usage: {@code java -cp benchmarks/target/benchmarks.jar dev.frip.benchmarks.LakeDiff DIR_A
 * DIR_B [DATE]} (DATE defaults to 2026-03-02, the day {@link SilverGoldLoad} writes).
 */
public final class LakeDiff {

  private LakeDiff() {}

  /** Compares the tables; exit status 1 when one differs. */
  public static void main(String[] args) {
    if (args.length < 2) {
      throw new IllegalArgumentException("usage: LakeDiff DIR_A DIR_B [DATE]");
    }
    Lakehouse a = Lakehouse.local(Path.of(args[0]));
    Lakehouse b = Lakehouse.local(Path.of(args[1]));
    LocalDate date = LocalDate.parse(args.length > 2 ? args[2] : "2026-03-02");
    boolean same = compare("silver", a.silverPath(), b.silverPath(), a, b, date);
    for (String t :
        List.of(
            GoldJob.DAILY_REVENUE,
            GoldJob.FRAUD_KPIS,
            GoldJob.MERCHANT_RISK,
            GoldJob.CUSTOMER_METRICS)) {
      same &= compare("gold " + t, a.goldPath(t), b.goldPath(t), a, b, date);
    }
    System.out.println(same ? "IDENTICAL" : "DIFFERENT");
    if (!same) {
      System.exit(1);
    }
  }

  private static boolean compare(
      String name, String pathA, String pathB, Lakehouse a, Lakehouse b, LocalDate date) {
    List<Object[]> ra = rows(a, pathA, date);
    List<Object[]> rb = rows(b, pathB, date);
    List<String> ca = a.scan(pathA).resolvedColumns();
    List<String> cb = b.scan(pathB).resolvedColumns();
    if (!ca.equals(cb)) {
      System.out.printf("%s: columns differ: %s vs %s%n", name, ca, cb);
      return false;
    }
    if (ra.size() != rb.size()) {
      System.out.printf("%s: %d rows vs %d rows%n", name, ra.size(), rb.size());
      return false;
    }
    long cells = 0;
    for (int r = 0; r < ra.size(); r++) {
      Object[] x = ra.get(r);
      Object[] y = rb.get(r);
      for (int c = 0; c < x.length; c++) {
        if (!Objects.deepEquals(x[c], y[c])) {
          System.out.printf(
              "%s: row %d column %s differs: %s vs %s%n  %s%n  %s%n",
              name, r, ca.get(c), x[c], y[c], Arrays.toString(x), Arrays.toString(y));
          return false;
        }
        cells++;
      }
    }
    System.out.printf("%s: %d rows, %d cells identical%n", name, ra.size(), cells);
    return true;
  }

  private static List<Object[]> rows(Lakehouse lake, String path, LocalDate date) {
    List<Object[]> rows = new ArrayList<>();
    lake.scan(path).on(date).forEach(rows::add);
    return rows;
  }
}
