package dev.frip.scoring;

import dev.frip.scoring.internal.TreeEnsemble;
import java.util.List;
import java.util.Objects;

/**
 * An XGBoost tree model evaluated in pure Java: no native code, no allocation per single-row score,
 * thread-safe without locks (the model is immutable).
 *
 * <p>Margins are bit-identical to XGBoost's: splits compare {@code x < split_condition} in float32,
 * missing values (NaN, or the configured {@link #missingValue()}) follow the node's default
 * direction, and leaves are summed in float32 in tree order onto the base margin.
 *
 * <pre>{@code
 * XGBoostModel model = ModelLoader.load(Path.of("model.ubj"));
 * float[] row = new float[model.numFeatures()];
 * row[0] = 129.99f;                       // Float.NaN marks a missing value
 * float fraudProbability = model.predict(row);
 * }</pre>
 *
 * @since 0.1
 */
public final class XGBoostModel {

  private final Objective objective;
  private final List<String> featureNames;
  private final TreeEnsemble ensemble;
  private final String xgboostVersion;

  XGBoostModel(
      Objective objective, List<String> featureNames, TreeEnsemble ensemble, String version) {
    this.objective = objective;
    this.featureNames = featureNames;
    this.ensemble = ensemble;
    this.xgboostVersion = version;
  }

  /** The learning objective, which decides how margins become predictions. */
  public Objective objective() {
    return objective;
  }

  /** Number of features a row must carry, in the model's order. */
  public int numFeatures() {
    return ensemble.numFeatures();
  }

  /** Number of margins per row: 1, or the number of classes of a multi-class model. */
  public int numOutputs() {
    return ensemble.numOutputs();
  }

  /** Number of prediction values per row: 1, or the number of classes for multi:softprob. */
  public int predictionWidth() {
    return objective.predictionWidth(ensemble.numOutputs());
  }

  /** Number of trees. */
  public int numTrees() {
    return ensemble.numTrees();
  }

  /**
   * The feature names saved with the model, in order; {@code f0, f1, ...} when it was trained
   * without names.
   */
  public List<String> featureNames() {
    if (!featureNames.isEmpty()) {
      return featureNames;
    }
    String[] names = new String[numFeatures()];
    for (int i = 0; i < names.length; i++) {
      names[i] = "f" + i;
    }
    return List.of(names);
  }

  /** Whether the model file carried feature names. */
  public boolean hasFeatureNames() {
    return !featureNames.isEmpty();
  }

  /** The XGBoost version that wrote the model, e.g. {@code 3.4.0}, or empty when not recorded. */
  public String xgboostVersion() {
    return xgboostVersion;
  }

  /** The value treated as missing besides NaN (NaN by default). */
  public float missingValue() {
    return ensemble.missing();
  }

  /** Returns this model treating {@code missing} (as well as NaN) as a missing value. */
  public XGBoostModel withMissingValue(float missing) {
    return new XGBoostModel(objective, featureNames, ensemble.withMissing(missing), xgboostVersion);
  }

  /** This model on the evaluator's bounds-checked path; for tests comparing both paths. */
  XGBoostModel withBoundsChecks() {
    return new XGBoostModel(objective, featureNames, ensemble.withBoundsChecks(), xgboostVersion);
  }

  /** Whether single-row margins skip bounds checks (see the evaluator's {@code Unchecked}). */
  boolean unchecked() {
    return ensemble.unchecked();
  }

  /**
   * The raw margin of a single-output model.
   *
   * @param row at least {@link #numFeatures()} values in model order
   */
  public float margin(float[] row) {
    checkSingle(row, 0);
    return ensemble.margin(row, 0);
  }

  /** The prediction of a single-output model: a probability for logistic objectives. */
  public float predict(float[] row) {
    checkSingle(row, 0);
    return objective.transform(ensemble.margin(row, 0));
  }

  /**
   * The prediction of a single-output model, exactly as {@link #predict(float[])} gives it, and its
   * {@link #contributions} into {@code contributions} ({@link #numFeatures()} values and the bias),
   * from one descent of the trees: what a scorer needs for a score and its reasons.
   */
  public float predictWithContributions(float[] row, float[] contributions) {
    checkSingle(row, 0);
    checkOut(contributions, 0, numFeatures() + 1);
    return objective.transform(ensemble.marginAndContributions(row, 0, contributions));
  }

