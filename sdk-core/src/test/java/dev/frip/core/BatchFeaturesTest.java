package dev.frip.core;

import static dev.frip.core.TestEvents.DAY;
import static dev.frip.core.TestEvents.HOUR;
import static dev.frip.core.TestEvents.T0;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.frip.core.events.PaymentEvent;
import dev.frip.core.events.RefundEvent;
import dev.frip.core.events.RefundType;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import org.apache.avro.specific.SpecificRecord;
import org.junit.jupiter.api.Test;

/** Batch features: the Handbook's delayed terminal risk and the entity counts. */
class BatchFeaturesTest {

  private static final LocalDate DAY_20 = LocalDate.of(2026, 3, 22); // T0 + 20 days

  private static double[] lookup(BatchFeatures b, PaymentEvent p) {
    double[] out = new double[6];
    b.fill(p, out, 0);
    return out;
  }

  private static PaymentEvent at(long t, String terminal) {
    return TestEvents.payment("u", t, 100).setTerminalId(terminal).build();
  }

  @Test
  void terminalRiskCountsFraudsKnownBeforeTheDayInTheDelayedWindow() {
    long d = T0 + 20 * DAY;
    List<SpecificRecord> events = new ArrayList<>();
    PaymentEvent fraudInWindow = at(d - 10 * DAY, "T1");
    PaymentEvent cleanInWindow = at(d - 9 * DAY, "T1");
    PaymentEvent fraudTooRecent = at(d - 3 * DAY, "T1"); // inside the 7-day delay: never counted
    PaymentEvent fraudLabelledLate = at(d - 12 * DAY, "T1"); // chargeback only after the day
    PaymentEvent fraudIn30Only = at(d - 20 * DAY, "T1");
    events.addAll(
        List.of(fraudInWindow, cleanInWindow, fraudTooRecent, fraudLabelledLate, fraudIn30Only));
    events.add(TestEvents.refund("u", d - 8 * DAY, fraudInWindow, RefundType.CHARGEBACK, "S2"));
    events.add(TestEvents.refund("u", d - 2 * DAY, fraudTooRecent, RefundType.CHARGEBACK, "S2"));
    events.add(TestEvents.refund("u", d + HOUR, fraudLabelledLate, RefundType.CHARGEBACK, "S2"));
    events.add(TestEvents.refund("u", d - 15 * DAY, fraudIn30Only, RefundType.CHARGEBACK, "S2"));

    BatchFeatures b = BatchFeatures.compute(events, DAY_20, DAY_20);

    double[] v = lookup(b, at(d + HOUR, "T1"));
    assertThat(v[0]).isEqualTo(1.0 / 3); // in (d-14d, d-7d]: 3 payments, 1 fraud known by d
    assertThat(v[1]).isEqualTo(2.0 / 4); // in (d-37d, d-7d]: 4 payments, 2 frauds known by d
    assertThat(lookup(b, at(d + HOUR, "T9"))[0]).isZero();
    assertThat(b.days()).containsExactly(DAY_20);
  }

  @Test
  void riskCountsWhatTheTrainingLabelsCallFraudNotEveryChargeback() {
    long d = T0 + 20 * DAY;
    PaymentEvent disputed = at(d - 10 * DAY, "T3"); // a chargeback that is not fraud
    PaymentEvent abused = at(d - 9 * DAY, "T3"); // an abusive refund: fraud by FraudLabels
    PaymentEvent abusedToo = at(d - 9 * DAY + HOUR, "T3");
    PaymentEvent refunded = at(d - 8 * DAY, "T3"); // an ordinary refund
    RefundEvent dispute =
        TestEvents.refund("u", d - 5 * DAY, disputed, RefundType.CHARGEBACK, null);
    dispute.put("reason", "item_not_received");
    List<SpecificRecord> events =
        List.of(
            disputed,
            abused,
            abusedToo,
            refunded,
            dispute,
            TestEvents.refund("u", d - 6 * DAY, abused, RefundType.REFUND, "refund_abuse"),
            TestEvents.refund("u", d - 6 * DAY, abusedToo, RefundType.REFUND, "refund_abuse"),
            TestEvents.refund("u", d - 6 * DAY, refunded, RefundType.REFUND, null));
    for (SpecificRecord e : events) {
      if (e instanceof RefundEvent r) {
        String type = r.getRefundType().name();
        boolean label = FraudLabels.marksFraud(type, r.getReason(), r.getFraudScenario());
        assertThat(label)
            .as("label of %s", r.getPaymentId())
            .isEqualTo(r != dispute && r.getFraudScenario() != null);
      }
    }

    double[] v = lookup(BatchFeatures.compute(events, DAY_20, DAY_20), at(d, "T3"));

    assertThat(v[0]).isEqualTo(2.0 / 4); // the abusive refunds, not the dispute
  }

