package dev.frip.scoring;

/**
 * Supplies the model to score with: the seam between a {@link FraudScorer} and where models live.
 * {@link ModelRegistry} is the real implementation; {@link #fixed(ModelVersion)} serves one model.
 *
 * @since 0.1
 */
@FunctionalInterface
public interface ModelSource {

  /**
   * The model that should serve now, verified.
   *
   * @throws InvalidModelException when it cannot be loaded or fails verification
   */
  ModelVersion current();

  /** A source that always serves the same model. */
  static ModelSource fixed(ModelVersion model) {
    return () -> model;
  }
}
