package dev.frip.core;

/**
 * The value type of one feature. Every feature travels as a {@code double}; the type says which
 * values it may take and how two computations of it are compared (exactly for counts and flags,
 * within a relative tolerance for amounts and real values). A missing value is always {@link
 * Double#NaN}.
 *
 * @since 0.1.0
 */
public enum FeatureType {
  /** A non-negative whole number: a count of events or distinct values, or an hour of the day. */
  COUNT,
  /** 0 or 1. */
  FLAG,
  /** A money amount in major currency units (cents / 100). */
  AMOUNT,
  /** Any other real number: a mean, a ratio, a z-score, a speed, a duration. */
  REAL;

  /** Whether two computations of a feature of this type must agree bit for bit. */
  public boolean exact() {
    return this == COUNT || this == FLAG;
  }
}
