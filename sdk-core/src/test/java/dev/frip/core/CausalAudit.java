package dev.frip.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import dev.frip.core.events.DeviceEvent;
import dev.frip.core.events.GeoEvent;
import dev.frip.core.events.OrderEvent;
import dev.frip.core.events.PaymentEvent;
import dev.frip.core.events.PaymentStatus;
import dev.frip.core.events.RefundEvent;
import dev.frip.core.events.RefundType;
import dev.frip.core.events.UserEvent;
import dev.frip.core.events.UserEventType;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * Reads a whole stream and checks, event by event, what a consumer may rely on: global time order,
 * keys, users before their events, devices before their use, orders before payments, refunds after
 * payments and never above the amount, labels only where fraud is.
 */
final class CausalAudit {

  final Map<String, Long> eventsPerTopic = new LinkedHashMap<>();
  final Map<FraudScenario, Long> labels = new EnumMap<>(FraudScenario.class);
  final Map<String, PaymentEvent> payments = new HashMap<>();
  final Map<String, Long> refunded = new HashMap<>();
  final Set<String> labelledPayments = new HashSet<>();
  long paymentCount;
  long declined;
  long ordinaryRefunds;
  long chargebacks;

  private final Set<String> users = new HashSet<>();
  private final Map<String, Set<String>> devices = new HashMap<>();
  private final Map<String, String> deviceIp = new HashMap<>();
  long deviceMoves;
  private final Map<String, OrderEvent> orders = new HashMap<>();
  private long lastTime = Long.MIN_VALUE;

  static CausalAudit of(EventStream stream) {
    CausalAudit audit = new CausalAudit();
    while (stream.hasNext()) {
      audit.accept(stream.next());
    }
    return audit;
  }

  void accept(GeneratedEvent e) {
    if (e.eventTime() < lastTime) {
      fail("event at %d after one at %d: %s", e.eventTime(), lastTime, e.value());
    }
    lastTime = e.eventTime();
    eventsPerTopic.merge(e.topic().name(), 1L, Long::sum);
    Object v = e.value();
    if (v instanceof UserEvent u) {
      check(e, u.getUserId(), u.getEventTime().toEpochMilli(), Topics.USERS);
      assertThat(u.getEventType()).isEqualTo(UserEventType.CREATED);
      assertThat(users.add(u.getUserId())).as("user created once: %s", u.getUserId()).isTrue();
    } else if (v instanceof DeviceEvent d) {
      check(e, d.getUserId(), d.getEventTime().toEpochMilli(), Topics.DEVICES);
      requireUser(d.getUserId());
      boolean first =
          devices.computeIfAbsent(d.getUserId(), k -> new HashSet<>()).add(d.getDeviceId());
      if (!first) {
        deviceMoves++;
        assertThat(d.getFirstSeen()).as("a device seen again is not first seen").isFalse();
      }
      deviceIp.put(d.getUserId() + "/" + d.getDeviceId(), d.getIp());
    } else if (v instanceof GeoEvent g) {
      check(e, g.getUserId(), g.getEventTime().toEpochMilli(), Topics.GEO_EVENTS);
      requireDevice(g.getUserId(), g.getDeviceId(), g.getIp());
    } else if (v instanceof OrderEvent o) {
      check(e, o.getUserId(), o.getEventTime().toEpochMilli(), Topics.ORDERS);
      requireDevice(o.getUserId(), o.getDeviceId(), o.getIp());
      assertThat(orders.put(o.getOrderId(), o)).as("order id unique").isNull();
    } else if (v instanceof PaymentEvent p) {
      checkPayment(e, p);
    } else if (v instanceof RefundEvent r) {
      checkRefund(e, r);
    } else {
      fail("unexpected value %s", v);
    }
  }

