package dev.frip.core;

import dev.frip.core.events.Channel;
import dev.frip.core.events.DeviceEvent;
import dev.frip.core.events.DeviceType;
import dev.frip.core.events.GeoEvent;
import dev.frip.core.events.GeoSource;
import dev.frip.core.events.OrderEvent;
import dev.frip.core.events.PaymentEvent;
import dev.frip.core.events.PaymentMethod;
import dev.frip.core.events.PaymentStatus;
import dev.frip.core.events.RefundEvent;
import dev.frip.core.events.RefundType;
import java.time.Instant;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;

/** Builders of valid events with deterministic ids, for tests. */
final class TestEvents {

  /** 2026-03-02 00:00 UTC, a Monday. */
  static final long T0 = Instant.parse("2026-03-02T00:00:00Z").toEpochMilli();

  static final long MIN = 60_000L;
  static final long HOUR = 60 * MIN;
  static final long DAY = 24 * HOUR;

  private static final AtomicLong SEQ = new AtomicLong();

  private TestEvents() {}

  static UUID nextId() {
    long n = SEQ.incrementAndGet();
    return new UUID(0x5EED_0000_0000_0000L | n, n * 0x9E37_79B9_7F4A_7C15L);
  }

  static PaymentEvent.Builder payment(String user, long time, long amountMinor) {
    UUID id = nextId();
    return PaymentEvent.newBuilder()
        .setEventId(id)
        .setEventTime(Instant.ofEpochMilli(time))
        .setPaymentId("p-" + id)
        .setOrderId("o-" + id)
        .setUserId(user)
        .setCardId("card-" + user)
        .setMerchantId("m1")
        .setMerchantCategory("grocery")
        .setMerchantCountry("FR")
        .setCountry("FR")
        .setAmountMinor(amountMinor)
        .setCurrency("EUR")
        .setPaymentMethod(PaymentMethod.CARD_NOT_PRESENT)
        .setStatus(PaymentStatus.AUTHORIZED);
  }

  static GeoEvent geo(String user, long time, double lat, double lon, String country) {
    return GeoEvent.newBuilder()
        .setEventId(nextId())
        .setEventTime(Instant.ofEpochMilli(time))
        .setUserId(user)
        .setDeviceId("dev-" + user)
        .setLat(lat)
        .setLon(lon)
        .setCountry(country)
        .setAccuracyM(10f)
        .setSource(GeoSource.GPS)
        .build();
  }

  static DeviceEvent device(String user, long time, String deviceId, String ip, String country) {
    return DeviceEvent.newBuilder()
        .setEventId(nextId())
        .setEventTime(Instant.ofEpochMilli(time))
        .setDeviceId(deviceId)
        .setUserId(user)
        .setDeviceType(DeviceType.MOBILE)
        .setOs("android")
        .setIp(ip)
        .setIpCountry(country)
        .setFirstSeen(true)
        .build();
  }

  static RefundEvent refund(
      String user, long time, PaymentEvent of, RefundType type, String scenario) {
    UUID id = nextId();
    return RefundEvent.newBuilder()
        .setEventId(id)
        .setEventTime(Instant.ofEpochMilli(time))
        .setRefundId("r-" + id)
        .setPaymentId(of.getPaymentId())
        .setOrderId(of.getOrderId())
        .setUserId(user)
        .setMerchantId(of.getMerchantId())
        .setAmountMinor(of.getAmountMinor())
        .setCurrency("EUR")
        .setRefundType(type)
        .setReason(type == RefundType.CHARGEBACK ? "fraud_card_not_present" : "item_not_received")
        .setFraudScenario(scenario)
        .build();
  }

  static OrderEvent order(String user, long time) {
    UUID id = nextId();
    return OrderEvent.newBuilder()
        .setEventId(id)
        .setEventTime(Instant.ofEpochMilli(time))
        .setOrderId("o-" + id)
        .setUserId(user)
        .setMerchantId("m1")
        .setMerchantCategory("grocery")
        .setMerchantCountry("FR")
        .setChannel(Channel.WEB)
        .setAmountMinor(100)
        .setCurrency("EUR")
        .setItemCount(1)
        .build();
  }
}
