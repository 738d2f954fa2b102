package dev.frip.core.internal.generator;

import dev.frip.core.FraudScenario;
import dev.frip.core.GenerationSummary;
import dev.frip.core.TopicSpec;
import dev.frip.core.Topics;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Counters behind {@link GenerationSummary}: topics at emission, labels at generation. */
final class Tally {

  private static final FraudScenario[] SCENARIOS = FraudScenario.values();

  private final long[] perTopic = new long[Topics.SEED.size()];
  private final long[] finalLabels = new long[SCENARIOS.length];
  private final long[] added = new long[SCENARIOS.length];
  private final long[] fraudPerDay;
  private final long[] cardsPerDay;
  private final BitSet compromisedCards = new BitSet();
  private long payments;
  private long fraudPayments;
  private long declined;
  private long users;

  Tally(int days) {
    this.fraudPerDay = new long[days];
    this.cardsPerDay = new long[days];
  }

  /** An event for {@code topic} was scheduled; it is emitted before the stream ends. */
  void emitted(TopicSpec topic) {
    // Reference comparison over six constants beats a map lookup per event.
    List<TopicSpec> seed = Topics.SEED;
    for (int i = 0; i < perTopic.length; i++) {
      if (seed.get(i) == topic) {
        perTopic[i]++;
        return;
      }
    }
    throw new IllegalStateException("not a seed topic: " + topic.name());
  }

  void payment(boolean isDeclined) {
    payments++;
    if (isDeclined) {
      declined++;
    }
  }

  void user() {
    users++;
  }

  /**
   * A payment on {@code day} got its final label {@code scenario}; {@code card} is a global card
   * index.
   */
  void fraud(FraudScenario scenario, int day, int card) {
    fraudPayments++;
    finalLabels[scenario.ordinal()]++;
    fraudPerDay[day]++;
    compromisedCards.set(card);
  }

  /** A scenario turned a genuine payment into fraud (before later overwrites). */
  void added(FraudScenario scenario) {
    added[scenario.ordinal()]++;
  }

  /** Cards with a labelled payment on {@code day}, counted by the world that knows them. */
  void compromisedCardsOn(int day, long cards) {
    cardsPerDay[day] += cards;
  }

  GenerationSummary summary(double meanTerminalsPerCustomer, boolean addedEqualsFinal) {
    Map<String, Long> topics = new LinkedHashMap<>();
    for (int i = 0; i < perTopic.length; i++) {
      topics.put(Topics.SEED.get(i).name(), perTopic[i]);
    }
    Map<FraudScenario, Long> labels = new EnumMap<>(FraudScenario.class);
    Map<FraudScenario, Long> add = new EnumMap<>(FraudScenario.class);
    for (FraudScenario s : SCENARIOS) {
      labels.put(s, finalLabels[s.ordinal()]);
      add.put(s, addedEqualsFinal ? finalLabels[s.ordinal()] : added[s.ordinal()]);
    }
    return new GenerationSummary(
        topics,
        labels,
        payments,
        fraudPayments,
        users,
        add,
        declined,
        compromisedCards.cardinality(),
        boxed(fraudPerDay),
        boxed(cardsPerDay),
        meanTerminalsPerCustomer);
  }

  private static List<Long> boxed(long[] values) {
    List<Long> out = new ArrayList<>(values.length);
    for (long v : values) {
      out.add(v);
    }
    return out;
  }
}
