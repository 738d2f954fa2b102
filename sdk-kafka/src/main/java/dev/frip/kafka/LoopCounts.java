package dev.frip.kafka;

/**
 * Counters of an {@link EventConsumerLoop}, for reconciliation: every consumed record is either
 * processed or dead-lettered, so {@code consumed == processed + deadLettered} once a batch is done.
 *
 * @param consumed records polled from Kafka
 * @param processed records the handler completed
 * @param deadLettered records sent to a dead-letter topic (acknowledged by the broker)
 * @since 0.1.0
 */
public record LoopCounts(long consumed, long processed, long deadLettered) {

  /** Whether nothing went missing: consumed equals processed plus dead-lettered. */
  public boolean reconciles() {
    return consumed == processed + deadLettered;
  }
}
