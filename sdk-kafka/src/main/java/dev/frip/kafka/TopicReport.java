package dev.frip.kafka;

import java.util.List;

/**
 * What {@link TopicAdmin} found and did: topics created, topics that matched their spec, and every
 * setting that differs from its spec.
 *
 * @param created topics that were missing and were created
 * @param verified topics that existed and match their spec
 * @param drifts settings of existing topics that differ from their spec
 * @since 0.1.0
 */
public record TopicReport(List<String> created, List<String> verified, List<Drift> drifts) {

  /**
   * One setting of one topic that differs from its spec.
   *
   * @param topic the topic
   * @param setting {@code partitions}, {@code retention.ms} or {@code cleanup.policy}
   * @param expected the spec's value
   * @param actual the cluster's value
   */
  public record Drift(String topic, String setting, String expected, String actual) {
    @Override
    public String toString() {
      return topic + ": " + setting + " is " + actual + ", spec says " + expected;
    }
  }

  /** Copies the lists. */
  public TopicReport {
    created = List.copyOf(created);
    verified = List.copyOf(verified);
    drifts = List.copyOf(drifts);
  }

  /** Whether every topic matches its spec. */
  public boolean ok() {
    return drifts.isEmpty();
  }

  /** A human-readable summary, one line per created topic or drift. */
  public String describe() {
    StringBuilder sb = new StringBuilder();
    created.forEach(t -> sb.append("created ").append(t).append('\n'));
    if (!verified.isEmpty()) {
      sb.append("verified ")
          .append(verified.size())
          .append(" topics: ")
          .append(verified)
          .append('\n');
    }
    drifts.forEach(d -> sb.append("DRIFT ").append(d).append('\n'));
    return sb.toString();
  }
}
