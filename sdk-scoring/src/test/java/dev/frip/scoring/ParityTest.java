package dev.frip.scoring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.frip.scoring.internal.ModelDocument;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import ml.dmlc.xgboost4j.java.Booster;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The pure-Java evaluator against XGBoost's own predictions for models trained here: margins
 * bit-identical, transformed outputs within one ulp.
 */
class ParityTest {

  @TempDir Path dir;

  static Stream<Arguments> models() {
    return Stream.of(
        Arguments.of("binary:logistic", 1, 1, 8),
        Arguments.of("binary:logistic", 6, 60, 10),
        Arguments.of("binary:logistic", 2, 1000, 4),
        Arguments.of("binary:logistic", 12, 25, 12),
        Arguments.of("binary:logitraw", 4, 40, 6),
        Arguments.of("reg:squarederror", 8, 30, 7),
        Arguments.of("reg:squarederror", 10, 20, 9),
        Arguments.of("reg:logistic", 5, 30, 6),
        Arguments.of("multi:softprob", 3, 20, 6),
        Arguments.of("multi:softprob", 9, 10, 6),
        Arguments.of("multi:softmax", 4, 15, 5));
  }

  @ParameterizedTest(name = "{0} depth {1} trees {2}")
  @MethodSource("models")
  void marginsAreBitIdenticalAndPredictionsWithinOneUlp(
      String objective, int depth, int rounds, int features) throws Exception {
    Random rnd = new Random(objective.hashCode() * 31L + depth * 7L + rounds);
    int rows = rounds >= 1000 ? 300 : 1500;
    float[] x = Xgb.data(rnd, rows, features, 0.2);
    float[] y = Xgb.labels(rnd, x, rows, features, objective, 3);
    Booster booster = Xgb.train(objective, depth, rounds, x, y, features, Float.NaN);

    for (String suffix : List.of("json", "ubj")) {
      Path file = Xgb.save(booster, dir, "model." + suffix);
      XGBoostModel model = ModelLoader.load(file);
      if (model.numOutputs() == 1 && depth <= 8 && Runtime.version().feature() < 24) {
        assertThat(model.unchecked()).as("the unchecked descent is in use on this JDK").isTrue();
      }
      float[] test = withSplitConditions(file, Xgb.data(rnd, 400, features, 0.2), features, rnd);
      int n = test.length / features;
      assertParity(model, booster, test, n, features, Float.NaN);
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("leafOnlyObjectives")
  void treesThatAreASingleLeafScoreAsXgboost(String objective) throws Exception {
    // A huge gamma forbids every split: each tree is one leaf (depth 0 on the perfect layout).
    Random rnd = new Random(13);
    int features = 4;
    float[] x = Xgb.data(rnd, 400, features, 0.2);
    float[] y = Xgb.labels(rnd, x, 400, features, objective, 3);
    Booster booster = Xgb.train(objective, 4, 12, x, y, features, Float.NaN, Map.of("gamma", 1e9));
    XGBoostModel model = ModelLoader.load(Xgb.save(booster, dir, "leaves.ubj"));
    assertParity(model, booster, Xgb.data(rnd, 50, features, 0.2), 50, features, Float.NaN);
  }

  static Stream<String> leafOnlyObjectives() {
    return Stream.of("binary:logistic", "multi:softprob");
  }

  @Test
  void aConfiguredMissingValueFollowsTheDefaultDirection() throws Exception {
    Random rnd = new Random(5);
    int features = 5;
    int rows = 1000;
    float[] x = Xgb.data(rnd, rows, features, 0.0);
    for (int i = 0; i < x.length; i++) {
      if (rnd.nextDouble() < 0.25) {
        x[i] = -999f;
      }
    }
    float[] y = Xgb.labels(rnd, x, rows, features, "binary:logistic", 2);
    Booster booster = Xgb.train("binary:logistic", 5, 30, x, y, features, -999f);
    Path file = Xgb.save(booster, dir, "missing.ubj");
    XGBoostModel model = ModelLoader.builder().missingValue(-999f).build().read(file);
    assertThat(model.missingValue()).isEqualTo(-999f);
    float[] test = Xgb.data(rnd, 300, features, 0.1);
    for (int i = 0; i < test.length; i += 3) {
      test[i] = -999f;
    }
    assertParity(model, booster, test, 300, features, -999f);
    XGBoostModel copy = ModelLoader.load(file).withMissingValue(-999f);
    assertThat(copy.margin(test)).isEqualTo(model.margin(test));
    float[] row = new float[features];
    float[] expected = new float[features + 1];
    float[] actual = new float[features + 1];
    for (int r = 0; r < 300; r++) {
      System.arraycopy(test, r * features, row, 0, features);
      assertThat(copy.predictWithContributions(row, actual))
          .isEqualTo(model.predictWithContributions(row, expected));
      assertThat(actual).as("row %d contributions of the copy", r).containsExactly(expected);
    }
  }

  @Test
  void aFixedBaseScoreIsConvertedToAMarginAsXgboostDoes() throws Exception {
    Random rnd = new Random(9);
    float[] x = Xgb.data(rnd, 500, 4, 0.2);
    float[] y = Xgb.labels(rnd, x, 500, 4, "binary:logistic", 2);
    for (float base : new float[] {0.5f, 0.1f, 0.9f, 1e-7f, 0.33f}) {
      Booster booster =
          Xgb.train("binary:logistic", 3, 5, x, y, 4, Float.NaN, Map.of("base_score", base));
      XGBoostModel model = ModelLoader.load(Xgb.save(booster, dir, "b.json"));
      assertParity(model, booster, x, 500, 4, Float.NaN);
    }
  }

  @Test
  void negativeZeroAndSplitsAtInfinityFollowXgboost() throws Exception {
    Random rnd = new Random(11);
    int features = 3;
    int rows = 600;
    float[] x = Xgb.data(rnd, rows, features, 0.2);
    for (int i = 0; i < x.length; i++) {
      x[i] -= 5f; // values around zero, zero included
    }
    float[] y = Xgb.labels(rnd, x, rows, features, "reg:squarederror", 1);
    Booster booster = Xgb.train("reg:squarederror", 4, 10, x, y, features, Float.NaN);
    Path file = Xgb.save(booster, dir, "zero.json");
    float[] test = withSplitConditions(file, Xgb.data(rnd, 100, features, 0.2), features, rnd);
    for (int i = 0; i < test.length; i += 2) {
      if (test[i] == 0f || rnd.nextInt(4) == 0) {
        test[i] = -0.0f;
      }
    }
    assertParity(
        ModelLoader.load(file), booster, test, test.length / features, features, Float.NaN);

    // Splits at -Inf and +Inf (default left and right) force the exact evaluation path.
    @SuppressWarnings("unchecked")
    Map<String, Object> doc =
        (Map<String, Object>) ModelDocument.parseJson(Files.readAllBytes(file));
    @SuppressWarnings("unchecked")
    Map<String, Object> tree =
        (Map<String, Object>)
            ((List<?>)
                    ((Map<?, ?>)
                            ((Map<?, ?>) ((Map<?, ?>) doc.get("learner")).get("gradient_booster"))
                                .get("model"))
                        .get("trees"))
                .get(0);
    List<Object> sc = new ArrayList<>((List<?>) tree.get("split_conditions"));
    List<Object> dl = new ArrayList<>((List<?>) tree.get("default_left"));
    sc.set(0, -1e39);
    dl.set(0, 1);
    tree.put("split_conditions", sc);
    tree.put("default_left", dl);
    Path inf = dir.resolve("inf.json");
    Files.write(inf, TestJson.write(doc));
    Booster infBooster = ml.dmlc.xgboost4j.java.XGBoost.loadModel(inf.toString());
    assertParity(
        ModelLoader.load(inf), infBooster, test, test.length / features, features, Float.NaN);
  }

  private static void assertParity(
      XGBoostModel model, Booster booster, float[] test, int n, int features, float missing)
      throws Exception {
    float[][] expMargin = Xgb.margins(booster, test, n, features, missing);
    float[][] expPred = Xgb.predictions(booster, test, n, features, missing);
    int outputs = model.numOutputs();
    float[] row = new float[features];
    float[] out = new float[outputs];
    float[] batch = new float[n * outputs];
    model.predictBatch(test, n, batch, true);
    float[] batchPred = new float[n * model.predictionWidth()];
    XGBoostModel checked = model.withBoundsChecks();
    model.predictBatch(test, n, batchPred, false);
    for (int r = 0; r < n; r++) {
      System.arraycopy(test, r * features, row, 0, features);
      model.margins(row, out);
      for (int k = 0; k < outputs; k++) {
        assertThat(Float.floatToIntBits(out[k]))
            .as("row %d output %d margin %s vs xgboost %s", r, k, out[k], expMargin[r][k])
            .isEqualTo(Float.floatToIntBits(expMargin[r][k]));
        assertThat(batch[r * outputs + k]).isEqualTo(out[k]);
      }
      if (outputs == 1) {
        assertThat(model.margin(row)).isEqualTo(out[0]);
        assertThat(checked.margin(row)).as("row %d, bounds-checked path", r).isEqualTo(out[0]);
      }
      model.predict(row, out);
      for (int k = 0; k < model.predictionWidth(); k++) {
        float exp = expPred[r][k];
        assertThat(Math.abs(out[k] - exp))
            .as("row %d output %d prediction %s vs xgboost %s", r, k, out[k], exp)
            .isLessThanOrEqualTo(Math.ulp(exp));
        assertThat(batchPred[r * model.predictionWidth() + k]).isEqualTo(out[k]);
      }
      assertContributionsAsByPath(model, row, r);
      if (outputs == 1) {
        assertContributionsAsByPath(checked, row, r);
      }
    }
  }

  /**
   * The contributions (the scorer's reason codes) are the path walk's for every output, whichever
   * layout computed them, up to the rounding of their sums (the perfect layout adds the same steps
   * in another order), and add up to the margin; with them, a single-output model's prediction is
   * {@code predict}'s bit for bit.
   */
  private static void assertContributionsAsByPath(XGBoostModel model, float[] row, int r) {
    int features = model.numFeatures();
    float[] c = new float[features + 1];
    float[] byPath = new float[features + 1];
    float[] margins = new float[model.numOutputs()];
    model.margins(row, margins);
    for (int k = 0; k < model.numOutputs(); k++) {
      model.contributions(row, k, c);
      model.ensemble().contributionsByPath(row, 0, k, byPath);
      double scale = 1;
      for (float v : byPath) {
        scale += Math.abs(v);
      }
      assertThat(c[features]).as("row %d output %d bias", r, k).isEqualTo(byPath[features]);
      for (int f = 0; f < features; f++) {
        assertThat((double) c[f])
            .as("row %d output %d contribution %d: %s, by path %s", r, k, f, c[f], byPath[f])
            .isCloseTo(byPath[f], within(1e-6 * scale));
      }
      double sum = 0;
      for (float v : c) {
        sum += v;
      }
      assertThat(sum).as("row %d output %d", r, k).isCloseTo(margins[k], within(1e-5 * scale));
    }
    if (model.numOutputs() == 1) {
      float[] both = new float[features + 1];
      assertThat(Float.floatToIntBits(model.predictWithContributions(row, both)))
          .as("row %d prediction with contributions", r)
          .isEqualTo(Float.floatToIntBits(model.predict(row)));
      assertThat(both).as("row %d contributions with the prediction", r).containsExactly(c);
    }
  }

  /** Appends rows whose values equal the model's split conditions exactly. */
  private static float[] withSplitConditions(Path file, float[] base, int features, Random rnd)
      throws Exception {
    Object doc =
        file.toString().endsWith(".json")
            ? ModelDocument.parseJson(Files.readAllBytes(file))
            : ModelDocument.parseUbjson(Files.readAllBytes(file));
    List<List<Float>> byFeature = new ArrayList<>();
    for (int f = 0; f < features; f++) {
      byFeature.add(new ArrayList<>());
    }
    @SuppressWarnings("unchecked")
    List<Object> trees =
        (List<Object>)
            ((Map<?, ?>)
                    ((Map<?, ?>)
                            ((Map<?, ?>) ((Map<?, ?>) doc).get("learner")).get("gradient_booster"))
                        .get("model"))
                .get("trees");
    for (Object t : trees.subList(0, Math.min(trees.size(), 50))) {
      Map<?, ?> tree = (Map<?, ?>) t;
      int[] lc = ints(tree.get("left_children"));
      int[] si = ints(tree.get("split_indices"));
      float[] sc = floats(tree.get("split_conditions"));
      for (int n = 0; n < lc.length; n++) {
        if (lc[n] != -1) {
          byFeature.get(si[n]).add(sc[n]);
        }
      }
    }
    int extra = 200;
    float[] out = new float[base.length + extra * features];
    System.arraycopy(base, 0, out, 0, base.length);
    for (int r = 0; r < extra; r++) {
      for (int f = 0; f < features; f++) {
        List<Float> cands = byFeature.get(f);
        out[base.length + r * features + f] =
            cands.isEmpty() || rnd.nextInt(10) == 0
                ? Float.NaN
                : cands.get(rnd.nextInt(cands.size()));
      }
    }
    return out;
  }

  private static int[] ints(Object v) {
    if (v instanceof int[] a) {
      return a;
    }
    if (v instanceof long[] a) {
      int[] o = new int[a.length];
      for (int i = 0; i < a.length; i++) {
        o[i] = (int) a[i];
      }
      return o;
    }
    List<?> l = (List<?>) v;
    int[] o = new int[l.size()];
    for (int i = 0; i < o.length; i++) {
      o[i] = ((Number) l.get(i)).intValue();
    }
    return o;
  }

  private static float[] floats(Object v) {
    if (v instanceof float[] a) {
      return a;
    }
    List<?> l = (List<?>) v;
    float[] o = new float[l.size()];
    for (int i = 0; i < o.length; i++) {
      o[i] = ((Number) l.get(i)).floatValue();
    }
    return o;
  }
}