  private void checkPayment(GeneratedEvent e, PaymentEvent p) {
    check(e, p.getUserId(), p.getEventTime().toEpochMilli(), Topics.PAYMENTS);
    requireDevice(p.getUserId(), p.getDeviceId(), p.getIp());
    OrderEvent o = orders.get(p.getOrderId());
    assertThat(o).as("order %s before payment %s", p.getOrderId(), p.getPaymentId()).isNotNull();
    assertThat(o.getUserId()).isEqualTo(p.getUserId());
    assertThat(o.getMerchantId()).isEqualTo(p.getMerchantId());
    assertThat(o.getAmountMinor()).isEqualTo(p.getAmountMinor());
    assertThat(o.getEventTime()).isBeforeOrEqualTo(p.getEventTime());
    assertThat(p.getAmountMinor()).isNotNegative();
    assertThat(payments.put(p.getPaymentId(), p)).as("payment id unique").isNull();
    paymentCount++;
    if (p.getStatus() == PaymentStatus.DECLINED) {
      declined++;
      assertThat(p.getDeclineReason()).isNotNull();
    }
  }

  private void checkRefund(GeneratedEvent e, RefundEvent r) {
    check(e, r.getUserId(), r.getEventTime().toEpochMilli(), Topics.REFUNDS);
    PaymentEvent p = payments.get(r.getPaymentId());
    assertThat(p).as("payment %s before its refund", r.getPaymentId()).isNotNull();
    assertThat(r.getEventTime()).isAfter(p.getEventTime());
    assertThat(r.getOrderId()).isEqualTo(p.getOrderId());
    assertThat(r.getUserId()).isEqualTo(p.getUserId());
    assertThat(r.getCurrency()).isEqualTo(p.getCurrency());
    assertThat(p.getStatus())
        .as("declined payments are never refunded")
        .isEqualTo(PaymentStatus.AUTHORIZED);
    long sum = refunded.merge(r.getPaymentId(), r.getAmountMinor(), Long::sum);
    assertThat(sum)
        .as("refunds of %s within the amount", p.getPaymentId())
        .isLessThanOrEqualTo(p.getAmountMinor());
    String label = r.getFraudScenario();
    if (r.getRefundType() == RefundType.CHARGEBACK) {
      chargebacks++;
      assertThat(label).as("a chargeback names its scenario").isNotNull();
      assertThat(label).isNotEqualTo(FraudScenario.REFUND_ABUSE.label());
      assertThat(r.getAmountMinor()).isEqualTo(p.getAmountMinor());
    } else if (label == null) {
      ordinaryRefunds++;
    } else {
      assertThat(label).isEqualTo(FraudScenario.REFUND_ABUSE.label());
      assertThat(r.getAmountMinor()).as("abusive refunds are full").isEqualTo(p.getAmountMinor());
    }
    if (label != null) {
      assertThat(labelledPayments.add(p.getPaymentId())).as("one label per payment").isTrue();
      labels.merge(FraudScenario.parse(label), 1L, Long::sum);
    }
  }

  private void check(GeneratedEvent e, String userId, long valueTime, TopicSpec topic) {
    assertThat(e.topic()).isSameAs(topic);
    assertThat(e.key()).isEqualTo(userId);
    assertThat(e.eventTime()).isEqualTo(valueTime);
    if (topic != Topics.USERS) {
      requireUser(userId);
    }
  }

  private void requireUser(String userId) {
    if (!users.contains(userId)) {
      fail("event of user %s before the user was created", userId);
    }
  }

  /** The device was announced for this user before, and is used from the IP it was last seen at. */
  private void requireDevice(String userId, String deviceId, String ip) {
    if (deviceId == null) {
      return;
    }
    if (!devices.getOrDefault(userId, Set.of()).contains(deviceId)) {
      fail("device %s of user %s used before it was seen", deviceId, userId);
    }
    assertThat(ip).as("IP of device %s", deviceId).isEqualTo(deviceIp.get(userId + "/" + deviceId));
  }

  /** Labels the audit saw, with a zero for every scenario without any. */
  Map<FraudScenario, Long> labelsWithZeros() {
    Map<FraudScenario, Long> out = new EnumMap<>(FraudScenario.class);
    for (FraudScenario s : FraudScenario.values()) {
      out.put(s, labels.getOrDefault(s, 0L));
    }
    return out;
  }
}
