package dev.frip.benchmarks;

import dev.frip.core.OfflineFeatures;
import dev.frip.core.events.PaymentEvent;
import dev.frip.core.events.PaymentMethod;
import dev.frip.core.events.PaymentStatus;
import java.time.Instant;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.UUID;

/**
 * Wall time of the offline path for one day of payments: {@code PAYMENTS} payments of {@code USERS}
 * users spread evenly over a day, generated lazily in event-time order (so the input costs no
 * heap), computed point-in-time into a sink that only sums the vectors. The generation cost is
 * measured on its own as well. Run with {@code java -Xmx4g -cp benchmarks/target/benchmarks.jar
 * dev.frip.benchmarks.OfflineFeaturesThroughput 5000000 1000000}.
 */
public final class OfflineFeaturesThroughput {

  private OfflineFeaturesThroughput() {}

  /** Prints payments, users, seconds for generation only and for the full computation. */
  public static void main(String[] args) {
    int payments = args.length > 0 ? Integer.parseInt(args[0]) : 5_000_000;
    int users = args.length > 1 ? Integer.parseInt(args[1]) : 1_000_000;
    Day day = new Day(payments, users);

    long g0 = System.nanoTime();
    long checksum = 0;
    for (PaymentEvent p : day) {
      checksum += p.getAmountMinor();
    }
    double generateSeconds = (System.nanoTime() - g0) / 1e9;

    double[] sum = new double[1];
    long t0 = System.nanoTime();
    OfflineFeatures.Summary s =
        OfflineFeatures.builder().build().compute(day, (p, v, l) -> sum[0] += v[1]);
    double seconds = (System.nanoTime() - t0) / 1e9;
    System.out.printf(
        "payments=%d users=%d rows=%d generate_only_s=%.2f offline_total_s=%.2f"
            + " (input read twice: labels pass + features pass) checksum=%d/%.0f%n",
        payments, users, s.rows(), generateSeconds, seconds, checksum, sum[0]);
  }

  /** One day of payments, created on the fly in event-time order. */
  private static final class Day implements Iterable<PaymentEvent> {
    private final int payments;
    private final String[] userIds;
    private final String[] deviceIds;
    private final String[] merchants = new String[5000];
    private final String[] terminals = new String[10_000];
    private final long start = Instant.parse("2026-03-02T00:00:00Z").toEpochMilli();

    Day(int payments, int users) {
      this.payments = payments;
      userIds = new String[users];
      deviceIds = new String[users];
      for (int u = 0; u < users; u++) {
        userIds[u] = "user-" + u;
        deviceIds[u] = "dev-" + u;
      }
      for (int i = 0; i < merchants.length; i++) {
        merchants[i] = "m" + i;
      }
      for (int i = 0; i < terminals.length; i++) {
        terminals[i] = "t" + i;
      }
    }

    @Override
    public Iterator<PaymentEvent> iterator() {
      return new Iterator<>() {
        private int i;

        @Override
        public boolean hasNext() {
          return i < payments;
        }

        @Override
        public PaymentEvent next() {
          if (i >= payments) {
            throw new NoSuchElementException();
          }
          long n = i++;
          int u = (int) Math.floorMod(n * 2_654_435_761L, (long) userIds.length);
          long time = start + n * 86_400_000L / payments;
          int mix = (int) (n * 0x9E37_79B9L >>> 8);
          return new PaymentEvent(
              new UUID(n, u),
              Instant.ofEpochMilli(time),
              "p" + n,
              "o" + n,
              userIds[u],
              "card-" + u,
              merchants[Math.floorMod(mix, merchants.length)],
              "grocery",
              "FR",
              terminals[Math.floorMod(mix >>> 3, terminals.length)],
              deviceIds[u],
              null,
              "FR",
              48.0 + (u % 1000) / 1000.0,
              2.0 + (mix & 0xFF) / 1000.0,
              100L + (mix & 0x3FFF),
              "EUR",
              PaymentMethod.CARD_NOT_PRESENT,
              PaymentStatus.AUTHORIZED,
              null);
        }
      };
    }
  }
}
