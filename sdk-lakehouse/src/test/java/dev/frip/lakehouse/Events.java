package dev.frip.lakehouse;

import dev.frip.core.Topics;
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
import dev.frip.core.events.UserEvent;
import dev.frip.core.events.UserEventType;
import java.time.Instant;
import java.util.UUID;

/** Builds seed events for tests, with deterministic ids. */
public final class Events {

  private Events() {}

  public static UUID id(String s) {
    return UUID.nameUUIDFromBytes(s.getBytes(java.nio.charset.StandardCharsets.UTF_8));
  }

  public static PaymentEvent payment(String paymentId, String userId, Instant t, long amountMinor) {
    return PaymentEvent.newBuilder()
        .setEventId(id("pay-" + paymentId))
        .setEventTime(t)
        .setPaymentId(paymentId)
        .setOrderId("o-" + paymentId)
        .setUserId(userId)
        .setCardId("card-" + userId)
        .setMerchantId("m1")
        .setMerchantCategory("electronics")
        .setMerchantCountry("DE")
        .setTerminalId(null)
        .setDeviceId("d-" + userId)
        .setIp("10.0.0.1")
        .setCountry("DE")
        .setLat(null)
        .setLon(null)
        .setAmountMinor(amountMinor)
        .setCurrency("EUR")
        .setPaymentMethod(PaymentMethod.CARD_NOT_PRESENT)
        .setStatus(PaymentStatus.AUTHORIZED)
        .setDeclineReason(null)
        .build();
  }

  public static OrderEvent order(String paymentId, String userId, Instant t, long amountMinor) {
    return OrderEvent.newBuilder()
        .setEventId(id("order-" + paymentId))
        .setEventTime(t)
        .setOrderId("o-" + paymentId)
        .setUserId(userId)
        .setMerchantId("m1")
        .setMerchantCategory("electronics")
        .setMerchantCountry("DE")
        .setChannel(Channel.WEB)
        .setDeviceId("d-" + userId)
        .setIp("10.0.0.1")
        .setAmountMinor(amountMinor)
        .setCurrency("EUR")
        .setItemCount(2)
        .setShippingCountry("DE")
        .build();
  }

  public static UserEvent user(String userId, Instant t, String country, double lat, double lon) {
    return UserEvent.newBuilder()
        .setEventId(id("user-" + userId + "-" + t))
        .setEventTime(t)
        .setUserId(userId)
        .setEventType(UserEventType.CREATED)
        .setAccountCreatedAt(t)
        .setCountry(country)
        .setHomeLat(lat)
        .setHomeLon(lon)
        .setEmailDomain("example.com")
        .setKycVerified(true)
        .setHomeCurrency("EUR")
        .build();
  }

  public static DeviceEvent device(String userId, String deviceId, Instant t) {
    return DeviceEvent.newBuilder()
        .setEventId(id("device-" + userId + deviceId + t))
        .setEventTime(t)
        .setDeviceId(deviceId)
        .setUserId(userId)
        .setDeviceType(DeviceType.MOBILE)
        .setOs("android")
        .setIp("10.0.0.1")
        .setIpCountry("DE")
        .setIsEmulator(false)
        .setFirstSeen(true)
        .build();
  }

  public static GeoEvent geo(String userId, Instant t, String country, double lat, double lon) {
    return GeoEvent.newBuilder()
        .setEventId(id("geo-" + userId + t))
        .setEventTime(t)
        .setUserId(userId)
        .setDeviceId("d-" + userId)
        .setLat(lat)
        .setLon(lon)
        .setCountry(country)
        .setIp(null)
        .setAccuracyM(10f)
        .setSource(GeoSource.GPS)
        .build();
  }

  public static RefundEvent chargeback(
      String paymentId, String userId, Instant t, String scenario) {
    return RefundEvent.newBuilder()
        .setEventId(id("cb-" + paymentId))
        .setEventTime(t)
        .setRefundId("r-" + paymentId)
        .setPaymentId(paymentId)
        .setOrderId("o-" + paymentId)
        .setUserId(userId)
        .setMerchantId("m1")
        .setAmountMinor(1000)
        .setCurrency("EUR")
        .setRefundType(RefundType.CHARGEBACK)
        .setReason("fraud_card_not_present")
        .setFraudScenario(scenario)
        .build();
  }

  /** The scorer's verdict on a payment, produced {@code latencyMs} after it. */
  public static dev.frip.core.events.FraudScore score(
      String paymentId,
      String userId,
      Instant paymentTime,
      double score,
      dev.frip.core.events.Action action,
      java.util.List<String> reasons) {
    return dev.frip.core.events.FraudScore.newBuilder()
        .setEventId(id("score-" + paymentId))
        .setEventTime(paymentTime.plusMillis(2))
        .setPaymentId(paymentId)
        .setOrderId("o-" + paymentId)
        .setUserId(userId)
        .setMerchantId("m1")
        .setPaymentEventTime(paymentTime)
        .setScore(score)
        .setModelVersion("20260224T000000Z")
        .setAction(action)
        .setReasons(new java.util.ArrayList<>(reasons))
        .setFallback(false)
        .setLatencyUs(2000)
        .build();
  }

  public static BronzeRecord rec(
      org.apache.avro.specific.SpecificRecord value, int partition, long offset) {
    var topic =
        switch (value.getSchema().getName()) {
          case "PaymentEvent" -> Topics.PAYMENTS;
          case "OrderEvent" -> Topics.ORDERS;
          case "UserEvent" -> Topics.USERS;
          case "DeviceEvent" -> Topics.DEVICES;
          case "GeoEvent" -> Topics.GEO_EVENTS;
          case "RefundEvent" -> Topics.REFUNDS;
          case "FraudScore" -> Topics.FRAUD_SCORES;
          case "Alert" -> Topics.ALERTS;
          default -> throw new IllegalArgumentException(value.getSchema().getName());
        };
    return new BronzeRecord(topic, partition, offset, 1_700_000_000_000L + offset, 7, value);
  }
}
