package dev.frip.scoring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.frip.core.FeatureSchema;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelTrainerTest {

  static final FeatureSchema SCHEMA =
      FeatureSchema.of("trainer-test-1", List.of("amount_z", "velocity_1h", "new_device", "noise"));
  static final int ROWS = 6_000;

  @TempDir Path dir;

  /** About 3% fraud, driven by the first three features; the fourth is noise; 10% missing. */
  static float[][] data(long seed) {
    Random rnd = new Random(seed);
    int nf = SCHEMA.size();
    float[] x = new float[ROWS * nf];
    float[] y = new float[ROWS];
    for (int r = 0; r < ROWS; r++) {
      double z = rnd.nextGaussian();
      double v = rnd.nextInt(6);
      double d = rnd.nextDouble() < 0.1 ? 1 : 0;
      double logit = -5.2 + 1.3 * z + 0.5 * v + 1.8 * d;
      y[r] = rnd.nextDouble() < 1 / (1 + Math.exp(-logit)) ? 1f : 0f;
      float[] row = {(float) z, (float) v, (float) d, (float) rnd.nextGaussian()};
      for (int f = 0; f < nf; f++) {
        x[r * nf + f] = rnd.nextDouble() < 0.1 ? Float.NaN : row[f];
      }
    }
    return new float[][] {x, y};
  }

  @Test
  void learnsTheSignalReportsServingMetricsAndPublishesToTheRegistry() {
    float[][] d = data(3);
    ModelTrainer trainer =
        ModelTrainer.builder(SCHEMA).maxDepths(2, 4).learningRates(0.1, 0.3).maxRounds(80).build();
    ModelTrainer.Result r = trainer.train(d[0], d[1], ROWS);
    Map<String, Double> m = r.metrics();
    double fraudRate = m.get("validation_frauds") / m.get("validation_rows");
    assertThat(fraudRate).isBetween(0.01, 0.08);
    assertThat(m.get("auc")).isGreaterThan(0.8);
    assertThat(m.get("pr_auc")).as("far above the base rate").isGreaterThan(3 * fraudRate);
    assertThat(m.get("validation_rows")).isEqualTo(1_200);
    assertThat(m.get("scale_pos_weight"))
        .isCloseTo(
            (m.get("train_rows") - m.get("train_frauds")) / m.get("train_frauds"), within(1e-9));
    assertThat(m.get("num_boost_round")).isBetween(1.0, 80.0);
    assertThat(List.of(2.0, 4.0)).contains(m.get("max_depth"));
    assertThat(r.parameters()).containsEntry("objective", "binary:logistic");

    XGBoostModel model = r.load();
    assertThat(model.featureNames()).isEqualTo(SCHEMA.names());
    ModelRegistry registry = ModelRegistry.at(dir);
    String v = registry.publish(r.model(), ModelLoader.Format.JSON, SCHEMA, m);
    ModelVersion served = registry.promote(v);
    assertThat(served.metrics()).containsEntry("auc", m.get("auc"));

    // Deterministic: the same input and seed give the same model.
    assertThat(trainer.train(d[0], d[1], ROWS).model()).isEqualTo(r.model());
  }

  @Test
  void aucAndAveragePrecisionMatchHandComputedValues() {
    float[] score = {0.9f, 0.8f, 0.7f, 0.6f, 0.5f, 0.5f};
    float[] label = {1, 0, 1, 0, 1, 0};
    // Positive/negative pairs ranked correctly: (0.9>all 3 neg)=3, (0.7>0.6,0.5)=2, (0.5=0.5)=0.5
    assertThat(ModelTrainer.auc(score, label)).isCloseTo(5.5 / 9, within(1e-12));
    // Precision at each fraud, descending: 1/1, 2/3, then 3/5 or 3/6 for the tie (sorted order).
    assertThat(ModelTrainer.averagePrecision(score, label))
        .isBetween((1 + 2 / 3.0 + 3 / 6.0) / 3, (1 + 2 / 3.0 + 3 / 5.0) / 3);
  }

  @Test
  void refusesInputItCannotLearnFrom() {
    ModelTrainer t = ModelTrainer.builder(SCHEMA).maxRounds(5).build();
    assertThatThrownBy(() -> t.train(new float[7], new float[2], 2))
        .hasMessageContaining("expected 2 rows of 4 features (8 values)");
    float[] x = new float[40];
    float[] y = new float[10];
    y[3] = 2;
    assertThatThrownBy(() -> t.train(x, y, 10)).hasMessageContaining("label of row 3 is 2.0");
    y[3] = 1;
    assertThatThrownBy(() -> t.train(x, y, 10))
        .hasMessageContaining("the validation part (2 rows) has 0 fraud rows");
    assertThatThrownBy(() -> ModelTrainer.builder(SCHEMA).maxDepths(0))
        .hasMessageContaining("max depths must be 1 to 16");
    assertThatThrownBy(() -> ModelTrainer.builder(SCHEMA).validationFraction(1))
        .hasMessageContaining("validation fraction");
    assertThat(t.toString()).contains("trainer-test-1");
  }
}
