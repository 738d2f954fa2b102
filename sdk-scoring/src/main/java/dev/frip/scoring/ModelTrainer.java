package dev.frip.scoring;

import dev.frip.core.FeatureSchema;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import ml.dmlc.xgboost4j.java.Booster;
import ml.dmlc.xgboost4j.java.DMatrix;
import ml.dmlc.xgboost4j.java.XGBoost;
import ml.dmlc.xgboost4j.java.XGBoostError;

/**
 * Trains a binary fraud model with XGBoost (xgboost4j, an optional dependency: add it to train) on
 * rows laid out by a {@link FeatureSchema}, ready for the {@link ModelRegistry}.
 *
 * <pre>{@code
 * ModelTrainer.Result r = ModelTrainer.builder(FeatureCatalog.schema())
 *     .maxDepths(4, 6).learningRates(0.1, 0.3)   // the search grid
 *     .build()
 *     .train(x, labels, rows);                    // rows in event-time order
 * String version = registry.publish(r.model(), ModelLoader.Format.JSON, schema, r.metrics());
 * }</pre>
 *
 * <p><b>Validation.</b> Fraud labels drift with time, so the split is by time, not at random: the
 * last {@link Builder#validationFraction} of the rows (which must be in event-time order) validate,
 * the earlier ones train. Each candidate of the grid trains with early stopping on the validation
 * PR-AUC (average precision: the metric that matters when fraud is under 1% of payments); the best
 * candidate is retrained on the training rows with its best number of rounds.
 *
 * <p><b>Imbalance.</b> {@code scale_pos_weight} is the ratio of legitimate to fraudulent training
 * rows unless set, so the rare class weighs as much as the common one in the loss.
 *
 * <p>Reported metrics (validation rows, computed by FRIP's own evaluator on the final model, so
 * they are what serving will see): {@code auc}, {@code pr_auc}, {@code precision_at_review}/{@code
 * recall_at_review} at {@link Builder#reviewThreshold}, the row and fraud counts, and the chosen
 * hyperparameters. Deterministic for a given seed and input.
 *
 * @since 0.1
 */
public final class ModelTrainer {

  private final FeatureSchema schema;
  private final int[] maxDepths;
  private final double[] learningRates;
  private final int maxRounds;
  private final int earlyStopping;
  private final double validationFraction;
  private final Double scalePosWeight;
  private final double reviewThreshold;
  private final long seed;

  private ModelTrainer(Builder b) {
    this.schema = b.schema;
    this.maxDepths = b.maxDepths.clone();
    this.learningRates = b.learningRates.clone();
    this.maxRounds = b.maxRounds;
    this.earlyStopping = b.earlyStopping;
    this.validationFraction = b.validationFraction;
    this.scalePosWeight = b.scalePosWeight;
    this.reviewThreshold = b.reviewThreshold;
    this.seed = b.seed;
  }

  /** Starts configuring a trainer for rows laid out by {@code schema}. */
  public static Builder builder(FeatureSchema schema) {
    return new Builder(Objects.requireNonNull(schema, "schema"));
  }

  /**
   * A trained model: its XGBoost JSON bytes, the metrics and the hyperparameters that won.
   *
   * @param model the model as XGBoost's JSON ({@link ModelLoader.Format#JSON}), with the schema's
   *     feature names
   * @param metrics validation metrics and training facts, for {@link ModelRegistry#publish}
   * @param parameters the chosen XGBoost parameters
   */
  public record Result(byte[] model, Map<String, Double> metrics, Map<String, Object> parameters) {
    /** The model parsed by FRIP's loader. */
    public XGBoostModel load() {
      return ModelLoader.builder().build().read(model, ModelLoader.Format.JSON, "trained model");
    }
  }

