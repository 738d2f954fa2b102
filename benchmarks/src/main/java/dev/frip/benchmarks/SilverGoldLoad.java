package dev.frip.benchmarks;

import dev.frip.lakehouse.GoldJob;
import dev.frip.lakehouse.GoldResult;
import dev.frip.lakehouse.Lakehouse;
import dev.frip.lakehouse.SilverJob;
import dev.frip.lakehouse.SilverResult;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.time.LocalDate;

/**
 * Load tool for issue 4's "silver plus gold for one day of 5M payments within 60 s": writes {@code
 * PAYMENTS} payments of {@code USERS} users on 2026-03-02 into bronze of a fresh local lakehouse
 * (the {@link TrainingFeaturesLoad} shape; only payments and chargebacks, so silver's joins to
 * orders, users, devices and geo find nothing: a lower bound on the real job), then times {@link
 * SilverJob#run} and {@link GoldJob#run} for that day, wall and process CPU seconds each.
 *
 * <p>Usage: {@code java -Xmx12g -XX:+UseParallelGC -cp benchmarks/target/benchmarks.jar
 * dev.frip.benchmarks.SilverGoldLoad PAYMENTS USERS}
 */
public final class SilverGoldLoad {

  private static final LocalDate D = LocalDate.parse("2026-03-02");

  private SilverGoldLoad() {}

  /** Prepares bronze, then prints the silver and gold timings. */
  public static void main(String[] args) throws Exception {
    int payments = args.length > 0 ? Integer.parseInt(args[0]) : 5_000_000;
    int users = args.length > 1 ? Integer.parseInt(args[1]) : 1_000_000;
    Lakehouse lake = Lakehouse.local(Files.createTempDirectory("frip-silver-gold"));
    long s0 = System.nanoTime();
    TrainingFeaturesLoad.writeBronze(lake, D, payments, users);
    System.out.printf(
        "setup: %d payments into bronze in %.1f s%n", payments, (System.nanoTime() - s0) / 1e9);
    var os =
        (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    System.gc();
    long cpu0 = os.getProcessCpuTime();
    long t0 = System.nanoTime();
    SilverResult silver = SilverJob.builder(lake).build().run(D);
    long t1 = System.nanoTime();
    long cpu1 = os.getProcessCpuTime();
    GoldResult gold = GoldJob.builder(lake).build().run(D);
    long t2 = System.nanoTime();
    long cpu2 = os.getProcessCpuTime();
    System.out.printf(
        "silver %s: published=%s rows=%d wall_s=%.1f cpu_s=%.1f%n",
        D, silver.published(), silver.rows(), (t1 - t0) / 1e9, (cpu1 - cpu0) / 1e9);
    System.out.printf(
        "gold %s: published=%s tables=%d wall_s=%.1f cpu_s=%.1f%n",
        D, gold.published(), gold.tables().size(), (t2 - t1) / 1e9, (cpu2 - cpu1) / 1e9);
    System.out.printf(
        "silver+gold: wall_s=%.1f cpu_s=%.1f for %d payments%n",
        (t2 - t0) / 1e9, (cpu2 - cpu0) / 1e9, payments);
  }
}
