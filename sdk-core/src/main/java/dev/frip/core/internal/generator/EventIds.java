package dev.frip.core.internal.generator;

import java.util.UUID;

/**
 * Event ids as random-looking version-4 UUIDs that are a pure function of the seed and the event's
 * creation number, so a rerun reproduces them without a shared random stream.
 */
final class EventIds {

  private static final long GOLDEN = 0x9E3779B97F4A7C15L;

  private final long high;
  private final long low;
  private long next;

  EventIds(long seed) {
    this.high = Seeds.mix(seed ^ 0x6576656E74486931L);
    this.low = Seeds.mix(seed ^ 0x6576656E744C6F32L);
  }

  UUID next() {
    long n = next++;
    long msb = Seeds.mix(high + n * GOLDEN);
    long lsb = Seeds.mix(low + n * GOLDEN);
    // RFC 4122 version 4 and variant bits, so consumers that check them accept the ids.
    msb = (msb & 0xFFFFFFFFFFFF0FFFL) | 0x0000000000004000L;
    lsb = (lsb & 0x3FFFFFFFFFFFFFFFL) | 0x8000000000000000L;
    return new UUID(msb, lsb);
  }
}
