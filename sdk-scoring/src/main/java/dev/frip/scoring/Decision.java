package dev.frip.scoring;

import dev.frip.core.events.Action;
import java.util.List;
import java.util.Objects;

/**
 * The scorer's verdict on one payment.
 *
 * @param score fraud probability in [0, 1]
 * @param modelVersion the registry version that scored, or {@value #RULES} for the fallback
 * @param action allow, review or block, from the configured {@link Thresholds}
 * @param reasons names of the features that pushed the score up most, largest first (empty for the
 *     fallback)
 * @param fallback whether the rules score replaced the model
 * @since 0.1
 */
public record Decision(
    double score, String modelVersion, Action action, List<String> reasons, boolean fallback) {

  /** The model version reported when the rules fallback scored. */
  public static final String RULES = "rules";

  /** Validates and freezes the parts. */
  public Decision {
    Objects.requireNonNull(modelVersion, "modelVersion");
    Objects.requireNonNull(action, "action");
    reasons = List.copyOf(reasons);
  }
}
