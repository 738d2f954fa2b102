package dev.frip.benchmarks;

import dev.frip.core.FeatureCatalog;
import dev.frip.core.FeatureStore;
import dev.frip.core.ObserveResult;
import dev.frip.core.events.PaymentEvent;
import dev.frip.scoring.Decision;
import dev.frip.scoring.FeatureLookup;
import dev.frip.scoring.FeatureVector;
import dev.frip.scoring.FraudScorer;
import dev.frip.scoring.ModelLoader;
import dev.frip.scoring.ModelSource;
import dev.frip.scoring.ModelVersion;
import dev.frip.scoring.XGBoostModel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import ml.dmlc.xgboost4j.java.DMatrix;
import ml.dmlc.xgboost4j.java.XGBoost;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * A checkout's whole in-process decision, {@link FraudScorer#score(PaymentEvent)}: the payment's
 * features read from an in-process {@link FeatureStore} (100k users of about 60 events, paying in
 * random order, ids freshly deserialized), a 300-tree depth-6 model over the {@link FeatureCatalog}
 * vector, the action and three reason codes; next to its parts in the same run.
 *
 * <p>The model is trained with xgboost4j ({@code nthread=1}) on 20,000 of the store's own vectors
 * with a synthetic label (amount well above the user's usual, or a new device on a large amount),
 * so its splits fall where the features' values do; it is cached in {@code
 * ${java.io.tmpdir}/frip-bench-scorer-300x6.ubj}. Each payment is built before the call, outside
 * the timing, as a consumer's deserializer hands it over ({@link BenchWorld#received}); none is
 * folded, so the store stays as the set-up left it.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(
    value = 1,
    jvmArgs = {"-Xms2g", "-Xmx2g", "-XX:+UseParallelGC"})
@Warmup(iterations = 3, time = 3)
@Measurement(iterations = 5, time = 3)
public class FraudScorerBenchmark {

  static final int USERS = 100_000;
  private static final int HISTORY_PER_USER = 80;
  private static final int TRAINING_ROWS = 20_000;
  private static final int ROWS = 1024;
  private static final int AMOUNT = PaymentEvent.getClassSchema().getField("amount_minor").pos();

  FeatureStore store;
  BenchWorld world;
  int[] permutation;
  int cursor;
  long rng = 0x9E3779B97F4A7C15L;
  XGBoostModel model;
  FraudScorer scorer;
  FraudScorer scorerWithoutReasons;
  FeatureVector[] vectors;
  float[][] rows;
  final double[] features = new double[FeatureCatalog.size()];
  int next;

  @Setup(Level.Trial)
  public void setUp() throws Exception {
    store =
        FeatureStore.inMemory()
            .maximumUsers(USERS * 2L)
            .clock(Clock.fixed(Instant.parse("2040-01-01T00:00:00Z"), ZoneOffset.UTC))
            .build();
    world = new BenchWorld(USERS, 42);
    for (int n = 0; n < HISTORY_PER_USER; n++) {
      for (int u = 0; u < USERS; u++) {
        if (store.observe(world.next(u, n, jitter())) != ObserveResult.ACCEPTED) {
          throw new IllegalStateException("history event not accepted");
        }
      }
    }
    permutation = FeatureStoreBenchmark.order(USERS, "shuffled");
    world.ids("fresh");
    model = ModelLoader.load(modelFile());
    ModelVersion version =
        new ModelVersion("bench", model, FeatureCatalog.schema(), Map.<String, Double>of());
    FeatureLookup lookup = FeatureLookup.of(store);
    scorer = FraudScorer.builder().models(ModelSource.fixed(version)).features(lookup).build();
    scorerWithoutReasons =
        FraudScorer.builder()
            .models(ModelSource.fixed(version))
            .features(lookup)
            .maxReasons(0)
            .build();
    vectors = new FeatureVector[ROWS];
    rows = new float[ROWS][];
    double[] v = new double[FeatureCatalog.size()];
    for (int i = 0; i < ROWS; i++) {
      store.vector(BenchWorld.received(world.current(nextUser())), v);
      rows[i] = new float[v.length];
      for (int f = 0; f < v.length; f++) {
        rows[i][f] = (float) v[f];
      }
      vectors[i] = FeatureVector.wrap(FeatureCatalog.schema(), rows[i]);
    }
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    scorer.close();
    scorerWithoutReasons.close();
  }

