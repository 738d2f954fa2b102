package dev.frip.kafka.internal;

import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;

/**
 * Admin calls about a topic just created can fail with "unknown topic" until the new metadata
 * reaches the broker; this retries such calls until a deadline.
 */
public final class MetadataWait {

  private MetadataWait() {}

  /**
   * Runs the call, retrying while it fails with {@link UnknownTopicOrPartitionException}.
   *
   * @throws ExecutionException with the last failure
   */
  public static <T> T get(Supplier<KafkaFuture<T>> call, Duration timeout)
      throws ExecutionException, InterruptedException, TimeoutException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      try {
        return call.get().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
      } catch (ExecutionException e) {
        if (!(e.getCause() instanceof UnknownTopicOrPartitionException)
            || System.nanoTime() > deadline) {
          throw e;
        }
        Thread.sleep(50);
      }
    }
  }
}
