package dev.frip.core;

import dev.frip.core.internal.generator.WorldStream;
import java.util.Objects;

/**
 * The synthetic fraud world: a deterministic stream of the six seed topics' events with injected,
 * labelled fraud. The same {@link GeneratorConfig} always yields the identical event sequence,
 * event ids included; memory depends on the size of the world (users, terminals), not on the number
 * of days.
 *
 * <pre>{@code
 * GeneratorConfig config = GeneratorConfig.builder().profile(Profile.HANDBOOK).seed(7).build();
 * try (EventStream events = WorldGenerator.create(config).stream()) {
 *   events.forEachRemaining(e -> producer.send(e.topic().name(), e.key(), e.value()));
 *   System.out.println(events.summary().fraudRate());
 * }
 * }</pre>
 *
 * <p>Ground truth: payments carry no label. A fraudulent payment is followed, days later, by a
 * {@code RefundEvent} of type {@code CHARGEBACK} naming the {@link FraudScenario}; abusive refunds
 * carry {@code refund_abuse} themselves. Chargebacks still in flight when the last day ends are
 * emitted after it, so every label is delivered.
 *
 * @since 0.1.0
 */
public final class WorldGenerator {

  private final GeneratorConfig config;

  private WorldGenerator(GeneratorConfig config) {
    this.config = config;
  }

  /** A generator for this configuration. */
  public static WorldGenerator create(GeneratorConfig config) {
    return new WorldGenerator(Objects.requireNonNull(config, "config"));
  }

  /** The configuration this generator uses. */
  public GeneratorConfig config() {
    return config;
  }

  /** A new stream of the whole world from its first day; each call starts afresh. */
  public EventStream stream() {
    return WorldStream.open(config);
  }
}
