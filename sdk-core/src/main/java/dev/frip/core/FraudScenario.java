package dev.frip.core;

import java.util.Locale;
import java.util.StringJoiner;

/**
 * A kind of fraud the generator injects. A fraudulent payment carries no label itself; its label
 * arrives later as a {@code RefundEvent} of type {@code CHARGEBACK} whose {@code fraud_scenario} is
 * {@link #label()}. {@link #REFUND_ABUSE} is the exception: the abusive refunds carry the label.
 *
 * <p>The Fraud Detection Handbook's scenarios map to {@link #HIGH_AMOUNT} (S1), {@link
 * #COMPROMISED_TERMINAL} (S2) and {@link #COMPROMISED_CUSTOMER} (S3).
 *
 * @since 0.1.0
 */
public enum FraudScenario {
  /** Bursts of small card-not-present payments at one merchant within minutes, some declined. */
  CARD_TESTING,
  /** A new device from a new country takes over an account and buys high-value goods. */
  ACCOUNT_TAKEOVER,
  /** Card-present payments far away from where the customer was minutes before. */
  IMPOSSIBLE_TRAVEL,
  /** Every payment at a skimmed terminal during a window of days is fraudulent (handbook S2). */
  COMPROMISED_TERMINAL,
  /** A card is used fraudulently during a window of days (handbook S3). */
  COMPROMISED_CUSTOMER,
  /** A customer buys and then claims full refunds for goods received. */
  REFUND_ABUSE,
  /** A single payment of an unusually high amount (handbook S1: amount above 220). */
  HIGH_AMOUNT;

  private final String label = name().toLowerCase(Locale.ROOT);

  /**
   * The snake_case name written to {@code RefundEvent.fraud_scenario}, e.g. {@code card_testing}.
   */
  public String label() {
    return label;
  }

  /**
   * Parses a scenario from its label, ignoring case and accepting {@code -} for {@code _}; the
   * handbook names {@code s1}, {@code s2}, {@code s3} are accepted too.
   *
   * @throws IllegalArgumentException naming the flag and the allowed values
   */
  public static FraudScenario parse(String text) {
    if (text != null) {
      String t = text.trim().toLowerCase(Locale.ROOT).replace('-', '_');
      switch (t) {
        case "s1":
          return HIGH_AMOUNT;
        case "s2":
          return COMPROMISED_TERMINAL;
        case "s3":
          return COMPROMISED_CUSTOMER;
        default:
          break;
      }
      for (FraudScenario s : values()) {
        if (s.label.equals(t)) {
          return s;
        }
      }
    }
    throw new IllegalArgumentException(
        "--scenarios: unknown scenario '" + text + "'; allowed: " + allowedLabels());
  }

  /** The labels of all scenarios, comma separated, for error messages and help texts. */
  public static String allowedLabels() {
    StringJoiner j = new StringJoiner(", ");
    for (FraudScenario s : values()) {
      j.add(s.label);
    }
    return j.toString();
  }
}
