package dev.frip.core;

/**
 * What {@link FeatureStore#observe} did with an event. Every outcome is counted by the store
 * ({@link FeatureStore#outcomeCounts()}); only {@link #ACCEPTED} changes state.
 *
 * @since 0.1.0
 */
public enum ObserveResult {
  /** Folded into the user's state. */
  ACCEPTED,
  /** A type that carries no streaming feature (orders, user profile changes): nothing to do. */
  IGNORED,
  /** The same event (same user, event time and event id) was already folded: replay is harmless. */
  DUPLICATE,
  /** No {@code user_id} (null or blank) or no {@code event_id}: the event cannot be placed. */
  REJECTED_MISSING_KEY,
  /** No usable {@code event_time} (null or not positive). */
  REJECTED_MISSING_TIME,
  /**
   * Older than the user's newest event time (or the store's clock, when that is earlier) minus the
   * allowed lateness: folding it would change vectors that are already final.
   */
  REJECTED_TOO_LATE,
  /** Later than the store's clock plus the allowed future skew. */
  REJECTED_FUTURE,
  /**
   * A payment or merchant refund whose {@code amount_minor} is negative or above {@link
   * FeatureCatalog#MAX_AMOUNT_MINOR} (10^12 minor units, the silver job's range): folding it would
   * corrupt the user's amount sums, averages and z-score for 30 days, or overflow them. Such a
   * payment has no vector either.
   */
  REJECTED_INVALID_AMOUNT;

  /** Whether the event is now part of the user's state (accepted or already there). */
  public boolean folded() {
    return this == ACCEPTED || this == DUPLICATE;
  }

  /** Whether this outcome is a rejection of bad input. */
  public boolean rejected() {
    return name().startsWith("REJECTED_");
  }
}
