package dev.frip.benchmarks;

import dev.frip.core.FeatureStore;
import dev.frip.core.ObserveResult;
import dev.frip.core.events.PaymentEvent;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;

/**
 * Heap bytes per tracked user: heap used after a full GC, with the store filled, minus heap used
 * with an empty store. Run with {@code java -Xmx6g -XX:+UseSerialGC -cp
 * benchmarks/target/benchmarks.jar dev.frip.benchmarks.FeatureStoreMemory USERS EVENTS_PER_USER}.
 */
public final class FeatureStoreMemory {

  private static final int USER_ID = PaymentEvent.getClassSchema().getField("user_id").pos();

  private FeatureStoreMemory() {}

  /** Prints users, events per user, bytes per user and bytes per event kept. */
  public static void main(String[] args) {
    int users = args.length > 0 ? Integer.parseInt(args[0]) : 1_000_000;
    int events = args.length > 1 ? Integer.parseInt(args[1]) : 4;
    BenchWorld world = new BenchWorld(users, 7);
    FeatureStore store =
        FeatureStore.inMemory()
            .maximumUsers(users * 2L)
            .clock(Clock.fixed(Instant.parse("2040-01-01T00:00:00Z"), ZoneOffset.UTC))
            .build();
    long before = usedAfterGc();
    for (int n = 0; n < events; n++) {
      for (int u = 0; u < users; u++) {
        // 12 h apart: with 60 or fewer events all stay within the 30-day horizon
        PaymentEvent p = world.next(u, n, u % 1000);
        if (n == 0) { // the cache keeps this key: a string of its own, as after deserialising
          p.put(USER_ID, new String(world.userIds[u]));
        }
        if (store.observe(p) != ObserveResult.ACCEPTED) {
          throw new IllegalStateException("event not accepted");
        }
      }
    }
    long after = usedAfterGc();
    long perUser = (after - before) / users;
    System.out.printf(
        "users=%d events_per_user=%d tracked=%d heap_delta_bytes=%d bytes_per_user=%d%n",
        users, events, store.trackedUsers(), after - before, perUser);
    System.out.println(store.vector(world.payments[0]).length); // keep the store reachable
  }

  private static long usedAfterGc() {
    MemoryMXBean mem = ManagementFactory.getMemoryMXBean();
    for (int i = 0; i < 3; i++) {
      System.gc();
    }
    return mem.getHeapMemoryUsage().getUsed();
  }
}
