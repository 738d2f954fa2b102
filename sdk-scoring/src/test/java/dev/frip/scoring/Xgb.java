package dev.frip.scoring;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import ml.dmlc.xgboost4j.java.Booster;
import ml.dmlc.xgboost4j.java.DMatrix;
import ml.dmlc.xgboost4j.java.XGBoost;
import ml.dmlc.xgboost4j.java.XGBoostError;

/** Trains small XGBoost models inside tests: the parity reference. */
final class Xgb {

  private Xgb() {}

  /** Random row-major data with {@code nanRate} of the cells NaN. */
  static float[] data(Random rnd, int rows, int features, double nanRate) {
    float[] x = new float[rows * features];
    for (int i = 0; i < x.length; i++) {
      // Coarse values make ties between rows and split conditions common.
      x[i] = rnd.nextDouble() < nanRate ? Float.NaN : Math.round(rnd.nextFloat() * 200f) / 20f;
    }
    return x;
  }

  /** Labels that depend on the first features, so trees have something to learn. */
  static float[] labels(Random rnd, float[] x, int rows, int features, String objective, int k) {
    float[] y = new float[rows];
    for (int r = 0; r < rows; r++) {
      float a = nz(x[r * features]);
      float b = features > 1 ? nz(x[r * features + 1]) : 0f;
      double s = a - b + rnd.nextGaussian() * 2;
      if (objective.startsWith("multi:")) {
        y[r] = (float) Math.floorMod((int) Math.floor(s + 10), k);
      } else if (objective.startsWith("binary:")) {
        y[r] = s > 0 ? 1f : 0f;
      } else if (objective.equals("reg:logistic")) {
        y[r] = (float) (1 / (1 + Math.exp(-s / 3)));
      } else {
        y[r] = (float) s * 10;
      }
    }
    return y;
  }

  private static float nz(float v) {
    return Float.isNaN(v) ? 5f : v;
  }

  static Booster train(
      String objective, int depth, int rounds, float[] x, float[] y, int features, float missing)
      throws XGBoostError {
    return train(objective, depth, rounds, x, y, features, missing, Map.of());
  }

  static Booster train(
      String objective,
      int depth,
      int rounds,
      float[] x,
      float[] y,
      int features,
      float missing,
      Map<String, Object> extra)
      throws XGBoostError {
    DMatrix d = new DMatrix(x, y.length, features, missing);
    d.setLabel(y);
    Map<String, Object> p = new HashMap<>();
    p.put("objective", objective);
    p.put("max_depth", depth);
    p.put("nthread", 1);
    p.put("eta", 0.3);
    p.put("seed", 1);
    if (objective.startsWith("multi:")) {
      p.put("num_class", 3);
    }
    p.putAll(extra);
    return XGBoost.train(d, p, rounds, new HashMap<>(), null, null);
  }

  /** Margins as XGBoost computes them, {@code rows x outputs}. */
  static float[][] margins(Booster b, float[] x, int rows, int features, float missing)
      throws XGBoostError {
    return b.predict(new DMatrix(x, rows, features, missing), true);
  }

  /** Transformed predictions as XGBoost computes them. */
  static float[][] predictions(Booster b, float[] x, int rows, int features, float missing)
      throws XGBoostError {
    return b.predict(new DMatrix(x, rows, features, missing), false);
  }

  static Path save(Booster b, Path dir, String name) throws XGBoostError {
    Path p = dir.resolve(name);
    b.saveModel(p.toString());
    return p;
  }
}
