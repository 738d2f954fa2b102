package dev.frip.scoring;

import java.util.Locale;

/**
 * The XGBoost learning objectives FRIP can evaluate, with XGBoost's own conversion of {@code
 * base_score} to a margin and of a margin to a prediction.
 *
 * @since 0.1
 */
public enum Objective {
  /** Binary classification; prediction = sigmoid(margin), a probability. */
  BINARY_LOGISTIC("binary:logistic", true, false),
  /** Binary classification that outputs the raw margin; base_score is added as is. */
  BINARY_LOGITRAW("binary:logitraw", false, false),
  /** Regression with squared error; prediction = margin. */
  REG_SQUAREDERROR("reg:squarederror", false, false),
  /** Logistic regression on [0, 1] labels; prediction = sigmoid(margin). */
  REG_LOGISTIC("reg:logistic", true, false),
  /** Multi-class, one probability per class (softmax over the class margins). */
  MULTI_SOFTPROB("multi:softprob", false, true),
  /** Multi-class, the index of the most likely class. */
  MULTI_SOFTMAX("multi:softmax", false, true);

  // XGBoost clamps base_score into (kRtEps, 1 - kRtEps) before taking the logit.
  private static final float RT_EPS = 1e-6f;

  private final String xgboostName;
  private final boolean logistic;
  private final boolean multiClass;

  Objective(String xgboostName, boolean logistic, boolean multiClass) {
    this.xgboostName = xgboostName;
    this.logistic = logistic;
    this.multiClass = multiClass;
  }

  /**
   * The objective's name in XGBoost's parameters and saved models, e.g. {@code binary:logistic}.
   */
  public String xgboostName() {
    return xgboostName;
  }

  /** Whether the model has one output per class. */
  public boolean isMultiClass() {
    return multiClass;
  }

  /**
   * Returns the objective named as in XGBoost.
   *
   * @throws IllegalArgumentException naming the objective when FRIP does not support it
   */
  public static Objective fromXgboostName(String name) {
    for (Objective o : values()) {
      if (o.xgboostName.equals(name)) {
        return o;
      }
    }
    throw new IllegalArgumentException(
        "unsupported objective '"
            + name
            + "'; supported: binary:logistic, binary:logitraw, reg:squarederror, reg:logistic,"
            + " multi:softprob, multi:softmax");
  }

  /** Converts a saved {@code base_score} to the margin that starts every prediction. */
  public float baseScoreToMargin(float baseScore) {
    if (!logistic) {
      return baseScore;
    }
    float p = Math.min(Math.max(baseScore, RT_EPS), 1.0f - RT_EPS);
    // XGBoost computes -logf(1/p - 1) in float32; the argument is formed in float32 here too.
    return (float) -Math.log(1.0f / p - 1.0f);
  }

  /** Transforms one margin of a single-output model; identity for non-logistic objectives. */
  public float transform(float margin) {
    return logistic ? sigmoid(margin) : margin;
  }

  /**
   * Transforms the class margins of a multi-class model in place: softmax probabilities for
   * softprob; for softmax the first slot receives the winning class index.
   */
  void transformClasses(float[] margins, int offset, int numClasses) {
    if (this == MULTI_SOFTMAX) {
      int best = 0;
      float max = margins[offset];
      for (int k = 1; k < numClasses; k++) {
        if (margins[offset + k] > max) {
          max = margins[offset + k];
          best = k;
        }
      }
      margins[offset] = best;
      return;
    }
    float max = margins[offset];
    for (int k = 1; k < numClasses; k++) {
      max = Math.max(max, margins[offset + k]);
    }
    // As XGBoost: exponentials in float32, their sum in double, divided in float32.
    double sum = 0.0;
    for (int k = 0; k < numClasses; k++) {
      float e = (float) Math.exp(margins[offset + k] - max);
      margins[offset + k] = e;
      sum += e;
    }
    float s = (float) sum;
    for (int k = 0; k < numClasses; k++) {
      margins[offset + k] = margins[offset + k] / s;
    }
  }

  /** Number of values {@link XGBoostModel#predict(float[], float[])} writes per row. */
  int predictionWidth(int numOutputs) {
    return this == MULTI_SOFTMAX ? 1 : numOutputs;
  }

  static float sigmoid(float x) {
    // XGBoost clamps the exponent at 88.7 to keep expf finite.
    float e = (float) Math.exp(Math.min(-x, 88.7f));
    return 1.0f / (e + 1.0f);
  }

  @Override
  public String toString() {
    return xgboostName.toLowerCase(Locale.ROOT);
  }
}
