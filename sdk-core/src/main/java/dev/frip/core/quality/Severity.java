package dev.frip.core.quality;

/**
 * What a failed expectation does to publication.
 *
 * @since 0.1.0
 */
public enum Severity {
  /** The dataset is not published; offending rows are quarantined. */
  BLOCK,
  /** Offending rows are quarantined and left out; the rest is published. */
  QUARANTINE
}
