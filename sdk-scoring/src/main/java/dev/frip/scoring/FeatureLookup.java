package dev.frip.scoring;

import dev.frip.core.FeatureSchema;
import dev.frip.core.FeatureStore;
import dev.frip.core.events.PaymentEvent;
import dev.frip.scoring.internal.FeatureStoreLookup;

/**
 * Reads a payment's features: the seam to the online FeatureStore. The scorer calls it behind a
 * resilience4j circuit breaker and a time limit, so a slow or failing store degrades to the rules
 * score instead of stalling payments.
 *
 * <pre>{@code
 * FeatureStore store = FeatureStore.inMemory().build();   // fed by the event streams
 * FraudScorer scorer = FraudScorer.builder()
 *     .models(registry)
 *     .features(FeatureLookup.of(store))                  // in-process: no thread hop
 *     .build();
 * }</pre>
 *
 * @since 0.1
 */
@FunctionalInterface
public interface FeatureLookup {

  /** The features of {@code payment}, laid out by any schema (matched to the model by name). */
  FeatureVector features(PaymentEvent payment) throws Exception;

  /**
   * Whether {@link #features} computes in this process without blocking on I/O, in microseconds.
   * The scorer then calls it on the scoring thread and enforces the time limit after the call (a
   * late vector is discarded and counted as a timeout), because handing a microsecond lookup to
   * another thread would cost more than the lookup. Lookups that may block (a remote store) keep
   * the default, {@code false}: they run on the lookup executor under a resilience4j {@code
   * TimeLimiter} that abandons them at the limit.
   */
  default boolean inProcess() {
    return false;
  }

  /**
   * The schema of every vector {@link #features} returns, when it is fixed; {@code null} (the
   * default) when it is not known in advance. With a schema, the scorer refuses at reload a model
   * that needs a feature outside it, instead of scoring with that feature always missing.
   */
  default FeatureSchema schema() {
    return null;
  }

  /**
   * Reads the {@link dev.frip.core.FeatureCatalog} vector of each payment from an in-process {@link
   * FeatureStore}, as of the payment's event time, laid out by {@link
   * dev.frip.core.FeatureCatalog#schema()}: exactly the features the offline path computes for
   * training, so the model sees at serving time what it was trained on.
   */
  static FeatureLookup of(FeatureStore store) {
    return new FeatureStoreLookup(store);
  }
}
