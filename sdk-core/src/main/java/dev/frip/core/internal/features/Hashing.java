package dev.frip.core.internal.features;

import java.util.UUID;

/**
 * 32-bit hashes of identifiers, as kept in {@link UserEvents}. Two different ids collide with
 * probability about 2^-32 per pair; both paths use the same hash, so they always agree with each
 * other, and a collision can only undercount a distinct count by one.
 */
public final class Hashing {

  private Hashing() {}

  /** Hash of a string id (device, merchant, IP, country). */
  public static int of(String s) {
    return mix(s.hashCode());
  }

  /** Hash of an event id: the tie-break between events of one user at the same millisecond. */
  public static int of(UUID id) {
    return mix(id.hashCode());
  }

  /** MurmurHash3's 32-bit finaliser: spreads String.hashCode's low-entropy bits. */
  public static int mix(int h) {
    h ^= h >>> 16;
    h *= 0x85EB_CA6B;
    h ^= h >>> 13;
    h *= 0xC2B2_AE35;
    h ^= h >>> 16;
    return h;
  }
}
