package dev.frip.core;

import java.util.Collections;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a finished {@link EventStream} produced. Counts are of events actually emitted; scenario
 * counts are the final labels, after the handbook's overwrite order S1 → S2 → S3.
 *
 * @param eventsPerTopic events per seed topic name, in the order of {@link Topics#SEED}
 * @param fraudPaymentsPerScenario labelled payments per scenario (final labels), every scenario
 *     present, in declaration order
 * @param payments all payments, declined ones included
 * @param fraudPayments labelled payments (chargebacks plus payments refunded by refund abuse)
 * @param users customers created
 * @param fraudPaymentsAddedPerScenario payments that each scenario turned from genuine into fraud
 *     when applied in order (the handbook prints these during generation); equal to the final
 *     labels for the platform profile, where scenarios never overlap
 * @param declinedPayments payments with status {@code DECLINED}
 * @param compromisedCards distinct cards with at least one labelled payment
 * @param fraudPaymentsPerDay labelled payments by the day of the payment, index 0 = start date
 * @param compromisedCardsPerDay distinct cards with a labelled payment on that day
 * @param meanTerminalsPerCustomer handbook: mean number of terminals within the radius of a
 *     customer; {@code NaN} for the platform profile
 * @since 0.1.0
 */
public record GenerationSummary(
    Map<String, Long> eventsPerTopic,
    Map<FraudScenario, Long> fraudPaymentsPerScenario,
    long payments,
    long fraudPayments,
    long users,
    Map<FraudScenario, Long> fraudPaymentsAddedPerScenario,
    long declinedPayments,
    long compromisedCards,
    List<Long> fraudPaymentsPerDay,
    List<Long> compromisedCardsPerDay,
    double meanTerminalsPerCustomer) {

  /** Copies the collections so the summary is immutable. */
  public GenerationSummary {
    // Fixed iteration orders, so printing a summary is as deterministic as the events.
    eventsPerTopic = Collections.unmodifiableMap(new LinkedHashMap<>(eventsPerTopic));
    fraudPaymentsPerScenario = byScenario(fraudPaymentsPerScenario);
    fraudPaymentsAddedPerScenario = byScenario(fraudPaymentsAddedPerScenario);
    fraudPaymentsPerDay = List.copyOf(fraudPaymentsPerDay);
    compromisedCardsPerDay = List.copyOf(compromisedCardsPerDay);
  }

  private static Map<FraudScenario, Long> byScenario(Map<FraudScenario, Long> counts) {
    Map<FraudScenario, Long> m = new EnumMap<>(FraudScenario.class);
    m.putAll(counts);
    return Collections.unmodifiableMap(m);
  }

  /** Labelled payments divided by all payments, 0 when there were none. */
  public double fraudRate() {
    return payments == 0 ? 0.0 : (double) fraudPayments / payments;
  }

  /** All events emitted, over every topic. */
  public long totalEvents() {
    long n = 0;
    for (long v : eventsPerTopic.values()) {
      n += v;
    }
    return n;
  }

  /** Mean labelled payments per day from {@code fromDay} (0-based) to the last day. */
  public double meanFraudPaymentsPerDayFrom(int fromDay) {
    return meanFrom(fraudPaymentsPerDay, fromDay);
  }

  /** Mean compromised cards per day from {@code fromDay} (0-based) to the last day. */
  public double meanCompromisedCardsPerDayFrom(int fromDay) {
    return meanFrom(compromisedCardsPerDay, fromDay);
  }

  private static double meanFrom(List<Long> perDay, int fromDay) {
    if (fromDay < 0 || fromDay >= perDay.size()) {
      throw new IllegalArgumentException(
          "fromDay was " + fromDay + "; allowed: 0 to " + (perDay.size() - 1));
    }
    long sum = 0;
    for (int d = fromDay; d < perDay.size(); d++) {
      sum += perDay.get(d);
    }
    return (double) sum / (perDay.size() - fromDay);
  }
}
