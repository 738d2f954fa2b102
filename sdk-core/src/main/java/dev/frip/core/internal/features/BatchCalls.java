package dev.frip.core.internal.features;

import dev.frip.core.FeatureCatalog;
import dev.frip.core.FeatureStore;
import dev.frip.core.ObserveResult;
import dev.frip.core.events.PaymentEvent;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/** The pieces of {@link FeatureStore}'s batch call that every store shares. */
public final class BatchCalls {

  private BatchCalls() {}

  /**
   * One payment of a batch ({@link FeatureStore#vectorAndObserve(List, double[][],
   * ObserveResult[])}): the one-payment call, or NaN and the rejection {@code observe} counts when
   * the payment cannot be featurised.
   */
  public static ObserveResult one(FeatureStore store, PaymentEvent payment, double[] out) {
    if (payment != null) {
      try {
        return store.vectorAndObserve(payment, out);
      } catch (IllegalArgumentException notFeaturised) {
        // The buffers were checked, so the payment lacks a key or time or its amount is out of
        // range: counted by observe below.
      }
    }
    Arrays.fill(out, 0, FeatureCatalog.size(), Double.NaN);
    return store.observe(payment);
  }

  /**
   * Checks a batch's buffers before any payment is folded ({@link
   * FeatureStore#vectorAndObserve(List, double[][], ObserveResult[])}).
   */
  public static void check(List<PaymentEvent> payments, double[][] out, ObserveResult[] outcomes) {
    Objects.requireNonNull(payments, "payments");
    int n = payments.size();
    if (out.length < n || outcomes.length < n) {
      throw new IllegalArgumentException(
          "a batch of "
              + n
              + " payments needs as many vectors and outcomes, got "
              + out.length
              + " vectors and "
              + outcomes.length
              + " outcomes");
    }
    for (int i = 0; i < n; i++) {
      if (out[i] == null || out[i].length < FeatureCatalog.size()) {
        throw new IllegalArgumentException(
            "vector buffer "
                + i
                + " of the batch has "
                + (out[i] == null ? "no array" : out[i].length + " slots")
                + ", the catalogue "
                + FeatureCatalog.VERSION
                + " needs "
                + FeatureCatalog.size());
      }
    }
  }
}
