package dev.frip.core;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Compares two sets of feature vectors keyed by payment id, feature by feature: exactly for counts
 * and flags, within 1e-9 relative for amounts and reals, NaN equal to NaN. Reports mismatches per
 * feature with a few examples.
 */
final class VectorComparison {

  static final double RELATIVE_TOLERANCE = 1e-9;

  private final Map<String, Integer> mismatchesPerFeature = new TreeMap<>();
  private final Map<String, List<String>> examples = new LinkedHashMap<>();
  private final List<String> missing = new ArrayList<>();
  private long compared;

  static VectorComparison of(Map<String, double[]> expected, Map<String, double[]> actual) {
    VectorComparison c = new VectorComparison();
    for (Map.Entry<String, double[]> e : expected.entrySet()) {
      double[] a = actual.get(e.getKey());
      if (a == null) {
        c.missing.add(e.getKey());
        continue;
      }
      c.compare(e.getKey(), e.getValue(), a);
    }
    for (String k : actual.keySet()) {
      if (!expected.containsKey(k)) {
        c.missing.add(k + " (only in actual)");
      }
    }
    return c;
  }

  static boolean agree(FeatureType type, double x, double y) {
    if (Double.isNaN(x) || Double.isNaN(y)) {
      return Double.isNaN(x) && Double.isNaN(y);
    }
    if (type.exact()) {
      return x == y;
    }
    return x == y || Math.abs(x - y) <= RELATIVE_TOLERANCE * Math.max(Math.abs(x), Math.abs(y));
  }

  private void compare(String payment, double[] x, double[] y) {
    compared++;
    for (int i = 0; i < FeatureCatalog.size(); i++) {
      FeatureDefinition d = FeatureCatalog.definition(i);
      if (!agree(d.type(), x[i], y[i])) {
        mismatchesPerFeature.merge(d.name(), 1, Integer::sum);
        List<String> ex = examples.computeIfAbsent(d.name(), k -> new ArrayList<>());
        if (ex.size() < 3) {
          ex.add(payment + ": expected " + x[i] + " got " + y[i]);
        }
      }
    }
  }

  long compared() {
    return compared;
  }

  boolean agrees() {
    return mismatchesPerFeature.isEmpty() && missing.isEmpty();
  }

  /** Per-feature mismatch counts with examples, or "all agree". */
  String report() {
    if (agrees()) {
      return "all " + compared + " vectors agree on " + FeatureCatalog.size() + " features";
    }
    StringBuilder sb = new StringBuilder();
    sb.append(compared).append(" vectors compared; mismatches per feature:\n");
    mismatchesPerFeature.forEach(
        (f, n) ->
            sb.append("  ")
                .append(f)
                .append(": ")
                .append(n)
                .append(' ')
                .append(examples.get(f))
                .append('\n'));
    if (!missing.isEmpty()) {
      sb.append("  payments on one side only: ")
          .append(missing.size())
          .append(' ')
          .append(missing.subList(0, Math.min(5, missing.size())))
          .append('\n');
    }
    return sb.toString();
  }
}
