package dev.frip.core;

/**
 * Which {@code refunds} events label their payment as fraud: the one rule shared by the silver
 * table's {@code is_fraud}, the offline training labels and everything computed from them.
 *
 * <ul>
 *   <li>a {@code CHARGEBACK} whose {@code fraud_scenario} is set (the generator's ground truth) or
 *       whose reason starts with {@code fraud} (how production chargebacks say it);
 *   <li>a {@code REFUND} whose {@code fraud_scenario} is set: abusive refunds carry {@code
 *       refund_abuse} themselves (see {@link FraudScenario#REFUND_ABUSE}); ordinary refunds carry
 *       none.
 * </ul>
 *
 * A payment's label is the earliest such event; its time is when the label became available.
 *
 * @since 0.1.0
 */
public final class FraudLabels {

  private FraudLabels() {}

  /**
   * Whether a {@code refunds} event marks its payment as fraud.
   *
   * @param refundType {@code REFUND} or {@code CHARGEBACK} (null marks nothing)
   * @param reason the event's reason, or null
   * @param fraudScenario the event's {@code fraud_scenario}, or null
   */
  public static boolean marksFraud(String refundType, String reason, String fraudScenario) {
    if ("CHARGEBACK".equals(refundType)) {
      return fraudScenario != null || (reason != null && reason.startsWith("fraud"));
    }
    return "REFUND".equals(refundType) && fraudScenario != null;
  }
}
