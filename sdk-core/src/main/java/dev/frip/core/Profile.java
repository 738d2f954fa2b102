package dev.frip.core;

import java.util.Locale;

/**
 * Which synthetic world {@link WorldGenerator} builds.
 *
 * @since 0.1.0
 */
public enum Profile {
  /**
   * FRIP's own world: users with homes, devices and cards in a few real countries, merchants,
   * terminals, sessions of orders and payments, refunds, mobile location fixes, and the platform
   * fraud scenarios mixed to a target fraud rate.
   */
  PLATFORM,
  /**
   * The simulator of the Fraud Detection Handbook (Le Borgne et al.): customers and terminals on a
   * 100×100 grid, card-present transactions, scenarios S1 (high amount), S2 (compromised terminal)
   * and S3 (compromised customer). See {@code HANDBOOK.md}.
   */
  HANDBOOK;

  /**
   * Parses a profile name, ignoring case.
   *
   * @throws IllegalArgumentException naming the flag and the allowed values
   */
  public static Profile parse(String text) {
    if (text != null) {
      String t = text.trim().toLowerCase(Locale.ROOT);
      for (Profile p : values()) {
        if (p.cliName().equals(t)) {
          return p;
        }
      }
    }
    throw new IllegalArgumentException("--profile was '" + text + "'; allowed: platform, handbook");
  }

  /** The name used on the command line, e.g. {@code handbook}. */
  public String cliName() {
    return name().toLowerCase(Locale.ROOT);
  }
}
