package dev.frip.scoring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.frip.scoring.internal.ModelDocument;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Consumer;
import ml.dmlc.xgboost4j.java.Booster;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Loading refuses corrupt and malformed models with a message naming the defect. */
class ModelLoaderTest {

  @TempDir static Path dir;
  static byte[] json;
  static byte[] ubj;
  static float[] sample;

  @BeforeAll
  static void train() throws Exception {
    Random rnd = new Random(3);
    float[] x = Xgb.data(rnd, 400, 4, 0.2);
    float[] y = Xgb.labels(rnd, x, 400, 4, "binary:logistic", 2);
    Booster b = Xgb.train("binary:logistic", 3, 4, x, y, 4, Float.NaN);
    json = Files.readAllBytes(Xgb.save(b, dir, "m.json"));
    ubj = Files.readAllBytes(Xgb.save(b, dir, "m.ubj"));
    sample = new float[] {1f, 2f, Float.NaN, 4f};
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> doc() {
    return (Map<String, Object>) ModelDocument.parseJson(json);
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> at(Map<String, Object> m, String... path) {
    Map<String, Object> cur = m;
    for (String p : path) {
      cur = (Map<String, Object>) cur.get(p);
    }
    return cur;
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> tree0(Map<String, Object> d) {
    List<Object> trees = (List<Object>) at(d, "learner", "gradient_booster", "model").get("trees");
    return (Map<String, Object>) trees.get(0);
  }

  private static XGBoostModel loadMutated(Consumer<Map<String, Object>> mutation) {
    Map<String, Object> d = doc();
    mutation.accept(d);
    return ModelLoader.builder()
        .build()
        .read(TestJson.write(d), ModelLoader.Format.JSON, "mutated.json");
  }

  @Test
  void jsonAndUbjsonOfTheSameBoosterScoreIdentically() {
    ModelLoader loader = ModelLoader.builder().build();
    XGBoostModel a = loader.read(json, ModelLoader.Format.JSON, "m.json");
    XGBoostModel b = loader.read(ubj, ModelLoader.Format.UBJSON, "m.ubj");
    assertThat(a.margin(sample)).isEqualTo(b.margin(sample));
    assertThat(a.numTrees()).isEqualTo(4);
    assertThat(a.objective()).isEqualTo(Objective.BINARY_LOGISTIC);
    assertThat(a.featureNames()).containsExactly("f0", "f1", "f2", "f3");
    assertThat(a.hasFeatureNames()).isFalse();
    assertThat(a.xgboostVersion()).startsWith("3.");
    assertThat(a.toString()).contains("4 trees");
  }

  @Test
  void formatIsSniffedWhenTheSuffixIsUnknown() {
    assertThat(ModelLoader.Format.of("model.bin", json)).isEqualTo(ModelLoader.Format.JSON);
    assertThat(ModelLoader.Format.of("model.bin", ubj)).isEqualTo(ModelLoader.Format.UBJSON);
    assertThat(ModelLoader.Format.of("model.UBJ", json)).isEqualTo(ModelLoader.Format.UBJSON);
  }

  @Test
  void baseScoreAsAPlainNumberStringEqualsTheVectorForm() {
    XGBoostModel vector = loadMutated(d -> {});
    String saved = (String) at(doc(), "learner", "learner_model_param").get("base_score");
    String plain = saved.replace("[", "").replace("]", "");
    XGBoostModel number =
        loadMutated(d -> at(d, "learner", "learner_model_param").put("base_score", plain));
    assertThat(number.margin(sample)).isEqualTo(vector.margin(sample));
  }

  @Test
  void featureNamesAreKeptInOrder() {
    XGBoostModel m =
        loadMutated(d -> at(d, "learner").put("feature_names", List.of("amount", "b", "c", "d")));
    assertThat(m.featureNames()).containsExactly("amount", "b", "c", "d");
    assertThat(m.hasFeatureNames()).isTrue();
  }

  @Test
  void missingTreesArrayIsRefused() {
    assertThatThrownBy(
            () -> loadMutated(d -> at(d, "learner", "gradient_booster", "model").remove("trees")))
        .isInstanceOf(InvalidModelException.class)
        .hasMessageContaining("mutated.json")
        .hasMessageContaining("'gradient_booster.model.trees' is missing");
  }

  @Test
  void missingNodeArrayIsRefused() {
    assertThatThrownBy(() -> loadMutated(d -> tree0(d).remove("split_indices")))
        .hasMessageContaining("tree 0 'split_indices' is missing");
  }

  @Test
  void arrayOfWrongLengthIsRefused() {
    assertThatThrownBy(() -> loadMutated(d -> tree0(d).put("default_left", List.of(1))))
        .hasMessageContaining("tree 0: 'default_left' has 1 entries but num_nodes is");
  }

  @Test
  void childIndexOutOfRangeIsRefused() {
    assertThatThrownBy(
            () ->
                loadMutated(
                    d -> {
                      List<Object> lc = new ArrayList<>(list(tree0(d).get("left_children")));
                      lc.set(0, 999);
                      tree0(d).put("left_children", lc);
                    }))
        .isInstanceOf(InvalidModelException.class)
        .hasMessageContaining("tree 0: node 0 has children (999,")
        .hasMessageContaining("outside [0,");
  }

  @Test
  void cycleIsRefused() {
    assertThatThrownBy(
            () ->
                loadMutated(
                    d -> {
                      Map<String, Object> t = tree0(d);
                      List<Object> lc = new ArrayList<>(list(t.get("left_children")));
                      List<Object> rc = new ArrayList<>(list(t.get("right_children")));
                      // Node 1's left child points back to the root.
                      int l1 = ((Number) lc.get(1)).intValue();
                      if (l1 == -1) {
                        rc.set(1, 2);
                        lc.set(1, 0);
                      } else {
                        lc.set(1, 0);
                      }
                      t.put("left_children", lc);
                      t.put("right_children", rc);
                    }))
        .hasMessageContaining("tree 0: node 0 is reached twice");
  }

  @Test
  void inconsistentNumFeatureIsRefused() {
    assertThatThrownBy(() -> loadMutated(d -> at(tree0(d), "tree_param").put("num_feature", "7")))
        .hasMessageContaining("tree 0: tree_param.num_feature is 7 but")
        .hasMessageContaining("num_feature is 4");
  }

  @Test
  void splitOnAFeatureBeyondNumFeatureIsRefused() {
    assertThatThrownBy(
            () ->
                loadMutated(
                    d -> {
                      List<Object> si = new ArrayList<>(list(tree0(d).get("split_indices")));
                      si.set(0, 12);
                      tree0(d).put("split_indices", si);
                    }))
        .hasMessageContaining(
            "tree 0: node 0 splits on feature 12 but the model has num_feature 4");
  }

  @Test
  void categoricalSplitIsRefusedNamingTheFeature() {
    assertThatThrownBy(
            () ->
                loadMutated(
                    d -> {
                      at(d, "learner").put("feature_names", List.of("amount", "mcc", "c", "d"));
                      List<Object> st = new ArrayList<>(list(tree0(d).get("split_type")));
                      st.set(0, 1);
                      tree0(d).put("split_type", st);
                    }))
        .hasMessageContaining("categorical split on feature '");
    assertThatThrownBy(
            () ->
                loadMutated(
                    d -> {
                      at(d, "learner").put("feature_names", List.of("amount", "mcc", "c", "d"));
                      at(d, "learner")
                          .put("feature_types", List.of("float", "c", "float", "float"));
                    }))
        .hasMessageContaining("feature 'mcc' (f1) is categorical");
  }

  @Test
  void unsupportedObjectiveAndBoosterAreRefused() {
    assertThatThrownBy(
            () -> loadMutated(d -> at(d, "learner", "objective").put("name", "rank:ndcg")))
        .hasMessageContaining("unsupported objective 'rank:ndcg'");
    assertThatThrownBy(
            () -> loadMutated(d -> at(d, "learner", "gradient_booster").put("name", "dart")))
        .hasMessageContaining("unsupported booster 'dart'");
  }

  @Test
  void wrongBaseScoreIsRefused() {
    assertThatThrownBy(
            () ->
                loadMutated(
                    d -> at(d, "learner", "learner_model_param").put("base_score", "[1,2]")))
        .hasMessageContaining("base_score [1,2] has 2 values but the model has 1");
    assertThatThrownBy(
            () -> loadMutated(d -> at(d, "learner", "learner_model_param").put("base_score", "x")))
        .hasMessageContaining("base_score 'x' is not a number");
  }

  @Test
  void treeInfoMismatchIsRefused() {
    assertThatThrownBy(
            () ->
                loadMutated(
                    d ->
                        at(d, "learner", "gradient_booster", "model").put("tree_info", List.of(0))))
        .hasMessageContaining("tree_info has 1 entries but there are 4 trees");
  }

  @Test
  void truncatedUbjsonIsRefused() {
    byte[] cut = java.util.Arrays.copyOf(ubj, ubj.length / 2);
    assertThatThrownBy(
            () -> ModelLoader.builder().build().read(cut, ModelLoader.Format.UBJSON, "cut.ubj"))
        .isInstanceOf(InvalidModelException.class)
        .hasMessageContaining("cut.ubj")
        .hasMessageContaining("invalid UBJSON");
  }

  @Test
  void corruptJsonIsRefused() {
    byte[] bad = "{\"learner\": [1, 2".getBytes(StandardCharsets.UTF_8);
    assertThatThrownBy(() -> ModelLoader.builder().build().read(bad, ModelLoader.Format.JSON, "x"))
        .hasMessageContaining("invalid JSON");
    assertThatThrownBy(() -> ModelLoader.load(dir.resolve("absent.json")))
        .hasMessageContaining("cannot read model");
  }

  @Test
  void wrongCallsNameTheProblem() {
    XGBoostModel m = loadMutated(d -> {});
    assertThatThrownBy(() -> m.margin(new float[2])).hasMessageContaining("row has 2 values");
    assertThatThrownBy(() -> ModelLoader.builder().missingValue(1f).missingValue(2f))
        .hasMessageContaining("missing value was already set to 1.0");
  }

  @Test
  void contributionsAddUpToTheMargin() {
    XGBoostModel m = loadMutated(d -> {});
    float[] c = new float[5];
    m.contributions(sample, 0, c);
    float sum = 0;
    for (float v : c) {
      sum += v;
    }
    assertThat(sum).isCloseTo(m.margin(sample), org.assertj.core.data.Offset.offset(1e-4f));
  }

  private static List<?> list(Object v) {
    return (List<?>) v;
  }

  @Test
  void hostileDocumentsAreRefusedWithoutExhaustingTheStackOrTheHeap() {
    ModelLoader loader = ModelLoader.builder().build();
    byte[] deepJson = "[".repeat(100_000).getBytes(StandardCharsets.UTF_8);
    assertThatThrownBy(() -> loader.read(deepJson, ModelLoader.Format.JSON, "deep.json"))
        .isInstanceOf(InvalidModelException.class)
        .hasMessageContaining("nested deeper than");
    byte[] deepUbj = "[".repeat(100_000).getBytes(StandardCharsets.US_ASCII);
    assertThatThrownBy(() -> loader.read(deepUbj, ModelLoader.Format.UBJSON, "deep.ubj"))
        .isInstanceOf(InvalidModelException.class)
        .hasMessageContaining("nested deeper than");
    // '[', '$', 'Z', '#', 'l', 2^31 - 1: two billion elements of no bytes in 9 bytes.
    byte[] nulls = {'[', '$', 'Z', '#', 'l', 0x7f, (byte) 0xff, (byte) 0xff, (byte) 0xff};
    assertThatThrownBy(() -> loader.read(nulls, ModelLoader.Format.UBJSON, "nulls.ubj"))
        .isInstanceOf(InvalidModelException.class)
        .hasMessageContaining("elements without data");
    byte[] strings = {'[', '$', 'S', '#', 'l', 0x7f, (byte) 0xff, (byte) 0xff, (byte) 0xff};
    assertThatThrownBy(() -> loader.read(strings, ModelLoader.Format.UBJSON, "strings.ubj"))
        .isInstanceOf(InvalidModelException.class)
        .hasMessageContaining("truncated");
  }

  @Test
  void sizesBeyondAnyRealModelAndNonFiniteValuesAreRefused() {
    assertThatThrownBy(
            () ->
                loadMutated(
                    d -> at(d, "learner", "learner_model_param").put("num_feature", "1100000000")))
        .isInstanceOf(InvalidModelException.class)
        .hasMessageContaining("num_feature must be in [1, 16777216] but was 1100000000");
    assertThatThrownBy(
            () ->
                loadMutated(
                    d -> {
                      at(d, "learner", "objective").put("name", "multi:softprob");
                      at(d, "learner", "learner_model_param").put("num_class", "2000000000");
                    }))
        .isInstanceOf(InvalidModelException.class)
        .hasMessageContaining("num_class must be in [0, 65536]");
    assertThatThrownBy(
            () ->
                loadMutated(
                    d -> {
                      at(d, "learner").put("feature_names", List.of("a", "b", "c", "d"));
                      at(d, "learner")
                          .put("feature_types", List.of("float", "float", "float", "float", "c"));
                    }))
        .isInstanceOf(InvalidModelException.class)
        .hasMessageContaining("feature_types has 5 types but num_feature is 4");
    assertThatThrownBy(
            () ->
                loadMutated(d -> at(d, "learner", "learner_model_param").put("base_score", "NaN")))
        .isInstanceOf(InvalidModelException.class)
        .hasMessageContaining("base_score NaN is not finite");
    assertThatThrownBy(
            () ->
                loadMutated(
                    d -> {
                      Map<String, Object> t = tree0(d);
                      List<?> left = list(t.get("left_children"));
                      int leaf = 0;
                      while (((Number) left.get(leaf)).intValue() != -1) {
                        leaf++;
                      }
                      List<Object> cond =
                          new java.util.ArrayList<>(list(t.get("split_conditions")));
                      cond.set(leaf, new java.math.BigDecimal("1e39")); // beyond float: +Inf
                      t.put("split_conditions", cond);
                    }))
        .isInstanceOf(InvalidModelException.class)
        .hasMessageContaining("leaves must be finite");
  }
}
