package dev.frip.scoring;

import dev.frip.core.events.PaymentEvent;

/**
 * Reads a payment's features: the seam to the online FeatureStore. The scorer calls it under a
 * resilience4j time limiter and circuit breaker, so a slow or failing store degrades to the rules
 * score instead of stalling payments.
 *
 * @since 0.1
 */
@FunctionalInterface
public interface FeatureLookup {

  /** The features of {@code payment}, laid out by any schema (matched to the model by name). */
  FeatureVector features(PaymentEvent payment) throws Exception;
}
