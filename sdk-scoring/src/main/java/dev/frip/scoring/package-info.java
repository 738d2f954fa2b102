/**
 * FRIP scoring: XGBoost models evaluated in pure Java, a versioned model registry, and the fraud
 * scorer that turns a payment into a decision.
 *
 * <ul>
 *   <li>{@link dev.frip.scoring.ModelLoader} reads {@code .json}/{@code .ubj} files saved by
 *       XGBoost 2.x/3.x into an {@link dev.frip.scoring.XGBoostModel} whose margins are
 *       bit-identical to XGBoost's; malformed models are refused at load.
 *   <li>{@link dev.frip.scoring.ModelRegistry} keeps {@code models/registry/{version}/} with
 *       checksums and the {@link dev.frip.core.FeatureSchema}, and an atomically moved {@code
 *       current} pointer, over a {@link dev.frip.core.ObjectStore} (local disk, or the lakehouse
 *       root).
 *   <li>{@link dev.frip.scoring.FraudScorer} scores with hot swap, resilience4j guards around
 *       feature lookups and the model, and a {@link dev.frip.scoring.RulesScore} fallback.
 * </ul>
 *
 * <p>xgboost4j is an optional dependency: it is needed to train, never to score.
 *
 * @since 0.1
 */
package dev.frip.scoring;
