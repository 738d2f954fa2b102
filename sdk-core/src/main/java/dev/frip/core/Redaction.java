package dev.frip.core;

import java.util.regex.Pattern;

/**
 * Hides credentials in text that is about to be shown: error messages, logs, CLI output.
 *
 * <pre>{@code
 * Redaction.credentialsInUrls("cannot open s3a://KEY:SECRET@bucket/x")  // "cannot open s3a://***@bucket/x"
 * }</pre>
 *
 * @since 0.1.0
 */
public final class Redaction {

  // scheme://user[:password]@ : the user info of any URL in the text, up to its last '@' before
  // the host (a password may itself contain '@').
  private static final Pattern USER_INFO =
      Pattern.compile("\\b([A-Za-z][A-Za-z0-9+.-]*://)[^\\s/?#]*@");

  private Redaction() {}

  /**
   * {@code text} with the user info of every URL in it ({@code user:password@}) replaced by ***.
   */
  public static String credentialsInUrls(String text) {
    return text == null ? null : USER_INFO.matcher(text).replaceAll("$1***@");
  }

  /** Whether {@code uri} carries user info ({@code scheme://user:password@host}). */
  public static boolean hasUserInfo(String uri) {
    return uri != null && USER_INFO.matcher(uri).lookingAt();
  }
}
