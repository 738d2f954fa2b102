package dev.frip.benchmarks;

import dev.frip.core.TopicSpec;
import dev.frip.core.Topics;
import dev.frip.core.events.Channel;
import dev.frip.core.events.DeviceEvent;
import dev.frip.core.events.DeviceType;
import dev.frip.core.events.GeoEvent;
import dev.frip.core.events.GeoSource;
import dev.frip.core.events.OrderEvent;
import dev.frip.core.events.UserEvent;
import dev.frip.core.events.UserEventType;
import dev.frip.lakehouse.BronzeRecord;
import dev.frip.lakehouse.BronzeTableWriter;
import dev.frip.lakehouse.GoldJob;
import dev.frip.lakehouse.GoldResult;
import dev.frip.lakehouse.Lakehouse;
import dev.frip.lakehouse.SilverJob;
import dev.frip.lakehouse.SilverResult;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.apache.avro.specific.SpecificRecord;

/**
 * Load tool for issue 4's "silver plus gold for one day of 5M payments within 60 s": writes {@code
 * PAYMENTS} payments of {@code USERS} users on 2026-03-02 into bronze of a fresh local lakehouse
 * (the {@link TrainingFeaturesLoad} shape, a chargeback for 1%), then times {@link SilverJob#run}
 * and {@link GoldJob#run} for that day, wall and process CPU seconds each. The bronze setup is not
 * timed.
 *
 * <p>{@code MODE} {@code realistic} (the default) also writes what silver joins the payments with,
 * in the proportions of the seed's generator ({@code PlatformWorld}), so every join hits:
 *
 * <ul>
 *   <li>orders: one per payment, placed 5 to 90 s before it (the first few on the day before);
 *   <li>users: one {@code CREATED} profile per user, signed up on one of the 30 days before D;
 *   <li>devices: the user's device at sign-up, a second one for 30% of the users, and a sighting
 *       from a new IP for 1% of the users on each day since (D included);
 *   <li>geo: one fix a day on D and the 7 days before for the two thirds of the users with a mobile
 *       device, plus a fix just before each mobile-app payment (a third of them).
 * </ul>
 *
 * <p>{@code payments-only} writes only payments and chargebacks, as the tool did before, so
 * silver's joins find nothing: a lower bound, comparable with the older figures.
 *
 * <p>A lake directory {@code DIR} whose bronze already holds payments on D is reused as it is (no
 * setup; silver and gold replace their partition of D), so runs can be repeated without the minutes
 * of setup. Before and after the timed jobs, the files of D that the replaces left unreferenced are
 * deleted ({@link Lakehouse#deleteUnreferencedFiles}), so a long series of runs keeps the disk as
 * the first run found it.
 *
 * <p>Usage: {@code java -Xmx12g -XX:+UseParallelGC -cp benchmarks/target/benchmarks.jar
 * dev.frip.benchmarks.SilverGoldLoad PAYMENTS USERS [realistic|payments-only] [DIR]}
 */
public final class SilverGoldLoad {

  private static final LocalDate D = LocalDate.parse("2026-03-02");
  private static final int CHUNK = 250_000;
  private static final long DAY_MS = 86_400_000L;
  private static final int SIGNUP_DAYS = 30;
  private static final int GEO_DAYS = 7;

  private SilverGoldLoad() {}

