package dev.frip.lakehouse;

import dev.frip.core.EventJson;
import dev.frip.core.TopicSpec;
import dev.frip.lakehouse.internal.BronzeSchema;
import dev.frip.lakehouse.internal.DeltaTable;
import dev.frip.lakehouse.internal.QualityGate;
import io.delta.kernel.exceptions.ConcurrentWriteException;
import io.delta.kernel.exceptions.MaxCommitRetryLimitReachedException;
import java.io.IOException;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes one topic's records to its bronze Delta table exactly once. Each {@link #write} is one
 * Delta commit carrying one {@code txn} action per Kafka partition it covers ({@code appId =
 * frip-bronze-{topic}-{partition}}, {@code version} = the last offset written), so the table itself
 * records how far each partition has been ingested. A consumer resumes from {@link
 * #committedOffsets()} on start and on every rebalance, never from Kafka's committed offsets; a
 * redelivered record (offset already in the table) is skipped.
 *
 * <pre>{@code
 * BronzeTableWriter w = lake.bronzeWriter(Topics.PAYMENTS);
 * w.committedOffsets().forEach((p, last) -> consumer.seek(new TopicPartition("payments", p), last + 1));
 * BronzeCommit c = w.write(batch);           // List<BronzeRecord>
 * }</pre>
 *
 * <p>One writer per Kafka partition at a time (the consumer group guarantees it); a concurrent
 * commit to the same table is retried after re-reading the offsets.
 *
 * @since 0.1.0
 */
public final class BronzeTableWriter {

  private static final Logger LOG = LoggerFactory.getLogger(BronzeTableWriter.class);
  private static final int MAX_ATTEMPTS = 5;

  private final TopicSpec topic;
  private final BronzeSchema schema;
  private final DeltaTable table;
  private final DeltaTable quarantine;
  private final Clock clock;

  BronzeTableWriter(Lakehouse lake, TopicSpec topic) {
    this.topic = topic;
    this.schema = BronzeSchema.of(topic.valueSchema());
    this.table = lake.bronzeTable(lake.bronzePath(topic), schema.struct(), BronzeSchema.EVENT_DATE);
    this.quarantine =
        lake.table(
            lake.quarantinePath("bronze_" + topic.name()),
            QualityGate.QUARANTINE_SCHEMA,
            BronzeSchema.EVENT_DATE);
    this.clock = Clock.systemUTC();
  }

  /** The transaction id ({@code txn.appId}) of one Kafka partition of this topic. */
  public String appId(int partition) {
    return "frip-bronze-" + topic.name() + "-" + partition;
  }

  /**
   * A buffer that writes through this writer when it holds {@code maxRecords} or its oldest record
   * has waited {@code maxAge}.
   */
  public BronzeBuffer buffered(int maxRecords, java.time.Duration maxAge) {
    return new BronzeBuffer(this, maxRecords, maxAge, Clock.systemUTC());
  }

  /** As {@link #buffered(int, java.time.Duration)}, with the clock that ages the buffer. */
  public BronzeBuffer buffered(int maxRecords, java.time.Duration maxAge, Clock clock) {
    return new BronzeBuffer(this, maxRecords, maxAge, clock);
  }

  /** The topic this writer ingests. */
  public TopicSpec topic() {
    return topic;
  }

  /** The bronze table's location. */
  public String tablePath() {
    return table.path();
  }

  /**
   * For each Kafka partition with data in the table, the last offset written, read from the Delta
   * log. Seek each partition to {@code offset + 1}; partitions absent here start from the
   * consumer's reset policy.
   */
  public Map<Integer, Long> committedOffsets() {
    return offsets(table, "frip-bronze-");
  }

  private Map<Integer, Long> offsets(DeltaTable t, String appIdPrefix) {
    List<String> ids = new ArrayList<>();
    for (int p = 0; p < topic.partitions(); p++) {
      ids.add(appIdPrefix + topic.name() + "-" + p);
    }
    Map<String, Long> versions = t.transactionVersions(ids);
    Map<Integer, Long> out = new TreeMap<>();
    for (int p = 0; p < topic.partitions(); p++) {
      Long v = versions.get(ids.get(p));
      if (v != null) {
        out.put(p, v);
      }
    }
    return out;
  }

  /**
   * Writes the records in one Delta commit. Records whose offset is already in the table are
   * skipped; records must all belong to this writer's topic.
   *
   * <p>A record that cannot become a row (a required field is null) does not stop its partition: it
   * goes to {@code quarantine/bronze_{topic}} with the reason and its coordinates, exactly once
   * (the quarantine table carries its own txn ids), and its offset counts as ingested.
   *
   * @throws SchemaMismatchException when the table exists with a different schema
   * @throws IllegalArgumentException naming topic, partition and offset of a record of another
   *     topic
   */
  public BronzeCommit write(Collection<BronzeRecord> records) {
    for (BronzeRecord r : records) {
      if (!r.topic().name().equals(topic.name())) {
        throw new IllegalArgumentException(
            "record from topic "
                + r.topic().name()
                + "-"
                + r.partition()
                + "@"
                + r.offset()
                + " given to the bronze writer of "
                + topic.name());
      }
    }
    for (int attempt = 1; ; attempt++) {
      Map<Integer, Long> committed = committedOffsets();
      Map<Integer, Long> quarantinedUpTo = offsets(quarantine, "frip-bronze-quarantine-");
      List<Object[]> rows = new ArrayList<>(records.size());
      List<Object[]> bad = new ArrayList<>();
      Map<Integer, Long> badLast = new TreeMap<>();
      Map<Integer, Long> last = new TreeMap<>();
      Map<Integer, Long> seenMax = new HashMap<>();
      int skipped = 0;
      Instant now = clock.instant();
      for (BronzeRecord r : records) {
        long floor =
            Math.max(
                committed.getOrDefault(r.partition(), -1L),
                seenMax.getOrDefault(r.partition(), -1L));
        if (r.offset() <= floor) {
          skipped++;
          continue;
        }
        seenMax.put(r.partition(), r.offset());
        last.merge(r.partition(), r.offset(), Math::max);
        try {
          rows.add(
              schema.row(
                  r.value(),
                  topic.name(),
                  r.partition(),
                  r.offset(),
                  r.kafkaTimestamp(),
                  r.schemaId(),
                  now));
        } catch (RuntimeException e) {
          // A poison record must not stop its partition: quarantine it, move the offset on.
          if (r.offset() > quarantinedUpTo.getOrDefault(r.partition(), -1L)) {
            bad.add(quarantineRow(r, e.getMessage(), now));
            badLast.merge(r.partition(), r.offset(), Math::max);
          } else {
            skipped++; // quarantined by an earlier attempt: counted, not written twice
          }
        }
      }
      if (last.isEmpty()) {
        return new BronzeCommit(table.version(), 0, skipped, 0, Map.of());
      }
      Map<String, Long> txns = new java.util.LinkedHashMap<>();
      last.forEach((p, off) -> txns.put(appId(p), off));
      try {
        if (!bad.isEmpty()) {
          // Committed first with its own txn ids: a crash before the bronze commit redelivers
          // the batch, and the quarantined records are not quarantined twice.
          Map<String, Long> badTxns = new java.util.LinkedHashMap<>();
          badLast.forEach(
              (p, off) -> badTxns.put("frip-bronze-quarantine-" + topic.name() + "-" + p, off));
          quarantine.append(bad, badTxns);
          LOG.warn("bronze {}: quarantined {} records", topic.name(), bad.size());
        }
        long version =
            table.append(rows, txns, () -> CrashPoints.reached(CrashPoints.BEFORE_BRONZE_COMMIT));
        LOG.debug(
            "bronze {}: v{} wrote {} rows, skipped {}",
            topic.name(),
            version,
            rows.size(),
            skipped);
        return new BronzeCommit(version, rows.size(), skipped, bad.size(), last);
      } catch (ConcurrentWriteException | MaxCommitRetryLimitReachedException e) {
        if (attempt >= MAX_ATTEMPTS) {
          throw new IllegalStateException(
              "bronze "
                  + topic.name()
                  + ": gave up after "
                  + attempt
                  + " concurrent commits to "
                  + table.path(),
              e);
        }
        LOG.info(
            "bronze {}: concurrent commit, re-reading offsets ({})", topic.name(), e.getMessage());
      }
    }
  }

  /**
   * Rewrites one date partition's files into fewer, larger files ({@code remove} + {@code add},
   * {@code dataChange=false}); readers see the same rows before and after. Returns the version.
   */
  public long compact(LocalDate eventDate) {
    return table.compactPartition(eventDate);
  }

  /** Number of data files in one date partition. */
  public int fileCount(LocalDate eventDate) {
    return table.fileCount(eventDate);
  }

  private Object[] quarantineRow(BronzeRecord r, String reason, Instant now) {
    StringBuilder json = new StringBuilder(256);
    json.append("{\"partition\": ").append(r.partition());
    json.append(", \"offset\": ").append(r.offset());
    json.append(", \"kafka_timestamp\": ").append(r.kafkaTimestamp());
    json.append(", \"schema_id\": ").append(r.schemaId());
    json.append(", \"value\": ");
    try {
      EventJson.appendRecord(r.value(), json);
    } catch (IOException | RuntimeException e) {
      json.append("null");
    }
    json.append('}');
    return new Object[] {
      "bronze." + topic.name(),
      "schema(" + reason + ")",
      "QUARANTINE",
      json.toString(),
      topic.name() + "-" + r.partition() + "@" + r.offset(),
      now,
      LocalDate.ofInstant(now, ZoneOffset.UTC)
    };
  }
}
