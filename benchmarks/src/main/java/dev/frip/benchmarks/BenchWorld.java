package dev.frip.benchmarks;

import dev.frip.core.events.PaymentEvent;
import dev.frip.core.events.PaymentMethod;
import dev.frip.core.events.PaymentStatus;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Random;
import java.util.UUID;

/**
 * Synthetic payments for the feature benchmarks: one reusable payment per user, whose event time
 * and id the benchmark moves forward. Users pay about twice a day (the Handbook's mean), so a
 * user's 30-day buffer settles near 60 events.
 */
final class BenchWorld {

  static final long T0 = Instant.parse("2026-03-02T00:00:00Z").toEpochMilli();
  static final long DAY = 86_400_000L;

  private static final int EVENT_ID = PaymentEvent.getClassSchema().getField("event_id").pos();
  private static final int EVENT_TIME = PaymentEvent.getClassSchema().getField("event_time").pos();
  private static final int AMOUNT = PaymentEvent.getClassSchema().getField("amount_minor").pos();
  private static final int FIELDS = PaymentEvent.getClassSchema().getFields().size();
  private static final int[] ID_FIELDS = {
    PaymentEvent.getClassSchema().getField("user_id").pos(),
    PaymentEvent.getClassSchema().getField("merchant_id").pos(),
    PaymentEvent.getClassSchema().getField("device_id").pos(),
    PaymentEvent.getClassSchema().getField("ip").pos()
  };

  final PaymentEvent[] payments;
  final String[] userIds;
  private boolean freshIds;

  BenchWorld(int users, long seed) {
    Random r = new Random(seed);
    payments = new PaymentEvent[users];
    userIds = new String[users];
    for (int u = 0; u < users; u++) {
      String user = "user-" + u;
      userIds[u] = user;
      payments[u] =
          PaymentEvent.newBuilder()
              .setEventId(new UUID(r.nextLong(), r.nextLong()))
              .setEventTime(Instant.ofEpochMilli(T0))
              .setPaymentId("p-" + u)
              .setOrderId("o-" + u)
              .setUserId(user)
              .setCardId("card-" + u)
              .setMerchantId("m" + r.nextInt(5000))
              .setMerchantCategory("grocery")
              .setMerchantCountry("FR")
              .setTerminalId("t" + r.nextInt(10_000))
              .setDeviceId("d-" + u + "-" + r.nextInt(2))
              .setIp("10." + r.nextInt(256) + "." + r.nextInt(256) + ".1")
              .setCountry("FR")
              .setLat(48 + r.nextDouble())
              .setLon(2 + r.nextDouble())
              .setAmountMinor(100 + r.nextInt(20_000))
              .setCurrency("EUR")
              .setPaymentMethod(PaymentMethod.CARD_NOT_PRESENT)
              .setStatus(PaymentStatus.AUTHORIZED)
              .build();
    }
  }

  /**
   * Moves user {@code u}'s payment to event number {@code n} of that user: 12 hours apart on
   * average, with the merchant varying. Returns the same (mutated) instance.
   */
  PaymentEvent next(int u, long n, long jitter) {
    PaymentEvent p = payments[u];
    p.put(EVENT_TIME, Instant.ofEpochMilli(T0 + n * (DAY / 2) + jitter));
    p.put(AMOUNT, 100L + (jitter & 0x3FFF));
    p.put(EVENT_ID, new UUID(n, u));
    return current(u);
  }

  /**
   * User {@code u}'s latest payment, unchanged; with fresh ids ({@link #ids}), with new copies of
   * its id strings, which the caller's timing then includes (two small allocations per string).
   */
  PaymentEvent current(int u) {
    PaymentEvent p = payments[u];
    if (freshIds) {
      for (int field : ID_FIELDS) {
        byte[] bytes = ((String) p.get(field)).getBytes(StandardCharsets.ISO_8859_1);
        p.put(field, new String(bytes, StandardCharsets.ISO_8859_1));
      }
    }
    return p;
  }

  /**
   * {@code payment} as a consumer receives it: a new record holding the same values, as a
   * deserializer builds one per message, so that it is in the cache where a user's reused template
   * is not. Pass the result of {@link #next} or {@link #current}, whose id strings are already new
   * copies with fresh ids.
   */
  static PaymentEvent received(PaymentEvent payment) {
    PaymentEvent p = new PaymentEvent();
    for (int f = 0; f < FIELDS; f++) {
      p.put(f, payment.get(f));
    }
    return p;
  }

  /**
   * With {@code "fresh"}, {@link #next} gives the payment new copies of its user, merchant, device
   * and IP strings, as a deserializer does for every record: the store then cannot recognise its
   * user by reference, and the strings' hashes are not cached yet. {@code "shared"} (the default)
   * keeps one instance per user, as the benchmarks did before this option.
   */
  BenchWorld ids(String mode) {
    if (!mode.equals("fresh") && !mode.equals("shared")) {
      throw new IllegalArgumentException("ids must be shared or fresh, was " + mode);
    }
    freshIds = mode.equals("fresh");
    return this;
  }
}
