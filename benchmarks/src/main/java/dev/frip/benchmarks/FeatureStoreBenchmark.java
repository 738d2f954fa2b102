package dev.frip.benchmarks;

import dev.frip.core.FeatureCatalog;
import dev.frip.core.FeatureStore;
import dev.frip.core.ObserveResult;
import dev.frip.core.events.PaymentEvent;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The online feature store's hot path, single thread: fold a payment and read the user's full
 * vector (the streaming scorer's work per payment), as two calls and as one, fold only, read only;
 * and a plain {@code HashMap} counter update plus read as the baseline of the same run.
 *
 * <p>Users start with 40 days of history (two payments a day), so each holds about 60 events in its
 * 30-day buffer, the steady state; every benchmarked payment moves its user forward by 12 hours.
 * Run: {@code java -jar benchmarks/target/benchmarks.jar FeatureStoreBenchmark}.
 */
@State(Scope.Thread)
@Fork(
    value = 1,
    jvmArgs = {"-Xms2g", "-Xmx2g", "-XX:+UseParallelGC"})
@Warmup(iterations = 3, time = 3)
@Measurement(iterations = 5, time = 3)
public class FeatureStoreBenchmark {

  @Param({"100000"})
  public int users;

  /**
   * The order users pay in: {@code sequential} cycles through them in creation order, so
   * neighbouring users sit side by side in memory and the table; {@code shuffled} cycles through a
   * fixed random permutation, as unrelated users' payments arrive.
   */
  @Param({"sequential", "shuffled"})
  public String order;

  /**
   * {@code shared}: a user's payments carry the same id instances; {@code fresh}: new copies of the
   * id strings per payment, as deserialized records have ({@link BenchWorld#ids}).
   */
  @Param({"shared"})
  public String ids;

  /** Payments per call of the batch benchmark: a small poll. */
  static final int BATCH = 64;

  private static final int HISTORY_PER_USER = 80;

  private FeatureStore store;
  private BenchWorld world;
  private long[] nextEvent;
  private final double[] vector = new double[FeatureCatalog.size()];
  private int cursor;
  private long rng = 0x9E3779B97F4A7C15L;
  private Map<String, long[]> baseline;
  private int[] permutation;
  private final List<PaymentEvent> batch = new ArrayList<>(BATCH);
  private final double[][] vectors = new double[BATCH][FeatureCatalog.size()];
  private final ObserveResult[] outcomes = new ObserveResult[BATCH];

  @Setup(Level.Trial)
  public void setUp() {
    store =
        FeatureStore.inMemory()
            .maximumUsers(users * 2L)
            .clock(Clock.fixed(Instant.parse("2040-01-01T00:00:00Z"), ZoneOffset.UTC))
            .build();
    world = new BenchWorld(users, 42);
    nextEvent = new long[users];
    baseline = new HashMap<>();
    for (int n = 0; n < HISTORY_PER_USER; n++) {
      for (int u = 0; u < users; u++) {
        if (store.observe(world.next(u, n, jitter())) != ObserveResult.ACCEPTED) {
          throw new IllegalStateException("history event not accepted");
        }
      }
    }
    permutation = order(users, order);
    world.ids(ids);
    for (int u = 0; u < users; u++) {
      nextEvent[u] = HISTORY_PER_USER;
      baseline.put(world.userIds[u], new long[2]);
    }
  }

  /**
   * The users in the order they pay: {@code sequential} or {@code shuffled} (see {@link #order}).
   */
  static int[] order(int users, String order) {
    if (users < BATCH) { // a batch holds one payment per user: each user's is one reused object
      throw new IllegalArgumentException("users must be at least " + BATCH + ", was " + users);
    }
    int[] permutation = new int[users];
    for (int u = 0; u < users; u++) {
      permutation[u] = u;
    }
    if (order.equals("shuffled")) {
      Random r = new Random(7);
      for (int u = users - 1; u > 0; u--) {
        int v = r.nextInt(u + 1);
        int t = permutation[u];
        permutation[u] = permutation[v];
        permutation[v] = t;
      }
    } else if (!order.equals("sequential")) {
      throw new IllegalArgumentException("order must be sequential or shuffled, was " + order);
    }
    return permutation;
  }

  private long jitter() {
    rng ^= rng << 13;
    rng ^= rng >>> 7;
    rng ^= rng << 17;
    return (rng >>> 1) % 3_600_000L;
  }

  private int nextUser() {
    int u = permutation[cursor];
    cursor = cursor + 1 == users ? 0 : cursor + 1;
    return u;
  }

  /** Fold a new payment and read its full vector: events per second = ops per second. */
  @Benchmark
  @BenchmarkMode(Mode.Throughput)
  @OutputTimeUnit(TimeUnit.SECONDS)
  public double[] observeAndRead() {
    int u = nextUser();
    PaymentEvent p = world.next(u, nextEvent[u]++, jitter());
    store.observe(p);
    store.vector(p, vector);
    return vector;
  }

  /**
   * The same work in one call ({@link FeatureStore#vectorAndObserve}): read the vector, then fold
   * the payment, under one look-up and one lock, as a scorer does on a payment's arrival.
   */
  @Benchmark
  @BenchmarkMode(Mode.Throughput)
  @OutputTimeUnit(TimeUnit.SECONDS)
  public double[] vectorAndObserve() {
    int u = nextUser();
    store.vectorAndObserve(world.next(u, nextEvent[u]++, jitter()), vector);
    return vector;
  }

  /**
   * The same work for a poll of {@link #BATCH} payments in one call ({@link
   * FeatureStore#vectorAndObserve(List, double[][], ObserveResult[])}); reported per payment.
   */
  @Benchmark
  @BenchmarkMode(Mode.Throughput)
  @OutputTimeUnit(TimeUnit.SECONDS)
  @OperationsPerInvocation(BATCH)
  public ObserveResult[] vectorAndObserveBatch() {
    batch.clear();
    for (int i = 0; i < BATCH; i++) {
      int u = nextUser();
      batch.add(world.next(u, nextEvent[u]++, jitter()));
    }
    store.vectorAndObserve(batch, vectors, outcomes);
    return outcomes;
  }

  /** Fold only. */
  @Benchmark
  @BenchmarkMode(Mode.Throughput)
  @OutputTimeUnit(TimeUnit.SECONDS)
  public ObserveResult observeOnly() {
    int u = nextUser();
    return store.observe(world.next(u, nextEvent[u]++, jitter()));
  }

  /** Read a user's full vector for their latest payment; SampleTime gives the percentiles. */
  @Benchmark
  @BenchmarkMode(Mode.SampleTime)
  @OutputTimeUnit(TimeUnit.NANOSECONDS)
  public double[] readLatency() {
    store.vector(world.current(nextUser()), vector);
    return vector;
  }

  /**
   * The payment of the next {@link #readLatencyReceived} call, built before the call and outside
   * its timing, as a consumer's deserializer hands it over: a new record, its id strings new copies
   * when {@code ids=fresh} ({@link BenchWorld#received}).
   */
  @State(Scope.Thread)
  public static class Received {
    PaymentEvent payment;

    /** Receives the next user's latest payment, the one {@link #readLatency} reads. */
    @Setup(Level.Invocation)
    public void receive(FeatureStoreBenchmark b) {
      payment = BenchWorld.received(b.world.current(b.nextUser()));
    }
  }

  /**
   * The read of {@link #readLatency} on a payment just received ({@link Received}): the store's
   * read alone, where {@link #readLatency} also times touching the user's reused payment, cold in
   * the cache when users are many, and (with fresh ids) copying its id strings.
   */
  @Benchmark
  @BenchmarkMode(Mode.SampleTime)
  @OutputTimeUnit(TimeUnit.NANOSECONDS)
  public double[] readLatencyReceived(Received r) {
    store.vector(r.payment, vector);
    return vector;
  }

  /**
   * The poll of the next {@link #vectorAndObserveBatchReceived} call: {@link #BATCH} payments of
   * the next users, built before the call and outside its timing, as a consumer's deserializer
   * hands them over ({@link BenchWorld#received}).
   */
  @State(Scope.Thread)
  public static class ReceivedPoll {
    final List<PaymentEvent> payments = new ArrayList<>(BATCH);

    /** Receives the next {@link #BATCH} payments. */
    @Setup(Level.Invocation)
    public void receive(FeatureStoreBenchmark b) {
      payments.clear();
      for (int i = 0; i < BATCH; i++) {
        int u = b.nextUser();
        payments.add(BenchWorld.received(b.world.next(u, b.nextEvent[u]++, b.jitter())));
      }
    }
  }

  /**
   * The work of {@link #vectorAndObserveBatch} on payments just received ({@link ReceivedPoll}):
   * the store's alone, where {@link #vectorAndObserveBatch} also times preparing the payments from
   * the users' reused templates; reported per payment.
   */
  @Benchmark
  @BenchmarkMode(Mode.Throughput)
  @OutputTimeUnit(TimeUnit.SECONDS)
  @OperationsPerInvocation(BATCH)
  public ObserveResult[] vectorAndObserveBatchReceived(ReceivedPoll poll) {
    store.vectorAndObserve(poll.payments, vectors, outcomes);
    return outcomes;
  }

  /** Baseline: a count and a sum per user in a HashMap, updated and read. */
  @Benchmark
  @BenchmarkMode(Mode.Throughput)
  @OutputTimeUnit(TimeUnit.SECONDS)
  public long baselineHashMapCounter() {
    int u = nextUser();
    PaymentEvent p = world.next(u, nextEvent[u]++, jitter());
    long[] c = baseline.get(p.getUserId());
    c[0]++;
    c[1] += p.getAmountMinor();
    return c[0] + c[1];
  }
}
