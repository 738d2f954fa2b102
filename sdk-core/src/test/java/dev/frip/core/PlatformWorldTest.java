package dev.frip.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.frip.core.events.PaymentEvent;
import dev.frip.core.events.PaymentMethod;
import java.util.EnumSet;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The platform profile over three weeks of a mid-sized world: causality, labels, fraud rate. */
class PlatformWorldTest {

  private static final double TARGET_RATE = 0.02;
  private static GenerationSummary summary;
  private static CausalAudit audit;

  @BeforeAll
  static void generate() {
    GeneratorConfig config =
        GeneratorConfig.builder()
            .seed(11)
            .days(21)
            .users(3_000)
            .merchants(200)
            .terminals(600)
            .fraudRate(TARGET_RATE)
            .build();
    try (EventStream stream = WorldGenerator.create(config).stream()) {
      audit = CausalAudit.of(stream);
      summary = stream.summary();
    }
  }

  @Test
  void everyEventIsCausallyConsistentAndInTimeOrder() {
    // CausalAudit failed the stream on the first violation; here the run was non-trivial.
    assertThat(audit.paymentCount).isGreaterThan(50_000);
    assertThat(audit.eventsPerTopic.keySet())
        .containsExactlyInAnyOrder(
            "orders", "payments", "users", "devices", "geo_events", "refunds");
  }

  @Test
  void summaryCountsWhatWasEmitted() {
    assertThat(summary.eventsPerTopic()).isEqualTo(audit.eventsPerTopic);
    assertThat(summary.payments()).isEqualTo(audit.paymentCount);
    assertThat(summary.declinedPayments()).isEqualTo(audit.declined);
    assertThat(summary.users()).isEqualTo(3_000);
    assertThat(summary.totalEvents())
        .isEqualTo(audit.eventsPerTopic.values().stream().mapToLong(Long::longValue).sum());
  }

  @Test
  void summaryLabelsMatchTheLabelsEmitted() {
    assertThat(summary.fraudPaymentsPerScenario()).isEqualTo(audit.labelsWithZeros());
    assertThat(summary.fraudPaymentsAddedPerScenario())
        .isEqualTo(summary.fraudPaymentsPerScenario());
    assertThat(summary.fraudPayments()).isEqualTo(audit.labelledPayments.size());
    assertThat(summary.fraudPaymentsPerDay().stream().mapToLong(Long::longValue).sum())
        .isEqualTo(summary.fraudPayments());
  }

  @Test
  void fraudRateIsNearTheTarget() {
    System.out.printf(
        "platform: %d payments, %d labelled, rate %.4f (target %.4f), per scenario %s%n",
        summary.payments(),
        summary.fraudPayments(),
        summary.fraudRate(),
        TARGET_RATE,
        summary.fraudPaymentsPerScenario());
    assertThat(summary.fraudRate()).isCloseTo(TARGET_RATE, within(TARGET_RATE * 0.3));
  }

  @Test
  void everyScenarioOfTheMixOccurs() {
    for (FraudScenario s : FraudScenario.values()) {
      assertThat(summary.fraudPaymentsPerScenario().get(s)).as(s.label()).isPositive();
    }
    assertThat(summary.compromisedCards()).isPositive();
  }

  @Test
  void ordinaryRefundsCarryNoLabelAndDeclinesHappen() {
    assertThat(audit.ordinaryRefunds).isPositive();
    assertThat(audit.declined).isPositive();
    assertThat(audit.deviceMoves).as("devices seen from a new IP").isPositive();
    assertThat(audit.chargebacks)
        .isEqualTo(
            summary.fraudPayments()
                - summary.fraudPaymentsPerScenario().get(FraudScenario.REFUND_ABUSE));
  }

  @Test
  void paymentsCarryNoLabelField() {
    assertThat(PaymentEvent.getClassSchema().getFields())
        .noneMatch(f -> f.name().contains("fraud") || f.name().contains("label"));
  }

  @Test
  void cardPresentPaymentsHaveTerminalAndLocationOnlinePaymentsAnIp() {
    long present = 0;
    for (PaymentEvent p : audit.payments.values()) {
      if (p.getPaymentMethod() == PaymentMethod.CARD_PRESENT) {
        present++;
        assertThat(p.getTerminalId()).isNotNull();
        assertThat(p.getLat()).isNotNull();
        assertThat(p.getDeviceId()).isNull();
      } else {
        assertThat(p.getIp()).isNotNull();
        assertThat(p.getTerminalId()).isNull();
      }
    }
    assertThat(present).isPositive();
  }

  @Test
  void aRestrictedMixProducesOnlyItsScenarios() {
    Set<FraudScenario> mix = EnumSet.of(FraudScenario.CARD_TESTING, FraudScenario.HIGH_AMOUNT);
    GeneratorConfig config =
        GeneratorConfig.builder()
            .seed(3)
            .days(5)
            .users(500)
            .merchants(50)
            .terminals(100)
            .fraudRate(0.05)
            .scenarios(mix)
            .build();
    GenerationSummary s;
    try (EventStream stream = WorldGenerator.create(config).stream()) {
      CausalAudit.of(stream);
      s = stream.summary();
    }
    for (FraudScenario scenario : FraudScenario.values()) {
      if (mix.contains(scenario)) {
        assertThat(s.fraudPaymentsPerScenario().get(scenario)).as(scenario.label()).isPositive();
      } else {
        assertThat(s.fraudPaymentsPerScenario().get(scenario)).as(scenario.label()).isZero();
      }
    }
  }

  @Test
  void zeroFraudRateMeansNoLabels() {
    GeneratorConfig config =
        GeneratorConfig.builder()
            .seed(5)
            .days(3)
            .users(300)
            .merchants(20)
            .terminals(40)
            .fraudRate(0)
            .build();
    try (EventStream stream = WorldGenerator.create(config).stream()) {
      CausalAudit audit = CausalAudit.of(stream);
      assertThat(stream.summary().fraudPayments()).isZero();
      assertThat(audit.labels).isEmpty();
      assertThat(audit.paymentCount).isPositive();
    }
  }

  @Test
  void aTinyWorldWithOneOfEverythingStaysConsistent() {
    GeneratorConfig config =
        GeneratorConfig.builder()
            .seed(1)
            .days(10)
            .users(1)
            .merchants(1)
            .terminals(1)
            .fraudRate(0.5)
            .build();
    try (EventStream stream = WorldGenerator.create(config).stream()) {
      CausalAudit audit = CausalAudit.of(stream);
      GenerationSummary s = stream.summary();
      assertThat(s.users()).isEqualTo(1);
      assertThat(s.fraudPaymentsPerScenario()).isEqualTo(audit.labelsWithZeros());
    }
  }

  @Test
  void aSingleDayWorldEndsWithItsChargebacks() {
    GeneratorConfig config =
        GeneratorConfig.builder()
            .seed(2)
            .days(1)
            .users(2_000)
            .merchants(50)
            .terminals(100)
            .fraudRate(0.05)
            .build();
    try (EventStream stream = WorldGenerator.create(config).stream()) {
      CausalAudit audit = CausalAudit.of(stream);
      GenerationSummary s = stream.summary();
      assertThat(s.fraudPaymentsPerDay()).hasSize(1);
      assertThat(audit.labelledPayments).hasSize((int) s.fraudPayments());
      assertThat(s.fraudPayments()).isPositive();
    }
  }
}
