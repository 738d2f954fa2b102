package dev.frip.kafka;

import java.util.ArrayList;
import java.util.List;

/**
 * Checks a deserialized record before the handler sees it; a record with violations goes to the
 * dead-letter topic with stage {@code validate}. See {@link EventValidators} for FRIP's rules.
 *
 * @param <V> the value type
 * @since 0.1.0
 */
@FunctionalInterface
public interface RecordValidator<V> {

  /** Returns the broken rules, empty when the record is fine. */
  List<Violation> validate(String key, V value);

  /** Accepts everything. */
  static <V> RecordValidator<V> none() {
    return (k, v) -> List.of();
  }

  /** Both this validator's and the other's violations. */
  default RecordValidator<V> and(RecordValidator<? super V> other) {
    return (k, v) -> {
      List<Violation> out = new ArrayList<>(validate(k, v));
      out.addAll(other.validate(k, v));
      return out;
    };
  }
}
