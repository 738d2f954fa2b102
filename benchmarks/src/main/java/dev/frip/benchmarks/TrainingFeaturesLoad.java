package dev.frip.benchmarks;

import dev.frip.core.Topics;
import dev.frip.core.events.PaymentEvent;
import dev.frip.core.events.PaymentMethod;
import dev.frip.core.events.PaymentStatus;
import dev.frip.core.events.RefundEvent;
import dev.frip.core.events.RefundType;
import dev.frip.lakehouse.BronzeRecord;
import dev.frip.lakehouse.BronzeTableWriter;
import dev.frip.lakehouse.Lakehouse;
import dev.frip.lakehouse.SilverJob;
import dev.frip.lakehouse.SilverResult;
import dev.frip.lakehouse.TrainingFeaturesJob;
import dev.frip.lakehouse.TrainingFeaturesResult;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * Load tool for the training-table job: writes {@code PAYMENTS} payments of {@code USERS} users on
 * day D (2026-03-02) and {@code HISTORY_PER_DAY} payments on each of the {@code HISTORY_DAYS} days
 * before it into bronze of a local lakehouse, with a chargeback for 1% of them three days later,
 * builds silver for every day with {@link SilverJob} (setup, not timed), then times {@link
 * TrainingFeaturesJob#run} for D: reading silver and bronze, the point-in-time vectors, the quality
 * gate and the Delta commit of {@code gold/training_features}. A second argument set reuses a lake
 * already prepared in {@code DIR}. Prints wall seconds per phase and the process CPU seconds of the
 * run (all threads, GC included), the figure that matters on a shared machine.
 *
 * <p>Usage: {@code java -Xmx12g -XX:+UseParallelGC -cp benchmarks/target/benchmarks.jar
 * dev.frip.benchmarks.TrainingFeaturesLoad PAYMENTS USERS HISTORY_DAYS HISTORY_PER_DAY [DIR]}
 */
public final class TrainingFeaturesLoad {

  private static final LocalDate D = LocalDate.parse("2026-03-02");
  private static final int CHUNK = 250_000;

  private TrainingFeaturesLoad() {}

  /** Prepares the lake (unless DIR already holds one) and prints the job's timings. */
  public static void main(String[] args) throws Exception {
    int payments = args.length > 0 ? Integer.parseInt(args[0]) : 5_000_000;
    int users = args.length > 1 ? Integer.parseInt(args[1]) : 1_000_000;
    int historyDays = args.length > 2 ? Integer.parseInt(args[2]) : 0;
    int historyPerDay = args.length > 3 ? Integer.parseInt(args[3]) : 0;
    Path dir = args.length > 4 ? Path.of(args[4]) : Files.createTempDirectory("frip-training");
    Lakehouse lake = Lakehouse.local(dir);
    if (lake.scan(lake.silverPath()).on(D).count() == 0) {
      long s0 = System.nanoTime();
      for (int k = historyDays; k >= 0; k--) {
        LocalDate day = D.minusDays(k);
        prepare(lake, day, k == 0 ? payments : historyPerDay, users);
      }
      System.out.printf(
          "setup: %d + %d x %d payments into bronze and silver in %.1f s (%s)%n",
          payments, historyDays, historyPerDay, (System.nanoTime() - s0) / 1e9, dir);
    }
    System.gc();
    var os =
        (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    long cpu0 = os.getProcessCpuTime();
    long t0 = System.nanoTime();
    TrainingFeaturesResult r = TrainingFeaturesJob.builder(lake).build().run(D);
    double seconds = (System.nanoTime() - t0) / 1e9;
    double cpuSeconds = (os.getProcessCpuTime() - cpu0) / 1e9;
    System.out.printf(
        "training_features %s: published=%s rows=%d silver=%d quarantined=%d events=%d"
            + " read_s=%.1f compute_s=%.1f write_s=%.1f total_s=%.1f process_cpu_s=%.1f%n",
        D,
        r.published(),
        r.rows(),
        r.silverPayments(),
        r.quarantined(),
        r.eventsRead(),
        r.timings().read().toMillis() / 1e3,
        r.timings().compute().toMillis() / 1e3,
        r.timings().write().toMillis() / 1e3,
        seconds,
        cpuSeconds);
  }

  private static void prepare(Lakehouse lake, LocalDate day, int n, int users) {
    if (n == 0) {
      return;
    }
    writeBronze(lake, day, n, users);
    SilverResult s = SilverJob.builder(lake).build().run(day);
    if (!s.published() || s.rows() != n) {
      throw new IllegalStateException("silver for " + day + " failed: " + s);
    }
  }

  /**
   * Writes {@code n} payments of {@code users} users spread over {@code day} into bronze, in
   * 250k-record commits, and a chargeback three days later for 1% of them.
   */
  static void writeBronze(Lakehouse lake, LocalDate day, int n, int users) {
    BronzeTableWriter pays = lake.bronzeWriter(Topics.PAYMENTS);
    BronzeTableWriter refunds = lake.bronzeWriter(Topics.REFUNDS);
    long start = day.atStartOfDay(ZoneOffset.UTC).toInstant().toEpochMilli();
    long offset = pays.committedOffsets().getOrDefault(0, -1L) + 1;
    long refundOffset = refunds.committedOffsets().getOrDefault(0, -1L) + 1;
    List<BronzeRecord> chunk = new ArrayList<>(CHUNK);
    List<BronzeRecord> chargebacks = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      PaymentEvent p = payment(day, start, i, n, users);
      chunk.add(new BronzeRecord(Topics.PAYMENTS, 0, offset++, start, 1, p));
      if (i % 100 == 7) {
        chargebacks.add(
            new BronzeRecord(Topics.REFUNDS, 0, refundOffset++, start, 1, chargeback(p)));
      }
      if (chunk.size() == CHUNK) {
        pays.write(chunk);
        chunk.clear();
      }
    }
    pays.write(chunk);
    refunds.write(chargebacks);
  }

  private static PaymentEvent payment(LocalDate day, long start, long n, int count, int users) {
    int u = (int) Math.floorMod(n * 2_654_435_761L, (long) users);
    int mix = (int) (n * 0x9E37_79B9L >>> 8);
    String id = day + "-" + n;
    return PaymentEvent.newBuilder()
        .setEventId(new UUID(day.toEpochDay(), n))
        .setEventTime(Instant.ofEpochMilli(start + n * 86_400_000L / count))
        .setPaymentId("p" + id)
        .setOrderId("o" + id)
        .setUserId("user-" + u)
        .setCardId("card-" + u)
        .setMerchantId("m" + Math.floorMod(mix, 5000))
        .setMerchantCategory("grocery")
        .setMerchantCountry("FR")
        .setTerminalId("t" + Math.floorMod(mix >>> 3, 10_000))
        .setDeviceId("dev-" + u)
        .setIp("10." + (u >>> 16 & 0xFF) + "." + (u >>> 8 & 0xFF) + "." + (u & 0xFF))
        .setCountry("FR")
        .setLat(48.0 + (u % 1000) / 1000.0)
        .setLon(2.0 + (mix & 0xFF) / 1000.0)
        .setAmountMinor(100L + (mix & 0x3FFF))
        .setCurrency("EUR")
        .setPaymentMethod(PaymentMethod.CARD_NOT_PRESENT)
        .setStatus(PaymentStatus.AUTHORIZED)
        .setDeclineReason(null)
        .build();
  }

  private static RefundEvent chargeback(PaymentEvent p) {
    return RefundEvent.newBuilder()
        .setEventId(
            new UUID(
                ~p.getEventId().getMostSignificantBits(), p.getEventId().getLeastSignificantBits()))
        .setEventTime(p.getEventTime().plusSeconds(3 * 86_400))
        .setRefundId("r" + p.getPaymentId())
        .setPaymentId(p.getPaymentId())
        .setOrderId(p.getOrderId())
        .setUserId(p.getUserId())
        .setMerchantId(p.getMerchantId())
        .setAmountMinor(p.getAmountMinor())
        .setCurrency("EUR")
        .setRefundType(RefundType.CHARGEBACK)
        .setReason("fraud")
        .setFraudScenario("CARD_NOT_PRESENT")
        .build();
  }
}
