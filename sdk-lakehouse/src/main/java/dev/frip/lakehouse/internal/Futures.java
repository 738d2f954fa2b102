package dev.frip.lakehouse.internal;

import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;

/** Waiting for the jobs' work on other threads. */
public final class Futures {

  private Futures() {}

  /**
   * The result of {@code f}, or what it threw, rethrown as itself when unchecked, so a job fails
   * with the same exception as if the work had run on the calling thread.
   *
   * @param what the work, for the messages: {@code "reading bronze"} gives "interrupted while
   *     reading bronze" and "reading bronze failed"
   */
  public static <T> T get(Future<T> f, String what) {
    try {
      return f.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while " + what, e);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof RuntimeException r) {
        throw r;
      }
      if (e.getCause() instanceof Error err) {
        throw err;
      }
      throw new IllegalStateException(what + " failed", e.getCause());
    }
  }
}