  /** Writes the {@link #numOutputs()} margins of one row into {@code out}. */
  public void margins(float[] row, float[] out) {
    checkRow(row, 0);
    checkOut(out, 0, numOutputs());
    ensemble.margins(row, 0, out, 0);
  }

  /**
   * Writes the prediction of one row into {@code out}, which needs {@link #numOutputs()} slots as
   * scratch space; {@link #predictionWidth()} values are meaningful (the class probabilities, or
   * for multi:softmax the class index in {@code out[0]}).
   */
  public void predict(float[] row, float[] out) {
    checkRow(row, 0);
    checkOut(out, 0, numOutputs());
    ensemble.margins(row, 0, out, 0);
    transformInPlace(out, 0);
  }

  /**
   * Scores {@code rows} consecutive rows of {@code data} (row-major, {@link #numFeatures()} values
   * each) and writes {@link #predictionWidth()} values per row into {@code out} (or {@link
   * #numOutputs()} margins per row when {@code outputMargin}).
   */
  public void predictBatch(float[] data, int rows, float[] out, boolean outputMargin) {
    int nf = numFeatures();
    int no = numOutputs();
    int width = outputMargin ? no : predictionWidth();
    if (rows < 0 || (long) rows * nf > data.length) {
      throw new IllegalArgumentException(
          "data holds " + data.length + " values, fewer than " + rows + " rows of " + nf);
    }
    if ((long) rows * width > out.length) {
      throw new IllegalArgumentException(
          "out holds " + out.length + " values, fewer than " + rows + " rows of " + width);
    }
    if (no == 1) {
      for (int r = 0, off = 0; r < rows; r++, off += nf) {
        float m = ensemble.margin(data, off);
        out[r] = outputMargin ? m : objective.transform(m);
      }
      return;
    }
    float[] scratch = new float[no];
    for (int r = 0, off = 0; r < rows; r++, off += nf) {
      ensemble.margins(data, off, scratch, 0);
      if (!outputMargin) {
        transformInPlace(scratch, 0);
      }
      System.arraycopy(scratch, 0, out, r * width, width);
    }
  }

  /**
   * Writes approximate per-feature contributions to the margin of {@code output} (0 for a
   * single-output model) into {@code out}: {@link #numFeatures()} values followed by the bias. The
   * values add up to the margin (up to float rounding); the largest are the reasons for a score.
   */
  public void contributions(float[] row, int output, float[] out) {
    checkRow(row, 0);
    Objects.checkIndex(output, numOutputs());
    checkOut(out, 0, numFeatures() + 1);
    ensemble.contributions(row, 0, output, out);
  }

  /** The evaluator, for the tests of this package. */
  TreeEnsemble ensemble() {
    return ensemble;
  }

  private void transformInPlace(float[] margins, int offset) {
    if (numOutputs() == 1) {
      margins[offset] = objective.transform(margins[offset]);
    } else {
      objective.transformClasses(margins, offset, numOutputs());
    }
  }

  private void checkSingle(float[] row, int offset) {
    if (numOutputs() != 1) {
      throw new IllegalStateException(
          "the model has "
              + numOutputs()
              + " outputs ("
              + objective.xgboostName()
              + "); use margins(row, out) or predict(row, out)");
    }
    checkRow(row, offset);
  }

  private void checkRow(float[] row, int offset) {
    if (row.length - offset < numFeatures()) {
      throw new IllegalArgumentException(
          "row has " + row.length + " values but the model needs " + numFeatures());
    }
  }

  private static void checkOut(float[] out, int offset, int needed) {
    if (out.length - offset < needed) {
      throw new IllegalArgumentException(
          "out has " + out.length + " slots but " + needed + " are needed");
    }
  }

  @Override
  public String toString() {
    return "XGBoostModel["
        + objective
        + ", "
        + numTrees()
        + " trees, "
        + numFeatures()
        + " features]";
  }
}
