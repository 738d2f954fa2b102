package dev.frip.benchmarks;

import dev.frip.core.FeatureCatalog;
import dev.frip.core.FeatureStore;
import dev.frip.core.ObserveResult;
import dev.frip.core.events.PaymentEvent;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Update plus full read per CPU-second of one thread, the "per core", which wall-clock JMH
 * runs cannot show while other processes share the cores. Same world and operations as {@link
 * FeatureStoreBenchmark#observeAndRead}, {@link FeatureStoreBenchmark#vectorAndObserve}, {@link
 * FeatureStoreBenchmark#vectorAndObserveBatch} and their baseline {@link
 * FeatureStoreBenchmark#baselineHashMapCounter}, all measured in this run, round after round.
 *
 * <p>{@code input} says what the timing includes. {@code inline} (the default): each payment is the
 * user's reused template, moved forward inside the timed loop, as in the JMH benchmark; the timing
 * then includes that preparation, and the template of a user who paid {@code users} payments ago is
 * cold in the cache, which a consumed record is not. {@code polled}: payments arrive in polls of
 * {@value #POLL}, built before the poll is timed as a consumer's deserializer builds them (new
 * records, with new id strings when {@code ids=fresh}, see {@link BenchWorld#received}); only the
 * store's (or the baseline's) work on the poll is timed.
 *
 * <p>Usage: {@code java -Xms2g -Xmx2g -XX:+UseParallelGC -cp benchmarks/target/benchmarks.jar
 * dev.frip.benchmarks.FeatureStoreCpuTime [users=100000] [events=3000000] [order=sequential]
 * [ids=shared] [input=inline]} ({@code order} and {@code ids} as in {@link FeatureStoreBenchmark}).
 */
public final class FeatureStoreCpuTime {

  private static final int HISTORY_PER_USER = 80;

  /**
   * Payments per poll in the {@code polled} input mode: Kafka's default {@code max.poll.records}.
   */
  static final int POLL = 500;

  private FeatureStoreCpuTime() {}

  /** Entry point. */
  public static void main(String[] args) {
    int users = args.length > 0 ? Integer.parseInt(args[0]) : 100_000;
    int n = args.length > 1 ? Integer.parseInt(args[1]) : 3_000_000;
    int[] order = FeatureStoreBenchmark.order(users, args.length > 2 ? args[2] : "sequential");
    String input = args.length > 4 ? args[4] : "inline";
    if (!input.equals("inline") && !input.equals("polled")) {
      throw new IllegalArgumentException("input must be inline or polled, was " + input);
    }
    boolean polled = input.equals("polled");
    n -= n % (polled ? POLL * FeatureStoreBenchmark.BATCH : FeatureStoreBenchmark.BATCH);
    ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    FeatureStore store =
        FeatureStore.inMemory()
            .maximumUsers(users * 2L)
            .clock(Clock.fixed(Instant.parse("2040-01-01T00:00:00Z"), ZoneOffset.UTC))
            .build();
    BenchWorld world = new BenchWorld(users, 42);
    long[] next = new long[users];
    long rng = 0x9E3779B97F4A7C15L;
    for (int e = 0; e < HISTORY_PER_USER; e++) {
      for (int u = 0; u < users; u++) {
        rng = xorShift(rng);
        if (store.observe(world.next(u, next[u]++, jitter(rng))) != ObserveResult.ACCEPTED) {
          throw new IllegalStateException("history event not accepted");
        }
      }
    }
    Map<String, long[]> baseline = new HashMap<>();
    for (String user : world.userIds) {
      baseline.put(user, new long[2]);
    }
    world.ids(args.length > 3 ? args[3] : "shared");
    double[] vector = new double[FeatureCatalog.size()];
    List<PaymentEvent> batch = new ArrayList<>();
    double[][] vectors = new double[FeatureStoreBenchmark.BATCH][FeatureCatalog.size()];
    ObserveResult[] outcomes = new ObserveResult[FeatureStoreBenchmark.BATCH];
    double sink = 0;
    int cursor = 0;
    String[] kinds = {
      "observe+vector", "vectorAndObserve", "vectorAndObserveBatch", "baselineHashMapCounter"
    };
    PaymentEvent[] poll = new PaymentEvent[POLL];
    for (int round = 0; round < 3 * kinds.length; round++) {
      int kind = round % kinds.length;
      boolean warmup = round < kinds.length;
      long cpu = 0;
      long wall = 0;
      for (int done = 0; done < n; ) {
        int count = polled ? POLL : n;
        if (polled) {
          for (int i = 0; i < POLL; i++) {
            rng = xorShift(rng);
            int u = order[cursor];
            cursor = cursor + 1 == users ? 0 : cursor + 1;
            poll[i] = BenchWorld.received(world.next(u, next[u]++, jitter(rng)));
          }
        }
        long cpu0 = threads.getCurrentThreadCpuTime();
        long wall0 = System.nanoTime();
        for (int i = 0; i < count; i++) {
          PaymentEvent p;
          if (polled) {
            p = poll[i];
          } else {
            rng = xorShift(rng);
            int u = order[cursor];
            cursor = cursor + 1 == users ? 0 : cursor + 1;
            p = world.next(u, next[u]++, jitter(rng));
          }
          if (kind == 2) {
            batch.add(p);
            if (batch.size() == FeatureStoreBenchmark.BATCH) {
              store.vectorAndObserve(batch, vectors, outcomes);
              sink += vectors[0][1];
              batch.clear();
            }
          } else if (kind == 0) {
            store.observe(p);
            store.vector(p, vector);
            sink += vector[1];
          } else if (kind == 1) {
            store.vectorAndObserve(p, vector);
            sink += vector[1];
          } else {
            long[] c = baseline.get(p.getUserId());
            c[0]++;
            c[1] += p.getAmountMinor();
            sink += c[0] + c[1];
          }
        }
        cpu += threads.getCurrentThreadCpuTime() - cpu0;
        wall += System.nanoTime() - wall0;
        done += count;
      }
      System.out.printf(
          Locale.ROOT,
          "%s %s (%s): %d events, %.0f per CPU-second, %.0f per wall-second%n",
          warmup ? "warmup" : "RESULT",
          kinds[kind],
          input,
          n,
          n / (cpu / 1e9),
          n / (wall / 1e9));
    }
    if (sink == 42) {
      System.out.println("(sink)");
    }
  }

  private static long xorShift(long x) {
    x ^= x << 13;
    x ^= x >>> 7;
    x ^= x << 17;
    return x;
  }

  private static long jitter(long rng) {
    return (rng >>> 1) % 3_600_000L;
  }
}
