package dev.frip.kafka;

/**
 * One broken validation rule.
 *
 * @param field the field concerned, or {@code key}/{@code value} for the record itself
 * @param reason what is wrong, e.g. {@code must be >= 0, was -5}
 * @since 0.1.0
 */
public record Violation(String field, String reason) {
  @Override
  public String toString() {
    return "field " + field + ": " + reason;
  }
}
