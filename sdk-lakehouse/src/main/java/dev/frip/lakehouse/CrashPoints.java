package dev.frip.lakehouse;

/**
 * Test-only crash points for the exactly-once kill test of bronze ingestion. Inert in production:
 * unless the JVM was started with the system property {@value #PROPERTY} naming one of the points,
 * {@link #reached} compares two strings and returns. When a point is armed and reached, the process
 * prints {@code frip-crash-point NAME} on standard output and blocks that thread for good, so that
 * a test can kill the JVM ({@code Process.destroyForcibly()}) at exactly that point.
 */
final class CrashPoints {

  /** The system property that arms one crash point. Never set it in production. */
  static final String PROPERTY = "frip.lakehouse.testCrashPoint";

  /** The Parquet files of a bronze write are on storage, the Delta commit is not made yet. */
  static final String BEFORE_BRONZE_COMMIT = "bronze-before-commit";

  /** The bronze Delta commit is made, the Kafka offsets are not committed yet. */
  static final String AFTER_BRONZE_COMMIT = "bronze-after-commit";

  private static final String ARMED = System.getProperty(PROPERTY);

  private CrashPoints() {}

  /** Blocks forever when {@code point} is the armed one; otherwise returns at once. */
  static void reached(String point) {
    if (ARMED == null || !ARMED.equals(point)) {
      return;
    }
    System.out.println("frip-crash-point " + point);
    System.out.flush();
    while (true) {
      try {
        Thread.sleep(Long.MAX_VALUE);
      } catch (InterruptedException e) {
        // Keep blocking: only the kill ends this process.
      }
    }
  }
}
