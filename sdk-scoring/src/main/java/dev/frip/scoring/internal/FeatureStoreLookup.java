package dev.frip.scoring.internal;

import dev.frip.core.FeatureCatalog;
import dev.frip.core.FeatureSchema;
import dev.frip.core.FeatureStore;
import dev.frip.core.events.PaymentEvent;
import dev.frip.scoring.FeatureLookup;
import dev.frip.scoring.FeatureVector;
import java.util.Objects;

/**
 * {@link FeatureLookup#of(FeatureStore)}: the store's double vector narrowed to float, the type
 * XGBoost compares in. The double buffer is per thread; the float array is new per call because the
 * returned vector wraps it.
 */
public final class FeatureStoreLookup implements FeatureLookup {
  private static final FeatureSchema SCHEMA = FeatureCatalog.schema();

  private final FeatureStore store;
  private final ThreadLocal<double[]> buffer =
      ThreadLocal.withInitial(() -> new double[FeatureCatalog.size()]);

  public FeatureStoreLookup(FeatureStore store) {
    this.store = Objects.requireNonNull(store, "store");
    if (!store.featureVersion().equals(SCHEMA.version())) {
      throw new IllegalArgumentException(
          "feature store serves "
              + store.featureVersion()
              + " but this SDK's catalogue is "
              + SCHEMA.version());
    }
  }

  @Override
  public FeatureSchema schema() {
    return SCHEMA;
  }

  @Override
  public FeatureVector features(PaymentEvent payment) {
    double[] d = buffer.get();
    store.vector(payment, d);
    float[] f = new float[d.length];
    for (int i = 0; i < d.length; i++) {
      f[i] = (float) d[i];
    }
    return FeatureVector.wrap(SCHEMA, f);
  }

  @Override
  public boolean inProcess() {
    return true;
  }

  @Override
  public String toString() {
    return "FeatureLookup.of(" + store.getClass().getSimpleName() + ", " + SCHEMA.version() + ")";
  }
}
