package dev.frip.core.internal.features;

import java.util.Arrays;

/**
 * Dense int ids for strings, in order of first sight, -1 for null: open addressing over the strings
 * themselves, compared by identity first (ids read from a table are often one shared instance,
 * their hash cached), with no node and no boxing per entry. Each slot keeps its string's spread
 * hash beside it, so a probe past another string compares two ints and does not touch that string.
 * For the offline path's millions of look-ups of terminal, merchant, device, card, IP and user ids.
 * Not thread-safe.
 */
public final class StringIds {
  private String[] slots = new String[1024];
  private int[] slotIds = new int[1024];
  private int[] slotHashes = new int[1024];
  private String[] names = new String[1024];
  private int size;

  /** The id of {@code s}, assigned on first sight; -1 for null. */
  public int id(String s) {
    if (s == null) {
      return -1;
    }
    int h = spread(s.hashCode());
    int mask = slots.length - 1;
    for (int i = h & mask; ; i = (i + 1) & mask) {
      String k = slots[i];
      if (k == null) {
        break;
      }
      if (k == s || (slotHashes[i] == h && k.equals(s))) {
        return slotIds[i];
      }
    }
    if (size == names.length) {
      names = Arrays.copyOf(names, size * 2);
    }
    names[size] = s;
    if (size + 1 > slots.length >>> 1) {
      rehash(slots.length * 2);
    }
    put(s, h, size);
    return size++;
  }

  private void put(String s, int h, int id) {
    int mask = slots.length - 1;
    int i = h & mask;
    while (slots[i] != null) {
      i = (i + 1) & mask;
    }
    slots[i] = s;
    slotIds[i] = id;
    slotHashes[i] = h;
  }

  private void rehash(int capacity) {
    slots = new String[capacity];
    slotIds = new int[capacity];
    slotHashes = new int[capacity];
    for (int id = 0; id < size; id++) {
      put(names[id], spread(names[id].hashCode()), id);
    }
  }

  private static int spread(int h) {
    return h * 0x9E37_79B9 >>> 7 ^ h;
  }

  /** Number of ids given. */
  public int size() {
    return size;
  }

  /** The string of id {@code id}. */
  public String name(int id) {
    return names[id];
  }
}
