package dev.frip.core.internal.generator;

import dev.frip.core.EventStream;
import dev.frip.core.GeneratedEvent;
import dev.frip.core.GenerationSummary;
import dev.frip.core.GeneratorConfig;
import dev.frip.core.Profile;
import java.time.ZoneOffset;
import java.util.NoSuchElementException;

/**
 * The {@link EventStream} of a world: asks the profile's {@link DaySource} for one day at a time
 * and hands out the {@link Timeline}'s events in time order; after the last day, the chargebacks
 * and refunds still waiting are released.
 */
public final class WorldStream implements EventStream {

  private final DaySource source;
  private final Timeline timeline;
  private final Tally tally;
  private final int days;
  private final boolean addedEqualsFinal;
  private int day = -1;
  private boolean draining;
  private boolean finished;
  private boolean closed;
  private GeneratedEvent next;

  WorldStream(GeneratorConfig config) {
    long start = config.startDate().atStartOfDay(ZoneOffset.UTC).toInstant().toEpochMilli();
    this.days = config.days();
    this.tally = new Tally(days);
    this.timeline = new Timeline(start, config.seed(), tally);
    this.addedEqualsFinal = config.profile() != Profile.HANDBOOK;
    this.source =
        config.profile() == Profile.HANDBOOK
            ? new HandbookWorld(config, tally)
            : new PlatformWorld(config, tally);
  }

  /** Opens the stream of a world; nothing is generated until the first {@link #hasNext()}. */
  public static EventStream open(GeneratorConfig config) {
    return new WorldStream(config);
  }

  @Override
  public boolean hasNext() {
    if (next == null && !finished && !closed) {
      next = advance();
    }
    return next != null;
  }

  @Override
  public GeneratedEvent next() {
    if (!hasNext()) {
      throw new NoSuchElementException("the world has no more events");
    }
    GeneratedEvent e = next;
    next = null;
    return e;
  }

  private GeneratedEvent advance() {
    while (true) {
      GeneratedEvent e = timeline.poll();
      if (e != null) {
        return e;
      }
      if (day + 1 < days) {
        day++;
        timeline.openDay(day);
        source.generateDay(day, timeline);
        timeline.sealDay();
      } else if (!draining) {
        draining = true;
        timeline.drain();
      } else {
        finished = true;
        return null;
      }
    }
  }

  @Override
  public GenerationSummary summary() {
    if (!finished) {
      throw new IllegalStateException(
          "the summary is complete only once the stream is exhausted (hasNext() returned false)");
    }
    return tally.summary(source.meanTerminalsPerCustomer(), addedEqualsFinal);
  }

  @Override
  public void close() {
    closed = true;
    next = null;
    timeline.release();
  }

  /** Events waiting for a later day right now (a probe for memory tests). */
  int pendingLater() {
    return timeline.pendingLater();
  }

  /** The most events that ever waited for a later day at once. */
  int maxPendingLater() {
    return timeline.maxPendingLater();
  }

  /** Events buffered for the current day. */
  int bufferedToday() {
    return timeline.bufferedToday();
  }
}
