package dev.frip.scoring.internal;

import java.lang.reflect.Field;

/**
 * Array reads and writes without bounds checks, through {@code sun.misc.Unsafe}, for the one loop
 * where they are a measured cost: {@link TreeEnsemble}'s descent, where two checked loads per node
 * visit add about 40% to the instructions (see benchmarks/RESULTS.md).
 *
 * <p>Only indices the evaluator derives from a validated model and its own scratch buffers go
 * through here; caller input is always read with checked array accesses first. The unchecked path
 * is off, and the checked path is used instead, when {@code sun.misc.Unsafe} cannot be reached, on
 * Java 24 and later (where its memory-access methods print a warning, JEP 498), or when the system
 * property {@code frip.scoring.unchecked} is {@code false}.
 */
final class Unchecked {

  /** The instance, or {@code null} when the unchecked path is off. */
  static final sun.misc.Unsafe UNSAFE = find();

  static final long LONG_BASE = sun.misc.Unsafe.ARRAY_LONG_BASE_OFFSET;
  static final long FLOAT_BASE = sun.misc.Unsafe.ARRAY_FLOAT_BASE_OFFSET;

  private Unchecked() {}

  private static sun.misc.Unsafe find() {
    if (!Boolean.parseBoolean(System.getProperty("frip.scoring.unchecked", "true"))
        || Runtime.version().feature() >= 24
        || sun.misc.Unsafe.ARRAY_LONG_INDEX_SCALE != 8
        || sun.misc.Unsafe.ARRAY_FLOAT_INDEX_SCALE != 4) {
      return null;
    }
    try {
      Field f = sun.misc.Unsafe.class.getDeclaredField("theUnsafe");
      f.setAccessible(true);
      return (sun.misc.Unsafe) f.get(null);
    } catch (ReflectiveOperationException | RuntimeException e) {
      return null;
    }
  }
}
