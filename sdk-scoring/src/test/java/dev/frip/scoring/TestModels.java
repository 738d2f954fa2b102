package dev.frip.scoring;

import dev.frip.scoring.internal.ModelDocument;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import ml.dmlc.xgboost4j.java.Booster;

/** Small named binary:logistic models trained with xgboost4j for registry and scorer tests. */
final class TestModels {

  static final List<String> FEATURES = List.of("amount", "txn_1h", "new_device", "country_risk");

  private TestModels() {}

  /** Trains a model whose learner carries {@link #FEATURES} as names; returns its JSON file. */
  static Path named(Path dir, String fileName, int seed, int rounds) throws Exception {
    Random rnd = new Random(seed);
    int features = FEATURES.size();
    float[] x = Xgb.data(rnd, 400, features, 0.1);
    float[] y = Xgb.labels(rnd, x, 400, features, "binary:logistic", 2);
    Booster b = Xgb.train("binary:logistic", 3, rounds, x, y, features, Float.NaN);
    Path raw = Xgb.save(b, dir, "raw-" + fileName);
    @SuppressWarnings("unchecked")
    Map<String, Object> doc =
        (Map<String, Object>) ModelDocument.parseJson(Files.readAllBytes(raw));
    @SuppressWarnings("unchecked")
    Map<String, Object> learner = (Map<String, Object>) doc.get("learner");
    learner.put("feature_names", FEATURES);
    Path out = dir.resolve(fileName);
    Files.write(out, TestJson.write(doc));
    return out;
  }
}