  /**
   * Trains on {@code rows} rows of {@code x} (row-major, {@code schema.size()} values each, NaN for
   * missing) with labels 0 or 1, the rows in event-time order.
   *
   * @throws IllegalArgumentException when the sizes disagree, a label is not 0 or 1, or either part
   *     of the split lacks a fraud or a legitimate row
   * @throws IllegalStateException when XGBoost fails
   */
  public Result train(float[] x, float[] labels, int rows) {
    int nf = schema.size();
    if (rows < 2 || x.length != (long) rows * nf || labels.length != rows) {
      throw new IllegalArgumentException(
          "expected "
              + rows
              + " rows of "
              + nf
              + " features ("
              + (long) rows * nf
              + " values) and as many labels, got "
              + x.length
              + " values and "
              + labels.length
              + " labels");
    }
    for (int r = 0; r < rows; r++) {
      if (labels[r] != 0f && labels[r] != 1f) {
        throw new IllegalArgumentException(
            "label of row " + r + " is " + labels[r] + ", not 0 or 1");
      }
    }
    int trainRows = (int) Math.round(rows * (1 - validationFraction));
    int validRows = rows - trainRows;
    float[] xt = Arrays.copyOfRange(x, 0, trainRows * nf);
    float[] yt = Arrays.copyOfRange(labels, 0, trainRows);
    float[] xv = Arrays.copyOfRange(x, trainRows * nf, rows * nf);
    float[] yv = Arrays.copyOfRange(labels, trainRows, rows);
    long trainFraud = count(yt);
    long validFraud = count(yv);
    requireBothClasses("training", trainRows, trainFraud);
    requireBothClasses("validation", validRows, validFraud);
    double spw =
        scalePosWeight != null ? scalePosWeight : (trainRows - trainFraud) / (double) trainFraud;
    try {
      DMatrix train = matrix(xt, yt, trainRows, nf);
      DMatrix valid = matrix(xv, yv, validRows, nf);
      Map<String, Object> best = null;
      int bestRounds = 0;
      double bestScore = Double.NEGATIVE_INFINITY;
      for (int depth : maxDepths) {
        for (double eta : learningRates) {
          Map<String, Object> p = params(depth, eta, spw);
          // Boost round by round and score the validation rows ourselves: the same PR-AUC as the
          // reported metric, and no evaluation log lines from xgboost4j.
          Booster b = XGBoost.train(train, p, 0, new HashMap<>(), null, null);
          float[] prediction = new float[validRows];
          int rounds = 0;
          double score = Double.NEGATIVE_INFINITY;
          for (int round = 0; round < maxRounds && round - rounds < earlyStopping; round++) {
            b.update(train, round);
            float[][] out = b.predict(valid);
            for (int r = 0; r < validRows; r++) {
              prediction[r] = out[r][0];
            }
            double ap = averagePrecision(prediction, yv);
            if (ap > score) {
              score = ap;
              rounds = round + 1;
            }
          }
          b.dispose();
          if (score > bestScore) {
            bestScore = score;
            best = p;
            bestRounds = rounds;
          }
        }
      }
      Booster finalModel = XGBoost.train(train, best, bestRounds, new HashMap<>(), null, null);
      finalModel.setFeatureNames(schema.names().toArray(new String[0]));
      byte[] json = finalModel.toByteArray("json");
      finalModel.dispose();
      train.dispose();
      valid.dispose();
      Map<String, Object> chosen = new LinkedHashMap<>(best);
      chosen.put("num_boost_round", bestRounds);
      Map<String, Double> metrics =
          metrics(
              ModelLoader.builder().build().read(json, ModelLoader.Format.JSON, "trained model"),
              xv,
              yv,
              validRows);
      metrics.put("train_rows", (double) trainRows);
      metrics.put("train_frauds", (double) trainFraud);
      metrics.put("validation_rows", (double) validRows);
      metrics.put("validation_frauds", (double) validFraud);
      metrics.put("scale_pos_weight", spw);
      metrics.put("max_depth", ((Number) best.get("max_depth")).doubleValue());
      metrics.put("eta", ((Number) best.get("eta")).doubleValue());
      metrics.put("num_boost_round", (double) bestRounds);
      return new Result(json, metrics, chosen);
    } catch (XGBoostError e) {
      throw new IllegalStateException("XGBoost failed to train: " + e.getMessage(), e);
    }
  }