  private Path modelFile() throws Exception {
    Path file = Path.of(System.getProperty("java.io.tmpdir"), "frip-bench-scorer-300x6.ubj");
    if (Files.exists(file)) {
      return file;
    }
    int nf = FeatureCatalog.size();
    float[] x = new float[TRAINING_ROWS * nf];
    float[] y = new float[TRAINING_ROWS];
    double[] v = new double[nf];
    Random r = new Random(5);
    for (int row = 0; row < TRAINING_ROWS; row++) {
      int u = r.nextInt(USERS);
      PaymentEvent p = BenchWorld.received(world.current(u));
      p.put(AMOUNT, 100L + (long) (Math.exp(r.nextGaussian() * 1.5) * 2_000));
      store.vector(p, v);
      for (int f = 0; f < nf; f++) {
        x[row * nf + f] = (float) v[f];
      }
      double z = v[FeatureCatalog.ZSCORE_IDX];
      boolean newDevice = v[FeatureCatalog.NEW_DEVICE_IDX] == 1.0;
      double s = (Double.isNaN(z) ? 0 : z) + (newDevice ? 1.5 : 0) + r.nextGaussian() * 0.7;
      y[row] = s > 2.5 ? 1f : 0f;
    }
    DMatrix d = new DMatrix(x, TRAINING_ROWS, nf, Float.NaN);
    d.setLabel(y);
    Map<String, Object> params = new HashMap<>();
    params.put("objective", "binary:logistic");
    params.put("max_depth", 6);
    params.put("eta", 0.1);
    params.put("nthread", 1);
    params.put("seed", 1);
    Path tmp = Files.createTempFile(file.getParent(), "train-", ".ubj");
    XGBoost.train(d, params, 300, new HashMap<>(), null, null).saveModel(tmp.toString());
    Files.move(tmp, file, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    return file;
  }

  private long jitter() {
    rng ^= rng << 13;
    rng ^= rng >>> 7;
    rng ^= rng << 17;
    return (rng >>> 1) % 3_600_000L;
  }

  int nextUser() {
    int u = permutation[cursor];
    cursor = cursor + 1 == USERS ? 0 : cursor + 1;
    return u;
  }

  /** The next user's latest payment, received before the call and outside its timing. */
  @State(Scope.Thread)
  public static class Received {
    PaymentEvent payment;

    /** Receives the next user's latest payment. */
    @Setup(Level.Invocation)
    public void receive(FraudScorerBenchmark b) {
      payment = BenchWorld.received(b.world.current(b.nextUser()));
    }
  }

  /** The whole decision: feature read, model, action and three reason codes. */
  @Benchmark
  public Decision scorePayment(Received r) {
    return scorer.score(r.payment);
  }

  /** The same without reason codes ({@code maxReasons(0)}). */
  @Benchmark
  public Decision scorePaymentWithoutReasons(Received r) {
    return scorerWithoutReasons.score(r.payment);
  }

  /** Part: the store's read of the payment's vector alone, into a reused buffer. */
  @Benchmark
  public double[] featuresOnly(Received r) {
    store.vector(r.payment, features);
    return features;
  }

  /** Part: a decision on a ready feature vector (model, action, reasons). */
  @Benchmark
  public Decision decideVector() {
    return scorer.score(vectors[next++ & (ROWS - 1)]);
  }

  /** Part: the model alone on the same vectors. */
  @Benchmark
  public float predictOnly() {
    return model.predict(rows[next++ & (ROWS - 1)]);
  }
}
