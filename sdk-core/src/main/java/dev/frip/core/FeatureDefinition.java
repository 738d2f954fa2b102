package dev.frip.core;

import java.util.Objects;

/**
 * One feature of the fraud feature vector: its name (the column name in the training table and the
 * key the scorer maps by), its value type, where it comes from and what it means.
 *
 * @param name snake_case name, unique within the catalogue, e.g. {@code user_txn_count_10m}
 * @param type value type; the missing value is {@link Double#NaN}
 * @param source whether the value comes from the user's event stream or the batch table
 * @param description one sentence on the exact definition, including the window bounds
 * @since 0.1.0
 */
public record FeatureDefinition(String name, FeatureType type, Source source, String description) {

  /** Where a feature's value is computed. */
  public enum Source {
    /** From the payment itself (amount, time of day): no state needed. */
    PAYMENT,
    /** From the user's own recent events, kept per user by the {@link FeatureStore}. */
    USER_STREAM,
    /** From the read-only {@link BatchFeatures} table computed on the lakehouse. */
    BATCH
  }

  /** Checks the parts. */
  public FeatureDefinition {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(source, "source");
    Objects.requireNonNull(description, "description");
    if (!name.matches("[a-z][a-z0-9_]*")) {
      throw new IllegalArgumentException("feature name '" + name + "' is not snake_case");
    }
  }
}
