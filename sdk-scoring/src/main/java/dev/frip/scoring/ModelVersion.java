package dev.frip.scoring;

import dev.frip.core.FeatureSchema;
import java.util.Map;
import java.util.Objects;

/**
 * A loaded, verified model together with what scoring needs to know about it: its registry version,
 * the feature schema its vectors follow, and the metrics recorded at training.
 *
 * @param version the registry version (its directory name), or a label for ad-hoc models
 * @param model the evaluator
 * @param schema the feature vector layout the model was checked against
 * @param metrics training metrics, e.g. {@code auc}
 * @since 0.1
 */
public record ModelVersion(
    String version, XGBoostModel model, FeatureSchema schema, Map<String, Double> metrics) {

  /** Validates that the parts belong together. */
  public ModelVersion {
    Objects.requireNonNull(version, "version");
    Objects.requireNonNull(model, "model");
    Objects.requireNonNull(schema, "schema");
    metrics = Map.copyOf(metrics);
    checkSchema(model, schema, version);
  }

  /** A model with a schema named after its own features (for models outside a registry). */
  public static ModelVersion of(String version, XGBoostModel model) {
    return new ModelVersion(
        version, model, FeatureSchema.of(version, model.featureNames()), Map.of());
  }

  static void checkSchema(XGBoostModel model, FeatureSchema schema, String version) {
    try {
      if (model.hasFeatureNames()) {
        schema.requireMatches(model.featureNames());
      } else if (schema.size() != model.numFeatures()) {
        throw new IllegalArgumentException(
            "schema "
                + schema.version()
                + " has "
                + schema.size()
                + " features but the model has "
                + model.numFeatures());
      }
    } catch (IllegalArgumentException e) {
      throw new InvalidModelException(
          "model version " + version + " does not match its feature schema: " + e.getMessage(), e);
    }
  }
}
