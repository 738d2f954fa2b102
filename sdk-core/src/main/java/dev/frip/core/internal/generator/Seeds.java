package dev.frip.core.internal.generator;

import java.util.SplittableRandom;

/**
 * Derived seeds and the few distributions the worlds need. Every random stream is seeded from the
 * config seed, a stream tag and the coordinates of what it draws (an entity, a day), so any part of
 * the world can be drawn again without replaying the rest.
 */
final class Seeds {

  private static final long GOLDEN = 0x9E3779B97F4A7C15L;

  private Seeds() {}

  /** SplitMix64's finaliser: a bijective avalanche of 64 bits. */
  static long mix(long z) {
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }

  /** A seed for stream {@code tag} at coordinates (a, b). */
  static long derive(long seed, long tag, long a, long b) {
    long z = mix(seed + tag * GOLDEN);
    z = mix(z + (a + 1) * GOLDEN);
    return mix(z + (b + 1) * GOLDEN);
  }

  /** A fresh random stream for stream {@code tag} at coordinates (a, b). */
  static SplittableRandom random(long seed, long tag, long a, long b) {
    return new SplittableRandom(derive(seed, tag, a, b));
  }

  /**
   * Poisson draw. Knuth's product of uniforms for small means (the worlds' per-day counts), a
   * rounded normal approximation above 30 where Knuth would be slow.
   */
  static int poisson(SplittableRandom r, double mean) {
    if (mean <= 0) {
      return 0;
    }
    if (mean > 30) {
      long k = Math.round(mean + Math.sqrt(mean) * r.nextGaussian());
      return (int) Math.max(0, Math.min(Integer.MAX_VALUE, k));
    }
    return poissonSmall(r, StrictMath.exp(-mean));
  }

  /** Knuth's method given {@code exp(-mean)}, precomputed by callers that draw often. */
  static int poissonSmall(SplittableRandom r, double expMinusMean) {
    int k = 0;
    double p = r.nextDouble();
    while (p > expMinusMean) {
      k++;
      p *= r.nextDouble();
    }
    return k;
  }
}