  private Map<String, Object> params(int depth, double eta, double spw) {
    Map<String, Object> p = new LinkedHashMap<>();
    p.put("objective", "binary:logistic");
    p.put("max_depth", depth);
    p.put("eta", eta);
    p.put("scale_pos_weight", spw);
    p.put("tree_method", "hist");
    p.put("nthread", 1); // deterministic, and leaves the other core to the platform
    p.put("seed", seed);
    p.put("subsample", 0.9);
    p.put("colsample_bytree", 0.9);
    return p;
  }

  private Map<String, Double> metrics(XGBoostModel model, float[] x, float[] y, int rows) {
    float[] p = new float[rows];
    model.predictBatch(x, rows, p, false);
    Map<String, Double> m = new LinkedHashMap<>();
    m.put("auc", auc(p, y));
    m.put("pr_auc", averagePrecision(p, y));
    long tp = 0;
    long fp = 0;
    long fn = 0;
    for (int i = 0; i < rows; i++) {
      boolean alert = p[i] >= reviewThreshold;
      boolean fraud = y[i] == 1f;
      tp += alert && fraud ? 1 : 0;
      fp += alert && !fraud ? 1 : 0;
      fn += !alert && fraud ? 1 : 0;
    }
    m.put("precision_at_review", tp + fp == 0 ? 0 : tp / (double) (tp + fp));
    m.put("recall_at_review", tp + fn == 0 ? 0 : tp / (double) (tp + fn));
    m.put("review_threshold", reviewThreshold);
    return m;
  }

  /** ROC AUC as the Mann-Whitney statistic, ties counted half. */
  static double auc(float[] score, float[] label) {
    Integer[] order = sortedByScore(score);
    double rankSumPos = 0;
    long pos = 0;
    int i = 0;
    while (i < order.length) {
      int j = i;
      while (j + 1 < order.length && score[order[j + 1]] == score[order[i]]) {
        j++;
      }
      double avgRank = (i + j) / 2.0 + 1; // ranks are 1-based, ascending score
      for (int k = i; k <= j; k++) {
        if (label[order[k]] == 1f) {
          rankSumPos += avgRank;
          pos++;
        }
      }
      i = j + 1;
    }
    long neg = order.length - pos;
    return (rankSumPos - pos * (pos + 1) / 2.0) / ((double) pos * neg);
  }

  /** Average precision: the mean of the precision at each fraud, scores descending. */
  static double averagePrecision(float[] score, float[] label) {
    Integer[] order = sortedByScore(score);
    long tp = 0;
    long seen = 0;
    double sum = 0;
    long positives = count(label);
    for (int k = order.length - 1; k >= 0; k--) {
      seen++;
      if (label[order[k]] == 1f) {
        tp++;
        sum += tp / (double) seen;
      }
    }
    return positives == 0 ? 0 : sum / positives;
  }

  private static Integer[] sortedByScore(float[] score) {
    Integer[] order = new Integer[score.length];
    for (int i = 0; i < order.length; i++) {
      order[i] = i;
    }
    Arrays.sort(order, (a, b) -> Float.compare(score[a], score[b]));
    return order;
  }

  private static DMatrix matrix(float[] x, float[] y, int rows, int nf) throws XGBoostError {
    DMatrix d = new DMatrix(x, rows, nf, Float.NaN);
    d.setLabel(y);
    return d;
  }

  private static long count(float[] labels) {
    long n = 0;
    for (float l : labels) {
      n += l == 1f ? 1 : 0;
    }
    return n;
  }

