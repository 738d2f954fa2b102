package dev.frip.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.frip.core.events.PaymentEvent;
import dev.frip.core.events.PaymentMethod;
import dev.frip.core.events.RefundEvent;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The handbook profile against the book's published statistics and HANDBOOK.md's tolerances. */
class HandbookWorldTest {

  private static final long DAY_MS = 86_400_000L;

  @Test
  void fullSizeRunLandsWithinTheBooksTolerances() {
    GeneratorConfig config = GeneratorConfig.builder().profile(Profile.HANDBOOK).build();
    Set<String> bigUnlabelled = new HashSet<>();
    long lastTime = Long.MIN_VALUE;
    long s3NotMultipleOfFive = 0;
    GenerationSummary s;
    try (EventStream stream = WorldGenerator.create(config).stream()) {
      while (stream.hasNext()) {
        GeneratedEvent e = stream.next();
        assertThat(e.eventTime()).isGreaterThanOrEqualTo(lastTime);
        lastTime = e.eventTime();
        if (e.value() instanceof PaymentEvent p && p.getAmountMinor() > 22_000) {
          bigUnlabelled.add(p.getPaymentId());
        } else if (e.value() instanceof RefundEvent r) {
          bigUnlabelled.remove(r.getPaymentId());
          if (FraudScenario.COMPROMISED_CUSTOMER.label().equals(r.getFraudScenario())
              && r.getAmountMinor() % 5 != 0) {
            s3NotMultipleOfFive++;
          }
        }
      }
      s = stream.summary();
    }
    Map<FraudScenario, Long> labels = s.fraudPaymentsPerScenario();
    Map<FraudScenario, Long> added = s.fraudPaymentsAddedPerScenario();
    double fraudsPerDay = s.meanFraudPaymentsPerDayFrom(30);
    double cardsPerDay = s.meanCompromisedCardsPerDayFrom(30);
    System.out.printf(
        "handbook: %d transactions, %d frauds, rate %.4f%%; final S1 %d S2 %d S3 %d;"
            + " added S1 %d S2 %d S3 %d; terminals/customer %.2f; from day 30: %.1f frauds/day,"
            + " %.1f compromised cards/day; compromised cards %d%n",
        s.payments(),
        s.fraudPayments(),
        100 * s.fraudRate(),
        labels.get(FraudScenario.HIGH_AMOUNT),
        labels.get(FraudScenario.COMPROMISED_TERMINAL),
        labels.get(FraudScenario.COMPROMISED_CUSTOMER),
        added.get(FraudScenario.HIGH_AMOUNT),
        added.get(FraudScenario.COMPROMISED_TERMINAL),
        added.get(FraudScenario.COMPROMISED_CUSTOMER),
        s.meanTerminalsPerCustomer(),
        fraudsPerDay,
        cardsPerDay,
        s.compromisedCards());

    assertThat(s.users()).isEqualTo(5_000);
    assertThat(s.payments()).isCloseTo(1_754_155L, within(45_000L));
    assertThat(s.fraudRate()).isCloseTo(0.00837, within(0.0003));
    assertThat(s.fraudPayments()).isCloseTo(14_681L, within(720L));
    assertThat(labels.get(FraudScenario.HIGH_AMOUNT)).isCloseTo(973L, within(180L));
    assertThat(labels.get(FraudScenario.COMPROMISED_TERMINAL)).isCloseTo(9_077L, within(620L));
    assertThat(labels.get(FraudScenario.COMPROMISED_CUSTOMER)).isCloseTo(4_631L, within(310L));
    assertThat(s.meanTerminalsPerCustomer()).isCloseTo(75.0, within(1.0));
    assertThat(fraudsPerDay).isCloseTo(86.0, within(4.0));
    assertThat(cardsPerDay).isCloseTo(76.0, within(4.0));
    // Overwrites move labels between scenarios but never create or lose a fraud.
    assertThat(added.values().stream().mapToLong(Long::longValue).sum())
        .isEqualTo(s.fraudPayments());
    assertThat(s.eventsPerTopic().get("refunds")).isEqualTo(s.fraudPayments());
    assertThat(bigUnlabelled)
        .as("every amount above 220 is a fraud (S1, or later S2/S3)")
        .isEmpty();
    assertThat(s3NotMultipleOfFive).as("S3 frauds are multiplied by 5").isZero();
  }

