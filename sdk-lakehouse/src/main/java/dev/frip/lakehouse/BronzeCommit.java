package dev.frip.lakehouse;

import java.util.Map;

/**
 * What one bronze write did.
 *
 * @param version the Delta version committed, or the table's current version when nothing was new
 * @param written records written
 * @param skipped records skipped because they were already ingested (redelivery): their offset was
 *     in the table, or they were quarantined by an earlier attempt that did not commit bronze
 * @param quarantined records that could not become bronze rows (e.g. a required field is null);
 *     they are in {@code quarantine/bronze_{topic}} with the reason, and their offsets count as
 *     ingested
 * @param offsets for each Kafka partition in the commit, the last offset now in the table
 * @since 0.1.0
 */
public record BronzeCommit(
    long version, int written, int skipped, int quarantined, Map<Integer, Long> offsets) {

  /** Copies the offsets. */
  public BronzeCommit {
    offsets = Map.copyOf(offsets);
  }
}
