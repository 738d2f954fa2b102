package dev.frip.core;

import java.util.Iterator;

/**
 * The events of a synthetic world in nondecreasing {@code event_time} order, generated lazily day
 * by day. Not thread-safe: one consumer reads it.
 *
 * <pre>{@code
 * try (EventStream events = WorldGenerator.create(config).stream()) {
 *   while (events.hasNext()) producer.send(events.next());
 *   GenerationSummary s = events.summary();
 * }
 * }</pre>
 *
 * @since 0.1.0
 */
public interface EventStream extends Iterator<GeneratedEvent>, AutoCloseable {

  /**
   * What was generated: counts per topic, labels per scenario.
   *
   * @throws IllegalStateException while {@link #hasNext()} is still true
   */
  GenerationSummary summary();

  /** Releases the buffers; afterwards {@link #hasNext()} is false. */
  @Override
  void close();
}