  @Test
  void riskWindowsAreClosedAtTheDelayAndOpenAtTheirStart() {
    long d = T0 + 20 * DAY;
    PaymentEvent atDelay = at(d - 7 * DAY, "T2"); // counted: the window is (d-14d, d-7d]
    PaymentEvent atStart = at(d - 14 * DAY, "T2"); // not counted in the 7-day window
    List<SpecificRecord> events =
        List.of(
            atStart,
            atDelay,
            TestEvents.refund("u", d - HOUR, atDelay, RefundType.CHARGEBACK, "S2"));

    double[] v = lookup(BatchFeatures.compute(events, DAY_20, DAY_20), at(d, "T2"));

    assertThat(v[0]).isEqualTo(1.0);
    assertThat(v[1]).isEqualTo(0.5);
  }

  @Test
  void cardsPerDeviceAndUsersPerIpCountDistinctEntitiesOfThePast30Days() {
    long d = T0 + 20 * DAY;
    List<SpecificRecord> events = new ArrayList<>();
    events.add(
        TestEvents.payment("a", d - DAY, 1).setDeviceId("D").setCardId("c1").setIp("ip").build());
    events.add(TestEvents.payment("b", d - 2 * DAY, 1).setDeviceId("D").setCardId("c2").build());
    events.add(TestEvents.payment("c", d - 40 * DAY, 1).setDeviceId("D").setCardId("c3").build());
    events.add(TestEvents.device("e", d - DAY, "X", "ip", "FR"));
    events.add(TestEvents.geo("f", d - DAY, 1, 1, "FR"));
    events.add(TestEvents.payment("g", d + HOUR, 1).setDeviceId("D").setCardId("c4").build());

    BatchFeatures b = BatchFeatures.compute(events, DAY_20, DAY_20);

    double[] v =
        lookup(b, TestEvents.payment("z", d + HOUR, 1).setDeviceId("D").setIp("ip").build());
    assertThat(v[4]).isEqualTo(2); // c1, c2: c3 is too old, c4 is on the day itself
    assertThat(v[5]).isEqualTo(2); // users a and e
  }

  @Test
  void aMissingDayFallsBackToTheNewestEarlierTable() {
    BatchFeatures b =
        BatchFeatures.builder().day(LocalDate.of(2026, 3, 2)).terminalRisk("T1", 0.5, 0.25).build();

    assertThat(lookup(b, at(T0 + 3 * DAY, "T1"))[0]).isEqualTo(0.5);
    assertThat(lookup(BatchFeatures.empty(), at(T0, "T1"))[0]).isNaN();
  }

  @Test
  void builderAndComputeRejectNonsense() {
    assertThatThrownBy(() -> BatchFeatures.builder().terminalRisk("T", 0.1, 0.1))
        .isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> BatchFeatures.builder().day(DAY_20).merchantRisk("m", 1.5, 0.1))
        .hasMessageContaining("must be in [0, 1]");
    assertThatThrownBy(() -> BatchFeatures.builder().day(DAY_20).cardsPerDevice("D", -1))
        .hasMessageContaining("cards on 2026-03-22 was -1");
    assertThatThrownBy(() -> BatchFeatures.builder().day(DAY_20).usersPerIp("ip", -2))
        .hasMessageContaining("users on 2026-03-22 was -2");
    assertThatThrownBy(() -> BatchFeatures.compute(List.of(), DAY_20, DAY_20.minusDays(1)))
        .hasMessageContaining("is before");
  }
}
