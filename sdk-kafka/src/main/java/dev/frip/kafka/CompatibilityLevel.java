package dev.frip.kafka;

import java.util.Locale;

/**
 * How a subject's next schema must relate to the ones registered before it, as in Confluent Schema
 * Registry. BACKWARD, the default, lets consumers upgrade first: a reader with the new schema reads
 * records written with the latest registered one.
 *
 * @since 0.1.0
 */
public enum CompatibilityLevel {
  /** No check. */
  NONE,
  /** The new schema reads data written with the latest registered schema. */
  BACKWARD,
  /** The new schema reads data written with every registered schema. */
  BACKWARD_TRANSITIVE,
  /** The latest registered schema reads data written with the new schema. */
  FORWARD,
  /** Every registered schema reads data written with the new schema. */
  FORWARD_TRANSITIVE,
  /** Both BACKWARD and FORWARD against the latest registered schema. */
  FULL,
  /** Both BACKWARD and FORWARD against every registered schema. */
  FULL_TRANSITIVE;

  /**
   * Parses a level name as the REST API spells it, ignoring case.
   *
   * @throws IllegalArgumentException naming the allowed levels
   */
  public static CompatibilityLevel parse(String name) {
    if (name != null) {
      for (CompatibilityLevel level : values()) {
        if (level.name().equals(name.trim().toUpperCase(Locale.ROOT))) {
          return level;
        }
      }
    }
    throw new IllegalArgumentException(
        "unknown compatibility level '"
            + name
            + "'; expected one of "
            + java.util.Arrays.toString(values()));
  }

  /** Whether new schemas are checked against all versions rather than only the latest. */
  public boolean transitive() {
    return this == BACKWARD_TRANSITIVE || this == FORWARD_TRANSITIVE || this == FULL_TRANSITIVE;
  }

  /** Whether the new schema must read data written with older ones. */
  public boolean checksBackward() {
    return this == BACKWARD
        || this == BACKWARD_TRANSITIVE
        || this == FULL
        || this == FULL_TRANSITIVE;
  }

  /** Whether older schemas must read data written with the new one. */
  public boolean checksForward() {
    return this == FORWARD || this == FORWARD_TRANSITIVE || this == FULL || this == FULL_TRANSITIVE;
  }
}
