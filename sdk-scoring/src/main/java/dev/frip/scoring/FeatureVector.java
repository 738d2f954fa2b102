package dev.frip.scoring;

import dev.frip.core.FeatureSchema;
import java.util.Arrays;
import java.util.Map;
import java.util.Objects;

/**
 * One payment's features laid out by a {@link FeatureSchema}; {@code NaN} marks a missing value.
 *
 * <pre>{@code
 * FeatureVector v = FeatureVector.of(schema, Map.of("amount", 129.99, "txn_1h", 3));
 * FeatureVector w = FeatureVector.wrap(schema, values);   // no copy: for the hot path
 * }</pre>
 *
 * @since 0.1
 */
public final class FeatureVector {
  private final FeatureSchema schema;
  private final float[] values;

  private FeatureVector(FeatureSchema schema, float[] values) {
    this.schema = Objects.requireNonNull(schema, "schema");
    if (values.length != schema.size()) {
      throw new IllegalArgumentException(
          "schema "
              + schema.version()
              + " has "
              + schema.size()
              + " features but "
              + values.length
              + " values were given");
    }
    this.values = values;
  }

  /** Wraps {@code values} without copying: the caller must not change them while scoring. */
  public static FeatureVector wrap(FeatureSchema schema, float[] values) {
    return new FeatureVector(schema, values);
  }

  /**
   * Builds a vector from values by feature name; features not named are missing.
   *
   * @throws IllegalArgumentException naming a feature the schema does not have
   */
  public static FeatureVector of(FeatureSchema schema, Map<String, ? extends Number> byName) {
    float[] v = new float[schema.size()];
    Arrays.fill(v, Float.NaN);
    for (Map.Entry<String, ? extends Number> e : byName.entrySet()) {
      int i = schema.indexOf(e.getKey());
      if (i < 0) {
        throw new IllegalArgumentException(
            "feature '"
                + e.getKey()
                + "' is not in schema "
                + schema.version()
                + " "
                + schema.names());
      }
      v[i] = e.getValue() == null ? Float.NaN : e.getValue().floatValue();
    }
    return new FeatureVector(schema, v);
  }

  /** An all-missing vector, e.g. when the feature lookup failed. */
  public static FeatureVector missing(FeatureSchema schema) {
    float[] v = new float[schema.size()];
    Arrays.fill(v, Float.NaN);
    return new FeatureVector(schema, v);
  }

  /** The schema of this vector. */
  public FeatureSchema schema() {
    return schema;
  }

  /** The value of a feature by name, NaN when missing or not in the schema. */
  public float get(String name) {
    int i = schema.indexOf(name);
    return i < 0 ? Float.NaN : values[i];
  }

  /** The values in schema order (not a copy). */
  float[] values() {
    return values;
  }

  /**
   * The values laid out for {@code target}, matched by name; this vector's array when equal.
   *
   * @throws IllegalArgumentException naming a feature of {@code target} this vector lacks
   */
  float[] valuesFor(FeatureSchema target) {
    if (target.sameNames(schema)) {
      return values;
    }
    float[] out = new float[target.size()];
    for (int i = 0; i < out.length; i++) {
      String name = target.features().get(i).name();
      int at = schema.indexOf(name);
      if (at < 0) {
        // Scoring it as always missing would give wrong scores without a word.
        throw new IllegalArgumentException(
            "feature '"
                + name
                + "' of schema "
                + target.version()
                + " is not in this vector's schema "
                + schema.version());
      }
      out[i] = values[at];
    }
    return out;
  }

  @Override
  public String toString() {
    return "FeatureVector[" + schema.version() + ", " + Arrays.toString(values) + "]";
  }
}
