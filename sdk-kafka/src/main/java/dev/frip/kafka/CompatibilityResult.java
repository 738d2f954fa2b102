package dev.frip.kafka;

import java.util.List;

/**
 * The answer of a compatibility test: whether a schema may be registered under a subject and, if
 * not, the registry's reasons.
 *
 * @param compatible whether the schema passes the subject's compatibility level
 * @param messages the registry's reasons when it does not (may be empty)
 * @since 0.1.0
 */
public record CompatibilityResult(boolean compatible, List<String> messages) {

  /** Copies the messages. */
  public CompatibilityResult {
    messages = List.copyOf(messages);
  }
}
