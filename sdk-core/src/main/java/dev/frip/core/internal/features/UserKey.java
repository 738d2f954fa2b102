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

  /**
   * Packs {@code id} into {@code keys[at]} (characters 0 to 7, one byte each, the first lowest) and
   * {@code keys[at + 1]} (characters 8 to 15), zero past its end, in one pass; returns its length,
   * or -1 (and zeros) when it does not fit.
   */
  static int packInto(String id, long[] keys, int at) {
    int n = id.length();
    long k0 = 0;
    long k1 = 0;
    int all = 0; // every character or-ed: above 0xFF when one is
    if (n <= MAX_INLINE) {
      int first = Math.min(n, 8);
      for (int i = 0; i < first; i++) {
        char c = id.charAt(i);
        all |= c;
        k0 |= (long) c << (i << 3);
      }
      for (int i = 8; i < n; i++) {
        char c = id.charAt(i);
        all |= c;
        k1 |= (long) c << ((i - 8) << 3);
      }
    }
    boolean fits = n <= MAX_INLINE && all <= 0xFF;
    keys[at] = fits ? k0 : 0;
    keys[at + 1] = fits ? k1 : 0;
    return fits ? n : -1;
  }

  /** Records {@code user} inline in {@code e}, when it fits; under the table's lock. */
  static void store(UserEvents e, String user) {
    long[] keys = new long[2];
    e.keyLength = packInto(user, keys, 0);
    e.key0 = keys[0];
    e.key1 = keys[1];
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
    if (user.length() != n || n == 0) { // see the other matches on n == 0
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

  /**
   * As {@link #matches(UserEvents, String, int)} with the probe's length {@code n} and packed
   * characters {@code k0} and {@code k1} from {@link #packInto}: a few comparisons once the entry
   * is in the cache.
   */
  static boolean matches(UserEvents e, String user, int h, int n, long k0, long k1) {
    if (e.user == user) {
      return true;
    }
    // Equal ids fit alike, with the same length. The empty id is never held (blank ids are not
    // added), and an entry read before its publication would show its zeroed fields.
    if (e.userHash != h || e.keyLength != n || n == 0) {
      return false;
    }
    return n < 0 ? user.equals(e.user) : e.key0 == k0 && e.key1 == k1;
  }
}
