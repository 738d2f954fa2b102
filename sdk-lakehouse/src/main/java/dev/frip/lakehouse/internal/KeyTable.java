package dev.frip.lakehouse.internal;

import java.util.Arrays;

/**
 * Dense ids (0, 1, … in the order first added) of distinct non-null strings, or of pairs of
 * strings: an open-addressing table of longs, each slot the key's mixed hash beside its id, so a
 * probe compares strings only when the full hashes match, and each key is held once, by id. No node
 * or boxed value per entry, so millions of keys add no objects for the collector to trace but the
 * arrays, and looking a key up costs one string hash and usually one cache line of the table.
 *
 * <p>Not thread-safe.
 */
final class KeyTable {

  /** Per slot: the key's mixed hash in the high half, its id + 1 in the low half; 0 is empty. */
  private long[] slots;

  /** The keys (first parts of pairs) by id. */
  private String[] first;

  /** The second parts of pairs by id, or null for one-string keys. */
  private String[] second;

  private int mask;
  private int size;

  /**
   * An empty table.
   *
   * @param expected how many distinct keys are expected (it grows past that)
   * @param pairs whether the keys are pairs of strings
   */
  KeyTable(int expected, boolean pairs) {
    int cap = Integer.highestOneBit(Math.max(8, expected) * 2 - 1) << 1;
    slots = new long[cap];
    mask = cap - 1;
    int keys = Math.max(4, expected);
    first = new String[keys];
    second = pairs ? new String[keys] : null;
  }

  /** Number of distinct keys. */
  int size() {
    return size;
  }

  /** The key of {@code id} (the first part of a pair). */
  String first(int id) {
    return first[id];
  }

  /**
   * The id of key {@code (a, b)} ({@code b} ignored for one-string keys), added when new.
   *
   * @throws NullPointerException when {@code a}, or {@code b} of a pair, is null
   */
  int add(String a, String b) {
    int h = hash(a, b);
    int slot = probe(h, a, b);
    if (slots[slot] != 0) {
      return (int) slots[slot] - 1;
    }
    if (size == first.length) {
      first = Arrays.copyOf(first, size * 2);
      if (second != null) {
        second = Arrays.copyOf(second, size * 2);
      }
    }
    first[size] = a;
    if (second != null) {
      second[size] = b;
    }
    slots[slot] = (long) h << 32 | (size + 1);
    size++;
    if (size * 2 > slots.length) {
      grow();
    }
    return size - 1;
  }

  /** The id of key {@code (a, b)}, or -1 when it is absent or null. */
  int get(String a, String b) {
    if (a == null || (second != null && b == null)) {
      return -1;
    }
    long s = slots[probe(hash(a, b), a, b)];
    return s == 0 ? -1 : (int) s - 1;
  }

  /** The slot holding key {@code (a, b)} of hash {@code h}, or the empty slot where it would go. */
  private int probe(int h, String a, String b) {
    int slot = h & mask;
    long s;
    while ((s = slots[slot]) != 0 && ((int) (s >>> 32) != h || !matches((int) s - 1, a, b))) {
      slot = (slot + 1) & mask;
    }
    return slot;
  }

  private boolean matches(int id, String a, String b) {
    return first[id].equals(a) && (second == null || second[id].equals(b));
  }

  /** Doubles the slots, placing each key by its kept hash (no string is hashed again). */
  private void grow() {
    long[] old = slots;
    slots = new long[old.length * 2];
    mask = slots.length - 1;
    for (long s : old) {
      if (s != 0) {
        int slot = (int) (s >>> 32) & mask;
        while (slots[slot] != 0) {
          slot = (slot + 1) & mask;
        }
        slots[slot] = s;
      }
    }
  }

  /**
   * The strings' hashes combined and mixed (murmur3's finalizer): consecutive ids such as {@code
   * user-41}, {@code user-42} have consecutive {@link String#hashCode}s, which would otherwise fill
   * runs of adjacent slots.
   */
  private int hash(String a, String b) {
    int h = a.hashCode();
    if (second != null) {
      h = h * 31 + b.hashCode();
    }
    h ^= h >>> 16;
    h *= 0x85ebca6b;
    h ^= h >>> 13;
    h *= 0xc2b2ae35;
    return h ^ (h >>> 16);
  }
}
