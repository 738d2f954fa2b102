package dev.frip.core.internal.generator;

/** A world that writes the events of one day at a time onto a {@link Timeline}. */
interface DaySource {

  /**
   * Adds the events that originate on {@code day} (0-based). Called for days 0, 1, 2, ... in order;
   * events may be timed later than the day (chargebacks) but never earlier than its start.
   */
  void generateDay(int day, Timeline timeline);

  /**
   * Mean terminals per customer for the summary, or {@code NaN} when the world has no such measure.
   */
  double meanTerminalsPerCustomer();
}
