package dev.frip.core;

import static dev.frip.core.TestEvents.DAY;
import static dev.frip.core.TestEvents.HOUR;
import static dev.frip.core.TestEvents.MIN;
import static dev.frip.core.TestEvents.T0;

import dev.frip.core.events.PaymentEvent;
import dev.frip.core.events.RefundType;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import org.apache.avro.specific.SpecificRecord;

/**
 * A small random multi-user world for consistency tests: payments (with bursts, several devices,
 * IPs, countries and terminals), geo fixes (some far from home: impossible travel), device
 * sightings, merchant refunds and chargebacks, and some events at the exact same millisecond.
 */
final class RandomWorld {

  private static final String[] COUNTRIES = {"FR", "DE", "ES", "US", "GB"};

  private RandomWorld() {}

  /** Events in non-decreasing event time. */
  static List<SpecificRecord> events(long seed, int users, int days) {
    Random r = new Random(seed);
    List<SpecificRecord> out = new ArrayList<>();
    for (int u = 0; u < users; u++) {
      String user = "u" + u;
      double homeLat = 35 + r.nextDouble() * 20;
      double homeLon = -5 + r.nextDouble() * 20;
      String home = COUNTRIES[r.nextInt(3)];
      double perDay = 1 + r.nextDouble() * 7;
      int devices = 1 + r.nextInt(3);
      long avgAmount = 500 + r.nextInt(20_000);
      long t = T0 + (long) (r.nextDouble() * DAY);
      while (t < T0 + days * DAY) {
        // payment, sometimes a burst of several within minutes
        int burst = r.nextDouble() < 0.1 ? 2 + r.nextInt(4) : 1;
        for (int b = 0; b < burst; b++) {
          long pt = t + b * (long) (r.nextDouble() * 3 * MIN);
          PaymentEvent.Builder p =
              TestEvents.payment(
                  user, pt, Math.max(1, (long) (avgAmount * (0.2 + r.nextGaussian() * 0.5 + 1))));
          p.setMerchantId("m" + r.nextInt(30));
          p.setTerminalId(r.nextDouble() < 0.9 ? "t" + r.nextInt(40) : null);
          p.setDeviceId(
              r.nextDouble() < 0.8
                  ? "d-" + user + "-" + r.nextInt(devices + (r.nextDouble() < 0.05 ? 5 : 0))
                  : null);
          p.setIp(r.nextDouble() < 0.8 ? "10.0." + r.nextInt(50) + "." + r.nextInt(4) : null);
          p.setCountry(r.nextDouble() < 0.9 ? home : COUNTRIES[r.nextInt(COUNTRIES.length)]);
          p.setCardId("card-" + user + "-" + r.nextInt(2));
          if (r.nextDouble() < 0.7) {
            p.setLat(homeLat + r.nextGaussian() * 0.05);
            p.setLon(homeLon + r.nextGaussian() * 0.05);
          }
          PaymentEvent pay = p.build();
          out.add(pay);
          if (r.nextDouble() < 0.05) {
            out.add(
                TestEvents.refund(
                    user, pt + (long) (r.nextDouble() * 5 * DAY), pay, RefundType.REFUND, null));
          }
          if (r.nextDouble() < 0.03) {
            out.add(
                TestEvents.refund(
                    user,
                    pt + (long) ((1 + r.nextDouble() * 20) * DAY),
                    pay,
                    RefundType.CHARGEBACK,
                    "S" + (1 + r.nextInt(3))));
          }
          if (r.nextDouble() < 0.05) { // same millisecond as the payment
            out.add(TestEvents.geo(user, pt, homeLat, homeLon, home));
          }
        }
        if (r.nextDouble() < 0.6) {
          boolean far = r.nextDouble() < 0.05;
          long gt = t + (long) (r.nextDouble() * 2 * HOUR);
          out.add(
              TestEvents.geo(
                  user,
                  gt,
                  far ? -33.9 : homeLat + r.nextGaussian() * 0.1,
                  far ? 151.2 : homeLon + r.nextGaussian() * 0.1,
                  far ? "AU" : home));
        }
        if (r.nextDouble() < 0.1) {
          out.add(
              TestEvents.device(
                  user,
                  t + (long) (r.nextDouble() * HOUR),
                  "d-" + user + "-" + r.nextInt(devices + 2),
                  "10.1." + r.nextInt(20) + ".1",
                  home));
        }
        t += (long) (-Math.log(1 - r.nextDouble()) * DAY / perDay);
      }
    }
    out.removeIf(e -> time(e) >= T0 + days * DAY + 30 * DAY);
    out.sort(Comparator.comparingLong(RandomWorld::time));
    return out;
  }

  /** Arrival order: each event delayed by up to {@code lateness} (exclusive), then sorted. */
  static List<SpecificRecord> shuffledWithin(
      List<SpecificRecord> sorted, long lateness, long seed) {
    Random r = new Random(seed);
    List<long[]> arrival = new ArrayList<>();
    for (int i = 0; i < sorted.size(); i++) {
      long delay = lateness <= 1 ? 0 : (long) (r.nextDouble() * (lateness - 1));
      arrival.add(new long[] {time(sorted.get(i)) + delay, i});
    }
    arrival.sort(Comparator.<long[]>comparingLong(a -> a[0]).thenComparingLong(a -> a[1]));
    List<SpecificRecord> out = new ArrayList<>();
    for (long[] a : arrival) {
      out.add(sorted.get((int) a[1]));
    }
    return out;
  }

  static long time(SpecificRecord e) {
    return ((java.time.Instant) e.get(1)).toEpochMilli();
  }

  static String user(SpecificRecord e) {
    return (String) e.get(e.getSchema().getField("user_id").pos());
  }
}