  /** Prepares bronze, then prints the silver and gold timings. */
  public static void main(String[] args) throws Exception {
    int payments = args.length > 0 ? Integer.parseInt(args[0]) : 5_000_000;
    int users = args.length > 1 ? Integer.parseInt(args[1]) : 1_000_000;
    String mode = args.length > 2 ? args[2] : "realistic";
    if (!mode.equals("realistic") && !mode.equals("payments-only")) {
      throw new IllegalArgumentException(
          "MODE was '" + mode + "', must be realistic or payments-only");
    }
    Path dir = args.length > 3 ? Path.of(args[3]) : Files.createTempDirectory("frip-silver-gold");
    Lakehouse lake = Lakehouse.local(dir);
    // A full scan, although one column would tell: it also warms up the JIT and sizes the young
    // generation before the timed jobs, as it has since the first runs of this tool.
    if (lake.scan(lake.bronzePath(Topics.PAYMENTS)).on(D).count() == 0) {
      long s0 = System.nanoTime();
      TrainingFeaturesLoad.writeBronze(lake, D, payments, users);
      long joined = mode.equals("realistic") ? writeJoinInputs(lake, payments, users) : 0;
      System.out.printf(
          "setup (%s): %d payments, %d orders/users/devices/geo events into bronze in %.1f s (%s)%n",
          mode, payments, joined, (System.nanoTime() - s0) / 1e9, dir);
    } else {
      System.out.printf("reusing the bronze tables in %s%n", dir);
    }
    // Earlier runs' replaced files would pile up (tens of GB over a series) and slow the disk.
    vacuum(lake);
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
        "silver+gold (%s): wall_s=%.1f cpu_s=%.1f for %d payments%n",
        mode, (t2 - t0) / 1e9, (cpu2 - cpu0) / 1e9, payments);
    vacuum(lake);
  }

  /**
   * Deletes the files of day D that silver's and gold's tables (and their quarantines) no longer
   * reference: the partitions that this and earlier runs replaced. Not timed.
   */
  private static void vacuum(Lakehouse lake) {
    List<String> tables = new ArrayList<>();
    tables.add(lake.silverPath());
    tables.add(lake.quarantinePath(Lakehouse.SILVER_ENRICHED_TRANSACTIONS));
    for (String gold :
        List.of(
            GoldJob.DAILY_REVENUE,
            GoldJob.FRAUD_KPIS,
            GoldJob.MERCHANT_RISK,
            GoldJob.CUSTOMER_METRICS)) {
      tables.add(lake.goldPath(gold));
      tables.add(lake.quarantinePath(gold));
    }
    int deleted = 0;
    for (String t : tables) {
      deleted += lake.deleteUnreferencedFiles(t, D);
    }
    System.out.printf("deleted %d unreferenced data files of %s%n", deleted, D);
  }

  /**
   * Writes the orders, user profiles, devices and geo fixes the payments of {@link
   * TrainingFeaturesLoad#writeBronze} join with; returns how many events.
   */
  private static long writeJoinInputs(Lakehouse lake, int n, int users) {
    long start = D.atStartOfDay(ZoneOffset.UTC).toInstant().toEpochMilli();
    long count = 0;
    try (Sink orders = new Sink(lake, Topics.ORDERS);
        Sink geo = new Sink(lake, Topics.GEO_EVENTS)) {
      for (int i = 0; i < n; i++) {
        // The payment's fields, as TrainingFeaturesLoad.payment derives them.
        int u = (int) Math.floorMod(i * 2_654_435_761L, (long) users);
        int mix = (int) (i * 0x9E37_79B9L >>> 8);
        long payTime = start + i * DAY_MS / n;
        long orderTime = payTime - 5_000 - Math.floorMod(mix, 85_000);
        boolean app = i % 3 == 0 && hasMobile(u);
        String id = D + "-" + i;
        orders.add(
            OrderEvent.newBuilder()
                .setEventId(new UUID(~D.toEpochDay(), i))
                .setEventTime(Instant.ofEpochMilli(orderTime))
                .setOrderId("o" + id)
                .setUserId("user-" + u)
                .setMerchantId("m" + Math.floorMod(mix, 5000))
                .setMerchantCategory("grocery")
                .setMerchantCountry("FR")
                .setChannel(app ? Channel.MOBILE_APP : Channel.WEB)
                .setDeviceId("dev-" + u)
                .setIp(ip(u))
                .setAmountMinor(100L + (mix & 0x3FFF))
                .setCurrency("EUR")
                .setItemCount(1 + (mix >>> 14 & 3))
                .setShippingCountry("FR")
                .build(),
            orderTime);
        if (app) {
          geo.add(geoFix(u, i, orderTime - 1_000), orderTime - 1_000);
        }
      }
      geo.flush();
      // A daily fix on D and the GEO_DAYS days before it, for users with a mobile device.
      for (int k = GEO_DAYS; k >= 0; k--) {
        long dayStart = start - k * DAY_MS;
        for (int u = 0; u < users; u++) {
          if (hasMobile(u)) {
            long at = dayStart + 120_000 + Math.floorMod(u * 7_919L + k * 104_729L, 86_000_000L);
            geo.add(geoFix(u, n + (long) k * users + u, at), at);
          }
        }
      }
      count += orders.count + geo.count;
    }
    try (Sink profiles = new Sink(lake, Topics.USERS);
        Sink devices = new Sink(lake, Topics.DEVICES)) {
      for (int u = 0; u < users; u++) {
        long at = signup(start, u);
        String user = "user-" + u;
        profiles.add(
            UserEvent.newBuilder()
                .setEventId(new UUID(1L << 40 | u, 0))
                .setEventTime(Instant.ofEpochMilli(at))
                .setUserId(user)
                .setEventType(UserEventType.CREATED)
                .setAccountCreatedAt(Instant.ofEpochMilli(at))
                .setCountry("FR")
                .setHomeLat(48.0 + (u % 1000) / 1000.0)
                .setHomeLon(2.0 + (u % 997) / 1000.0)
                .setEmailDomain(u % 4 == 0 ? "example.org" : "example.com")
                .setKycVerified(u % 10 != 0)
                .setHomeCurrency("EUR")
                .build(),
            at);
        devices.add(device(u, "dev-" + u, at + 2_000, true), at + 2_000);
        if (u % 10 < 3) {
          devices.add(device(u, "dev-" + u + "-b", at + 15_000, true), at + 15_000);
        }
      }
      // 1% of the users a day show a known device from a new IP, before their first session.
      for (long day = -SIGNUP_DAYS; day <= 0; day++) {
        long dayStart = start + day * DAY_MS;
        for (int u = (int) Math.floorMod(day * 37, 100L); u < users; u += 100) {
          if (signup(start, u) < dayStart) {
            long at = dayStart + 60_000 + u % 50_000;
            devices.add(device(u, "dev-" + u, at, false), at);
          }
        }
      }
      count += profiles.count + devices.count;
    }
    return count;
  }

  /** Two thirds of the users have a mobile device that reports fixes. */
  private static boolean hasMobile(int u) {
    return u % 3 != 2;
  }

  /** Sign-up time: one of the SIGNUP_DAYS days before D. */
  private static long signup(long start, int u) {
    return start - (1 + u % SIGNUP_DAYS) * DAY_MS + Math.floorMod(u * 31_337L, DAY_MS);
  }

  private static String ip(int u) {
    return "10." + (u >>> 16 & 0xFF) + "." + (u >>> 8 & 0xFF) + "." + (u & 0xFF);
  }

  private static GeoEvent geoFix(int u, long seq, long at) {
    return GeoEvent.newBuilder()
        .setEventId(new UUID(2L << 40 | u, seq))
        .setEventTime(Instant.ofEpochMilli(at))
        .setUserId("user-" + u)
        .setDeviceId("dev-" + u)
        .setLat(48.0 + (u % 1000) / 1000.0 + (seq % 20 - 10) / 1000.0)
        .setLon(2.0 + (u % 997) / 1000.0 + (seq % 17 - 8) / 1000.0)
        .setCountry(seq % 50 == 0 ? "BE" : "FR")
        .setIp(ip(u))
        .setAccuracyM(5 + (float) (seq % 25))
        .setSource(seq % 10 < 6 ? GeoSource.GPS : GeoSource.WIFI)
        .build();
  }

  private static DeviceEvent device(int u, String id, long at, boolean first) {
    return DeviceEvent.newBuilder()
        .setEventId(new UUID(3L << 40 | u, at))
        .setEventTime(Instant.ofEpochMilli(at))
        .setDeviceId(id)
        .setUserId("user-" + u)
        .setDeviceType(hasMobile(u) ? DeviceType.MOBILE : DeviceType.DESKTOP)
        .setOs(hasMobile(u) ? (u % 2 == 0 ? "android" : "ios") : "windows")
        .setIp(ip(u))
        .setIpCountry("FR")
        .setIsEmulator(false)
        .setFirstSeen(first)
        .build();
  }

  /** Writes one topic's records to bronze in CHUNK-record commits, partition 0. */
  private static final class Sink implements AutoCloseable {
    private final TopicSpec topic;
    private final BronzeTableWriter writer;
    private final List<BronzeRecord> chunk = new ArrayList<>(CHUNK);
    private long offset;
    long count;

    Sink(Lakehouse lake, TopicSpec topic) {
      this.topic = topic;
      this.writer = lake.bronzeWriter(topic);
      this.offset = writer.committedOffsets().getOrDefault(0, -1L) + 1;
    }

    void add(SpecificRecord value, long timestamp) {
      chunk.add(new BronzeRecord(topic, 0, offset++, timestamp, 1, value));
      count++;
      if (chunk.size() == CHUNK) {
        flush();
      }
    }

    void flush() {
      if (!chunk.isEmpty()) {
        writer.write(chunk);
        chunk.clear();
      }
    }

    @Override
    public void close() {
      flush();
    }
  }
}