  @Test
  void smallWorldIsCausallyConsistentWithChargebacksWithinAWeek() {
    GeneratorConfig config =
        GeneratorConfig.builder()
            .profile(Profile.HANDBOOK)
            .seed(4)
            .days(60)
            .users(400)
            .terminals(800)
            .build();
    Map<String, Long> paidAt = new HashMap<>();
    CausalAudit audit = new CausalAudit();
    GenerationSummary s;
    try (EventStream stream = WorldGenerator.create(config).stream()) {
      while (stream.hasNext()) {
        GeneratedEvent e = stream.next();
        audit.accept(e);
        if (e.value() instanceof PaymentEvent p) {
          assertThat(p.getPaymentMethod()).isEqualTo(PaymentMethod.CARD_PRESENT);
          assertThat(p.getCountry()).isEqualTo("BE");
          assertThat(p.getTerminalId()).startsWith("t");
          assertThat(p.getPaymentId()).matches("p-\\d+-\\d+-\\d+");
          assertThat(p.getLat()).isBetween(50.0, 51.0);
          assertThat(p.getLon()).isBetween(4.0, 5.0);
          paidAt.put(p.getPaymentId(), e.eventTime());
        } else if (e.value() instanceof RefundEvent r) {
          long delay = e.eventTime() - paidAt.get(r.getPaymentId());
          assertThat(delay).isBetween(DAY_MS, 7 * DAY_MS - 1);
        }
      }
      s = stream.summary();
    }
    assertThat(s.fraudPaymentsPerScenario()).isEqualTo(audit.labelsWithZeros());
    assertThat(s.eventsPerTopic()).containsEntry("devices", 0L).containsEntry("geo_events", 0L);
    assertThat(audit.chargebacks).isEqualTo(s.fraudPayments()).isPositive();
    assertThat(s.compromisedCardsPerDay().stream().mapToLong(Long::longValue).sum()).isPositive();
  }

  @Test
  void onlyTheEnabledHandbookScenariosLabel() {
    GeneratorConfig config =
        GeneratorConfig.builder()
            .profile(Profile.HANDBOOK)
            .seed(2)
            .days(40)
            .users(500)
            .terminals(1_000)
            .scenarios(Set.of(FraudScenario.HIGH_AMOUNT))
            .build();
    try (EventStream stream = WorldGenerator.create(config).stream()) {
      stream.forEachRemaining(e -> {});
      GenerationSummary s = stream.summary();
      assertThat(s.fraudPaymentsPerScenario().get(FraudScenario.HIGH_AMOUNT)).isPositive();
      assertThat(s.fraudPayments())
          .isEqualTo(s.fraudPaymentsPerScenario().get(FraudScenario.HIGH_AMOUNT));
    }
  }

  @Test
  void aTinyHandbookWorldRuns() {
    GeneratorConfig config =
        GeneratorConfig.builder()
            .profile(Profile.HANDBOOK)
            .seed(1)
            .days(3)
            .users(1)
            .terminals(1)
            .build();
    try (EventStream stream = WorldGenerator.create(config).stream()) {
      CausalAudit audit = CausalAudit.of(stream);
      assertThat(stream.summary().users()).isEqualTo(1);
      assertThat(audit.eventsPerTopic).containsEntry("users", 1L);
    }
  }

  @Test
  void aCompromisedTerminalTurnsEveryTransactionOfTheDayIntoFraud() {
    GeneratorConfig config =
        GeneratorConfig.builder()
            .profile(Profile.HANDBOOK)
            .seed(6)
            .days(60)
            .users(2_000)
            .terminals(300)
            .scenarios(Set.of(FraudScenario.COMPROMISED_TERMINAL))
            .build();
    // (terminal, day) -> {transactions, labelled}
    Map<String, long[]> perTerminalDay = new HashMap<>();
    Map<String, String> slotOfPayment = new HashMap<>();
    try (EventStream stream = WorldGenerator.create(config).stream()) {
      while (stream.hasNext()) {
        GeneratedEvent e = stream.next();
        if (e.value() instanceof PaymentEvent p) {
          String day = p.getPaymentId().split("-")[2];
          String slot = p.getTerminalId() + "@" + day;
          perTerminalDay.computeIfAbsent(slot, k -> new long[2])[0]++;
          slotOfPayment.put(p.getPaymentId(), slot);
        } else if (e.value() instanceof RefundEvent r) {
          assertThat(r.getFraudScenario()).isEqualTo("compromised_terminal");
          perTerminalDay.get(slotOfPayment.get(r.getPaymentId()))[1]++;
        }
      }
    }
    long compromisedSlots = 0;
    for (Map.Entry<String, long[]> slot : perTerminalDay.entrySet()) {
      long[] c = slot.getValue();
      assertThat(c[1]).as("all or none of %s", slot.getKey()).isIn(0L, c[0]);
      if (c[1] > 0) {
        compromisedSlots++;
      }
    }
    // About 2 new terminals a day, each compromised for 28 days, overlapping.
    assertThat(compromisedSlots).isGreaterThan(500);
  }
}
