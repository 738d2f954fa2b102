package dev.frip.core.internal.features;

/**
 * Compares a looked-up user id with a table entry's without reading the entry's {@code String} when
 * the id is short: an id of at most 16 Latin-1 characters is also kept in the entry itself, one
 * byte per character in two longs.
 *
 * <p>Why: a payment arrives with a user id string that the deserializer has just built, so it is
 * never the instance the table holds, and {@code String.equals} would read the held string and then
 * its bytes, two cache misses one after the other once the entry itself has been fetched. The
 * inline copy is in the entry's own cache lines. The comparison stays exact: ids that do not fit
 * (longer, or with a character above U+00FF) are compared with {@code equals}.
 */
final class UserKey {

  /** Longest id kept inline. */
  static final int MAX_INLINE = 16;

  private UserKey() {}

  /** Records {@code user} inline in {@code e}, when it fits; under the table's lock. */
  static void store(UserEvents e, String user) {
    int n = user.length();
    long k0 = 0;
    long k1 = 0;
    int all = 0; // every character or-ed: above 0xFF when one is
    for (int i = 0; i < n && n <= MAX_INLINE; i++) {
      char c = user.charAt(i);
      all |= c;
      if (i < 8) {
        k0 |= (long) c << (i << 3);
      } else {
        k1 |= (long) c << ((i - 8) << 3);
      }
    }
    boolean fits = n <= MAX_INLINE && all <= 0xFF;
    e.keyLength = fits ? n : -1;
    e.key0 = fits ? k0 : 0;
    e.key1 = fits ? k1 : 0;
  }

  /**
   * Whether entry {@code e} is {@code user}, whose spread hash is {@code h}: the single look-up's
   * test, which compares the characters with the entry's inline ones and stops at the first
   * difference.
   */
  static boolean matches(UserEvents e, String user, int h) {
    if (e.user == user) {
      return true;
    }
    if (e.userHash != h) {
      return false;
    }
    int n = e.keyLength;
    if (n < 0) {
      return user.equals(e.user);
    }
    // The empty id is never held (blank ids are not added), and an entry read before its
    // publication (the look-ahead reads without ordering) shows zeroed fields.
    if (user.length() != n || n == 0) {
      return false;
    }
    long k = e.key0;
    for (int i = 0; i < n; i++) {
      if (i == 8) {
        k = e.key1;
      }
      // A character above 0xFF differs from every inline byte.
      if (user.charAt(i) != (int) ((k >>> ((i & 7) << 3)) & 0xFF)) {
        return false;
      }
    }
    return true;
  }
}
