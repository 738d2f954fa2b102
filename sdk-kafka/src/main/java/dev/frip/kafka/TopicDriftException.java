package dev.frip.kafka;

/**
 * Existing topics differ from their specs (for example a wrong partition count). The report lists
 * every difference; FRIP does not change existing topics by itself, since shrinking partitions is
 * impossible and growing them moves keys between partitions.
 *
 * @since 0.1.0
 */
public class TopicDriftException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  private final transient TopicReport report;

  /** Creates the exception from a report with drifts. */
  public TopicDriftException(TopicReport report) {
    super("topics differ from their specs: " + report.drifts());
    this.report = report;
  }

  /** The full report, including topics created and verified before the drift was found. */
  public TopicReport report() {
    return report;
  }
}
