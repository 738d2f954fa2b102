package dev.frip.benchmarks;

import dev.frip.scoring.ModelLoader;
import dev.frip.scoring.XGBoostModel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import ml.dmlc.xgboost4j.java.Booster;
import ml.dmlc.xgboost4j.java.DMatrix;
import ml.dmlc.xgboost4j.java.XGBoost;
import ml.dmlc.xgboost4j.java.XGBoostError;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Pure-Java scoring against xgboost4j's {@code inplace_predict} on the same model and rows, in the
 * same run: a 300-tree, depth-6 binary:logistic model on 30 features (10% of cells missing).
 *
 * <p>The model is trained once with xgboost4j ({@code nthread=1}) and cached in {@code
 * ${java.io.tmpdir}/frip-bench-300x6x30.ubj} (override with {@code -Dfrip.bench.model=path}).
 * Single-row benchmarks score a different row of 1024 on each call, so paths vary as in traffic.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(
    value = 1,
    jvmArgsAppend = {"-Xmx1g"})
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class ScoringBenchmark {

  static final int FEATURES = 30;
  static final int TREES = 300;
  static final int DEPTH = 6;
  static final int ROWS = 1024;
  static final int BATCH = 10_000;

  XGBoostModel model;
  Booster booster;
  float[][] rows;
  float[] batch;
  float[] batchOut;
  int next;
  static final int[] ALL_TREES = {0, 0};

  @Setup(Level.Trial)
  public void setUp() throws Exception {
    Path file =
        Path.of(
            System.getProperty(
                "frip.bench.model",
                Path.of(System.getProperty("java.io.tmpdir"), "frip-bench-300x6x30.ubj")
                    .toString()));
    if (!Files.exists(file)) {
      Path tmp = Files.createTempFile(file.getParent(), "train-", ".ubj");
      train().saveModel(tmp.toString());
      Files.move(tmp, file, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    }
    model = ModelLoader.load(file);
    booster = XGBoost.loadModel(file.toString());
    booster.setParam("nthread", 1);
    Random rnd = new Random(42);
    rows = new float[ROWS][];
    for (int i = 0; i < ROWS; i++) {
      rows[i] = data(rnd, 1);
    }
    batch = data(rnd, BATCH);
    batchOut = new float[BATCH];
  }

  static float[] data(Random rnd, int n) {
    float[] x = new float[n * FEATURES];
    for (int i = 0; i < x.length; i++) {
      x[i] = rnd.nextDouble() < 0.1 ? Float.NaN : (float) rnd.nextGaussian();
    }
    return x;
  }

  static Booster train() throws XGBoostError {
    Random rnd = new Random(7);
    int n = 20_000;
    float[] x = data(rnd, n);
    float[] y = new float[n];
    for (int r = 0; r < n; r++) {
      double s = 0;
      for (int f = 0; f < 8; f++) {
        float v = x[r * FEATURES + f];
        s += Float.isNaN(v) ? 0 : v * (f % 2 == 0 ? 1 : -0.7);
      }
      y[r] = s + rnd.nextGaussian() > 1 ? 1f : 0f;
    }
    DMatrix d = new DMatrix(x, n, FEATURES, Float.NaN);
    d.setLabel(y);
    Map<String, Object> p = new HashMap<>();
    p.put("objective", "binary:logistic");
    p.put("max_depth", DEPTH);
    p.put("eta", 0.1);
    p.put("nthread", 1);
    p.put("seed", 1);
    return XGBoost.train(d, p, TREES, new HashMap<>(), null, null);
  }

  private float[] nextRow() {
    return rows[next++ & (ROWS - 1)];
  }

  /** FRIP: one row, pure Java, no allocation. */
  @Benchmark
  public float fripSingleRow() {
    return model.predict(nextRow());
  }

  /** xgboost4j: one row through JNI (inplace_predict, nthread=1). */
  @Benchmark
  public float xgboostSingleRow() throws XGBoostError {
    return booster
        .inplace_predict(
            nextRow(), 1, FEATURES, Float.NaN, ALL_TREES, Booster.PredictionType.kValue, null)[0][
        0];
  }

  /** FRIP: 10,000 rows in one call, reported per row. */
  @Benchmark
  @OperationsPerInvocation(BATCH)
  public float[] fripBatchPerRow() {
    model.predictBatch(batch, BATCH, batchOut, false);
    return batchOut;
  }

  /** xgboost4j: 10,000 rows in one inplace_predict call with one thread, reported per row. */
  @Benchmark
  @OperationsPerInvocation(BATCH)
  public float[][] xgboostBatchPerRow() throws XGBoostError {
    return booster.inplace_predict(
        batch, BATCH, FEATURES, Float.NaN, ALL_TREES, Booster.PredictionType.kValue, null);
  }
}
