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

  /** The number of characters of {@code id} kept inline, or -1 when it does not fit. */
  static int inlineLength(String id) {
    int n = id.length();
    if (n > MAX_INLINE) {
      return -1;
    }
    for (int i = 0; i < n; i++) {
      if (id.charAt(i) > 0xFF) {
        return -1;
      }
    }
    return n;
  }

  /**
   * Characters {@code [from, from + 8)} of an id that fits, one byte each, the first lowest; zero
   * past the id's end.
   */
  static long pack(String id, int from) {
    long k = 0;
    int to = Math.min(id.length(), from + 8);
    for (int i = from; i < to; i++) {
      k |= (long) id.charAt(i) << ((i - from) << 3);
    }
    return k;
  }

  /** Records {@code user} inline in {@code e}, when it fits; under the table's lock. */
  static void store(UserEvents e, String user) {
    int n = inlineLength(user);
    e.keyLength = n;
    e.key0 = n < 0 ? 0 : pack(user, 0);
    e.key1 = n < 0 ? 0 : pack(user, 8);
  }

  /** Whether entry {@code e} is {@code user}, whose spread hash is {@code h}. */
  static boolean matches(UserEvents e, String user, int h) {
    if (e.user == user) {
      return true;
    }
    if (e.userHash != h) {
      return false;
    }
    int n = inlineLength(user);
    return n < 0 ? user.equals(e.user) : matches(e, user, h, n, pack(user, 0), pack(user, 8));
  }

  /**
   * As {@link #matches(UserEvents, String, int)} with the probe's {@link #inlineLength} {@code n}
   * and, when it fits, its packed characters {@code k0} and {@code k1} computed already: a few
   * comparisons once the entry is in the cache.
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
