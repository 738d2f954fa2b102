package dev.frip.benchmarks;

import dev.frip.core.events.PaymentEvent;
import dev.frip.core.events.PaymentMethod;
import dev.frip.core.events.PaymentStatus;
import java.time.Instant;
import java.util.UUID;

/** Realistic payment events for benchmarks, deterministic per index. */
final class Payments {

  private Payments() {}

  static PaymentEvent payment(int i) {
    return PaymentEvent.newBuilder()
        .setEventId(new UUID(0x5eedL, i))
        .setEventTime(Instant.ofEpochMilli(1_767_225_600_000L + i * 37L))
        .setPaymentId("pay-" + i)
        .setOrderId("ord-" + i)
        .setUserId("user-" + (i % 50_000))
        .setCardId("card-" + (i % 70_000))
        .setMerchantId("m-" + (i % 2_000))
        .setMerchantCategory("electronics")
        .setMerchantCountry("DE")
        .setTerminalId("t-" + (i % 9_000))
        .setDeviceId(i % 3 == 0 ? null : "dev-" + (i % 60_000))
        .setIp("10.1." + (i % 250) + "." + (i % 200))
        .setCountry("DE")
        .setLat(52.52 + (i % 100) * 0.001)
        .setLon(13.40 + (i % 100) * 0.001)
        .setAmountMinor(100 + (i * 7919L) % 250_000)
        .setCurrency("EUR")
        .setPaymentMethod(i % 2 == 0 ? PaymentMethod.CARD_NOT_PRESENT : PaymentMethod.CARD_PRESENT)
        .setStatus(i % 20 == 0 ? PaymentStatus.DECLINED : PaymentStatus.AUTHORIZED)
        .setDeclineReason(i % 20 == 0 ? "insufficient_funds" : null)
        .build();
  }
}