  private static void requireBothClasses(String part, int rows, long frauds) {
    if (frauds == 0 || frauds == rows) {
      throw new IllegalArgumentException(
          "the "
              + part
              + " part ("
              + rows
              + " rows) has "
              + frauds
              + " fraud rows: it needs both fraud and legitimate rows; use more data or another"
              + " validation fraction");
    }
  }

  @Override
  public String toString() {
    return String.format(
        Locale.ROOT,
        "ModelTrainer[%s, max_depth %s, eta %s, <= %d rounds, early stop %d, validation %.2f]",
        schema.version(),
        Arrays.toString(maxDepths),
        Arrays.toString(learningRates),
        maxRounds,
        earlyStopping,
        validationFraction);
  }

  /** Configures a {@link ModelTrainer}; every setter validates its argument at once. */
  public static final class Builder {
    private final FeatureSchema schema;
    private int[] maxDepths = {4, 6};
    private double[] learningRates = {0.1, 0.3};
    private int maxRounds = 200;
    private int earlyStopping = 20;
    private double validationFraction = 0.2;
    private Double scalePosWeight;
    private double reviewThreshold = Thresholds.DEFAULT.review();
    private long seed = 42;

    private Builder(FeatureSchema schema) {
      this.schema = schema;
    }

    /** Tree depths to search; default 4 and 6. */
    public Builder maxDepths(int... depths) {
      if (depths.length == 0 || Arrays.stream(depths).anyMatch(d -> d < 1 || d > 16)) {
        throw new IllegalArgumentException(
            "max depths must be 1 to 16, at least one: " + Arrays.toString(depths));
      }
      this.maxDepths = depths.clone();
      return this;
    }

    /** Learning rates (eta) to search; default 0.1 and 0.3. */
    public Builder learningRates(double... etas) {
      if (etas.length == 0 || Arrays.stream(etas).anyMatch(e -> !(e > 0 && e <= 1))) {
        throw new IllegalArgumentException(
            "learning rates must be in (0, 1], at least one: " + Arrays.toString(etas));
      }
      this.learningRates = etas.clone();
      return this;
    }

    /** Most boosting rounds per candidate; default 200. */
    public Builder maxRounds(int rounds) {
      if (rounds < 1) {
        throw new IllegalArgumentException("max rounds must be at least 1 but was " + rounds);
      }
      this.maxRounds = rounds;
      return this;
    }

    /** Stop a candidate after this many rounds without a better validation PR-AUC; default 20. */
    public Builder earlyStoppingRounds(int rounds) {
      if (rounds < 1) {
        throw new IllegalArgumentException("early stopping must be at least 1 but was " + rounds);
      }
      this.earlyStopping = rounds;
      return this;
    }

    /** The most recent share of rows used to validate; default 0.2. */
    public Builder validationFraction(double fraction) {
      if (!(fraction > 0 && fraction < 1)) {
        throw new IllegalArgumentException(
            "validation fraction must be in (0, 1) but was " + fraction);
      }
      this.validationFraction = fraction;
      return this;
    }

    /** A fixed {@code scale_pos_weight} instead of the legitimate/fraud ratio. */
    public Builder scalePosWeight(double weight) {
      if (!(weight > 0)) {
        throw new IllegalArgumentException("scale_pos_weight must be positive but was " + weight);
      }
      this.scalePosWeight = weight;
      return this;
    }

    /** The score at which a payment counts as alerted in the reported precision and recall. */
    public Builder reviewThreshold(double threshold) {
      if (!(threshold > 0 && threshold < 1)) {
        throw new IllegalArgumentException(
            "review threshold must be in (0, 1) but was " + threshold);
      }
      this.reviewThreshold = threshold;
      return this;
    }

    /** XGBoost's random seed (row and column subsampling); default 42. */
    public Builder seed(long seed) {
      this.seed = seed;
      return this;
    }

    /** Builds the trainer. */
    public ModelTrainer build() {
      return new ModelTrainer(this);
    }
  }
}
