package dev.frip.lakehouse;

import dev.frip.core.ObserveResult;
import dev.frip.core.quality.SuiteResult;
import java.time.Duration;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;

/**
 * What one {@link TrainingFeaturesJob} run did. Counts reconcile: {@code silverPayments == rows +
 * quarantined} when the partition is published.
 *
 * @param date the {@code event_date} built
 * @param published whether the partition passed its quality gate and was written
 * @param version the training table's version after the run
 * @param rows training rows published (0 when blocked)
 * @param silverPayments silver payments of {@code date}, the rows the table must account for
 * @param quarantined payments of {@code date} put in quarantine instead (with the reason)
 * @param eventsRead history and day events read (silver payments, bronze geo, device and refund
 *     events) and fed to the offline computation
 * @param outcomes how the offline computation treated the events of the 30-day look-back (older
 *     ones feed only the batch table), as the online store counts them
 * @param datesWithoutSilver dates of the look-back before {@code date} with no silver payment:
 *     their payments are missing from the history (run the silver job for them first), or there
 *     were none
 * @param featureVersion the feature schema version of the vectors ({@code FeatureCatalog.VERSION})
 * @param timings wall time of the phases
 * @param quality the expectation suite's result
 * @param qualityResultPath where the JSON result was written
 * @since 0.1.0
 */
public record TrainingFeaturesResult(
    LocalDate date,
    boolean published,
    long version,
    int rows,
    int silverPayments,
    int quarantined,
    long eventsRead,
    Map<ObserveResult, Long> outcomes,
    List<LocalDate> datesWithoutSilver,
    String featureVersion,
    Timings timings,
    SuiteResult quality,
    String qualityResultPath) {

  /** Copies the collections. */
  public TrainingFeaturesResult {
    outcomes = Map.copyOf(outcomes);
    datesWithoutSilver = List.copyOf(datesWithoutSilver);
  }

  /**
   * Wall time of a run's phases.
   *
   * @param read scanning silver and bronze and sorting the events by event time
   * @param compute batch features and the point-in-time vectors
   * @param write quality gate, quarantine and the Delta commit
   */
  public record Timings(Duration read, Duration compute, Duration write) {
    /** The sum of the phases. */
    public Duration total() {
      return read.plus(compute).plus(write);
    }
  }
}
