package dev.frip.scoring;

import dev.frip.core.events.PaymentEvent;

/**
 * The score used when no model can score: no model loaded, the model's circuit breaker open, or the
 * features unavailable. It must be cheap and must not fail.
 *
 * <p>The default, {@link #reviewEverything(Thresholds)}, returns the review threshold: with no
 * model, every payment goes to manual review instead of being allowed or blocked blindly.
 *
 * @since 0.1
 */
@FunctionalInterface
public interface RulesScore {

  /**
   * A score in [0, 1].
   *
   * @param payment the payment, or {@code null} when scoring a ready feature vector
   * @param features its features; all missing when the lookup failed
   */
  double score(PaymentEvent payment, FeatureVector features);

  /** The documented default: the review threshold, so every fallback decision is a review. */
  static RulesScore reviewEverything(Thresholds thresholds) {
    return (payment, features) -> thresholds.review();
  }
}
