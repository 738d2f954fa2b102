package dev.frip.lakehouse;

import dev.frip.core.TopicSpec;
import dev.frip.core.Topics;
import dev.frip.kafka.AvroSerde;
import dev.frip.kafka.AvroSerdeException;
import dev.frip.kafka.Backoff;
import dev.frip.kafka.ConsumerMeters;
import dev.frip.kafka.DeadLetter;
import dev.frip.kafka.FripAvroDeserializer;
import dev.frip.kafka.SchemaRegistry;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Ingests the seed topics from Kafka into their bronze Delta tables exactly once.
 *
 * <p>Where to resume comes from the Delta log, never from Kafka: on start and on every partition
 * assignment each partition is sought to the last offset its bronze table recorded ({@code txn}
 * {@code frip-bronze-{topic}-{partition}}) plus one, or to the beginning when the table has none.
 * Kafka offsets are committed after each Delta commit only so that lag is visible to monitoring;
 * losing them (or starting under a new group id) duplicates nothing. Before partitions are revoked
 * the buffered records of their topics are written.
 *
 * <p>A full or due buffer is written on a background thread ({@code frip-bronze-writer}) while the
 * next records are polled and decoded: at most one write is in flight, and the next one, a
 * rebalance or a shutdown waits for it. Its Kafka offsets are committed (for monitoring) by the
 * polling thread once its Delta commit is done.
 *
 * <p>Poison pills, i.e. bytes that are not a readable record of the topic (bad magic byte, unknown
 * schema id, truncated Avro, a record of another type), go to {@code {topic}.dlq} with the {@link
 * DeadLetter} headers and stage {@code deserialize}; records that decode but cannot become a bronze
 * row go to {@code quarantine/bronze_{topic}} (see {@link BronzeTableWriter#write}). The dead
 * letters are acknowledged before the next Delta commit. {@link #counts()} reconciles: {@code read
 * = written + skipped + quarantined + deadLettered + buffered}. Caveat: a dead-lettered offset is
 * not recorded in the Delta log, so a poison pill after the last committed bronze offset of its
 * partition is dead-lettered again after a restart (at least once in the DLQ, exactly once in
 * bronze).
 *
 * <pre>{@code
 * try (SchemaRegistry registry = SchemaRegistry.builder().url("http://127.0.0.1:8081").build();
 *     BronzeIngester ingester = BronzeIngester.builder()
 *         .lakehouse(Lakehouse.local(Path.of("/data/lake")))
 *         .bootstrapServers("127.0.0.1:9092")
 *         .registry(registry)
 *         .build()) {
 *   BronzeIngester.Counts c = ingester.runUntilIdle(); // or run() until shutdown()
 * }
 * }</pre>
 *
 * <p>Why not {@code EventConsumerLoop}: it commits Kafka offsets after every batch and resumes from
 * them, and its rebalance hooks cannot seek; bronze must resume from the Delta log on every
 * assignment and write a buffer that spans batches before a revocation, so this is a focused loop
 * on the same {@link DeadLetter} contract.
 *
 * <p><b>Meters</b> (with {@link Builder#meterRegistry}): the {@link ConsumerMeters} ({@code
 * frip.kafka.records.in{topic}}, {@code frip.kafka.dlq.records{topic,stage}}, {@code
 * frip.kafka.consumer.lag{group}}), and {@code frip.bronze.records{topic,outcome}} (outcome {@code
 * written}, {@code skipped} or {@code quarantined}), {@code frip.bronze.commits{topic}} (Delta
 * commits), {@code frip.bronze.write.time{topic}} (a histogram of the time to write and commit a
 * buffer) and {@code frip.bronze.buffered} (records read but not yet committed).
 *
 * <p>Not thread-safe: call {@link #run()} or {@link #runUntilIdle()} and {@link #close()} from one
 * thread; {@link #shutdown()} and {@link #counts()} from any.
 *
 * @since 0.1.0
 */
public final class BronzeIngester implements AutoCloseable {

  /** The default consumer group. */
  public static final String DEFAULT_GROUP_ID = "frip-bronze";

  private static final Logger LOG = LoggerFactory.getLogger(BronzeIngester.class);
  private static final Duration DLQ_ACK_TIMEOUT = Duration.ofSeconds(30);

  private final KafkaConsumer<byte[], byte[]> consumer;
  private final KafkaProducer<byte[], byte[]> deadLetters;
  private final FripAvroDeserializer deserializer;
  private final Map<String, TopicSpec> topics = new LinkedHashMap<>();
  private final Map<String, BronzeTableWriter> writers = new HashMap<>();
  private final Map<String, BronzeBuffer> buffers = new LinkedHashMap<>();
  private final Duration pollTimeout;
  private final AtomicBoolean stop = new AtomicBoolean();
  private final List<Future<RecordMetadata>> unacked = new ArrayList<>();
  private final ExecutorService writeThread =
      Executors.newSingleThreadExecutor(
          r -> {
            Thread t = new Thread(r, "frip-bronze-writer");
            t.setDaemon(true);
            return t;
          });
  private final ConsumerMeters consumerMeters;
  private final Map<String, TopicMeters> topicMeters = new HashMap<>();
  private final Counter registryUnavailable;
  private final Backoff registryBackoff =
      new Backoff(Duration.ofMillis(200), Duration.ofSeconds(10)); // registry did not answer
  private InFlight inFlight;
  private long inFlightRecords;
  private long read;
  private long written;
  private long skipped;
  private long quarantined;
  private long deadLettered;
  private boolean closed;

  private BronzeIngester(Builder b) {
    for (TopicSpec t : b.topics) {
      topics.put(t.name(), t);
      BronzeTableWriter w = b.lake.bronzeWriter(t);
      writers.put(t.name(), w);
      buffers.put(t.name(), w.buffered(b.bufferRecords, b.bufferAge));
    }
    this.registryUnavailable =
        Counter.builder("frip.kafka.registry.unavailable")
            .description("Batches rewound because the schema registry did not answer")
            .register(b.meters == null ? new SimpleMeterRegistry() : b.meters);
    if (b.meters == null) {
      this.consumerMeters = ConsumerMeters.none();
    } else {
      this.consumerMeters =
          ConsumerMeters.of(
              b.meters, b.groupId, topics.keySet(), List.of(DeadLetter.STAGE_DESERIALIZE));
      for (String topic : topics.keySet()) {
        topicMeters.put(topic, new TopicMeters(b.meters, topic));
      }
      Gauge.builder("frip.bronze.buffered", this, i -> i.counts().buffered())
          .description("Records read and not yet committed to bronze")
          .register(b.meters);
    }
    this.pollTimeout = b.pollTimeout;
    this.deserializer = new FripAvroDeserializer(b.registry, true);
    Map<String, Object> c = new HashMap<>();
    c.put("bootstrap.servers", b.bootstrapServers);
    c.put("group.id", b.groupId);
    c.put("enable.auto.commit", "false");
    c.put("auto.offset.reset", "earliest");
    c.put("max.poll.records", "5000");
    c.putAll(b.consumerProperties);
    this.consumer =
        new KafkaConsumer<>(c, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    this.deadLetters =
        new KafkaProducer<>(
            DeadLetter.producerConfig(c), new ByteArraySerializer(), new ByteArraySerializer());
    consumer.subscribe(topics.keySet(), new Resume());
  }

  /** A builder; lakehouse, bootstrap servers and registry are required. */
  public static Builder builder() {
    return new Builder();
  }

  /** The per-topic bronze meters. */
  private static final class TopicMeters {
    final Counter written;
    final Counter skipped;
    final Counter quarantined;
    final Counter commits;
    final Timer writeTime;

    TopicMeters(MeterRegistry meters, String topic) {
      written = outcome(meters, topic, "written");
      skipped = outcome(meters, topic, "skipped");
      quarantined = outcome(meters, topic, "quarantined");
      commits =
          Counter.builder("frip.bronze.commits")
              .description("Delta commits to the bronze table")
              .tag("topic", topic)
              .register(meters);
      writeTime =
          Timer.builder("frip.bronze.write.time")
              .description("Time to write and commit one buffer to the bronze table")
              .tag("topic", topic)
              .publishPercentileHistogram()
              .register(meters);
    }

    private static Counter outcome(MeterRegistry meters, String topic, String outcome) {
      return Counter.builder("frip.bronze.records")
          .description("Records the bronze writer took, by outcome")
          .tag("topic", topic)
          .tag("outcome", outcome)
          .register(meters);
    }
  }

  /** A buffer handed to the write thread: its topic and the commit it will make. */
  private record InFlight(String topic, Future<BronzeCommit> commit) {}

  /** Seeks from the Delta log on every assignment; writes buffers before giving partitions up. */
  private final class Resume implements ConsumerRebalanceListener {
    @Override
    public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
      flushTopics(partitions);
    }

    @Override
    public void onPartitionsLost(Collection<TopicPartition> partitions) {
      // Another member may own them now; the writer skips offsets already in the table and
      // re-reads them on a concurrent commit, so writing what we hold duplicates nothing.
      flushTopics(partitions);
    }

    @Override
    public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
      Map<String, Map<Integer, Long>> committed = new HashMap<>();
      for (TopicPartition tp : partitions) {
        Long last =
            committed
                .computeIfAbsent(tp.topic(), t -> writers.get(t).committedOffsets())
                .get(tp.partition());
        if (last == null) {
          consumer.seekToBeginning(List.of(tp));
        } else {
          consumer.seek(tp, last + 1);
        }
      }
      LOG.info(
          "bronze ingester: assigned {} partitions, resuming from the Delta log {}",
          partitions.size(),
          committed);
    }
  }

  /**
   * Polls and writes until every assigned partition is at its end offset and every buffer is
   * written, then returns the counts. Waits for the group to assign partitions first.
   */
  public Counts runUntilIdle() {
    try {
      while (!stop.get()) {
        pollOnce();
        if (!consumer.assignment().isEmpty() && atEnd()) {
          flushAll();
          if (atEnd()) {
            break;
          }
        }
      }
    } catch (WakeupException e) {
      if (!stop.get()) {
        throw e;
      }
    }
    flushAll();
    return counts();
  }

  /** Polls and writes until {@link #shutdown()}, then writes what is buffered. */
  public void run() {
    try {
      while (!stop.get()) {
        pollOnce();
      }
    } catch (WakeupException e) {
      if (!stop.get()) {
        throw e;
      }
    }
    flushAll();
  }

  /** Makes {@link #run()} or {@link #runUntilIdle()} return after writing its buffers. */
  public void shutdown() {
    stop.set(true);
    consumer.wakeup();
  }

  /** What has been read and where it went so far. */
  public synchronized Counts counts() {
    long buffered = 0;
    for (BronzeBuffer b : buffers.values()) {
      buffered += b.size();
    }
    return new Counts(
        read,
        written,
        skipped,
        quarantined,
        deadLettered + unacked.size(),
        buffered + inFlightRecords);
  }

  private boolean atEnd() {
    Set<TopicPartition> assigned = consumer.assignment();
    Map<TopicPartition, Long> ends = consumer.endOffsets(assigned);
    for (TopicPartition tp : assigned) {
      if (consumer.position(tp) < ends.getOrDefault(tp, 0L)) {
        return false;
      }
    }
    return true;
  }

  private void pollOnce() {
    Map<TopicPartition, Long> rewind = null;
    for (ConsumerRecord<byte[], byte[]> raw : consumer.poll(pollTimeout)) {
      TopicPartition tp = new TopicPartition(raw.topic(), raw.partition());
      if (rewind != null) {
        rewind.putIfAbsent(tp, raw.offset());
        continue;
      }
      Object value;
      try {
        value = deserializer.deserialize(raw.topic(), raw.headers(), raw.value());
      } catch (RuntimeException e) {
        if (e instanceof AvroSerdeException a && a.retriable()) {
          // The registry did not answer: this record and the rest of the batch are read again
          // later, not dead-lettered (they are most likely fine) and not counted as read yet.
          rewind = new HashMap<>();
          rewind.put(tp, raw.offset());
          LOG.warn("bronze ingester: schema registry unavailable, retrying: {}", e.getMessage());
          continue;
        }
        value = e; // dead-lettered below
      }
      synchronized (this) {
        read++;
      }
      consumerMeters.read(raw.topic());
      BronzeRecord record;
      try {
        if (value instanceof RuntimeException failure) {
          throw failure;
        }
        if (!(value instanceof SpecificRecord specific)) {
          throw new IllegalArgumentException(
              "not a specific record: " + (value == null ? "null" : value.getClass().getName()));
        }
        record =
            new BronzeRecord(
                topics.get(raw.topic()),
                raw.partition(),
                raw.offset(),
                raw.timestamp(),
                AvroSerde.schemaIdOf(raw.value()),
                specific);
      } catch (RuntimeException e) {
        deadLetter(raw, e);
        continue;
      }
      BronzeBuffer buffer = buffers.get(raw.topic());
      buffer.hold(record);
      if (buffer.isFull()) {
        writeInBackground(raw.topic());
      }
    }
    if (rewind != null) {
      rewind.forEach(consumer::seek);
      registryUnavailable.increment();
      registryBackoff.pause(stop::get);
    } else {
      registryBackoff.reset();
    }
    for (Map.Entry<String, BronzeBuffer> e : buffers.entrySet()) {
      if (e.getValue().isDue()) {
        writeInBackground(e.getKey());
      }
    }
    if (inFlight != null && inFlight.commit().isDone()) {
      finishWrite();
    }
    consumerMeters.updateLag(consumer);
  }

  /**
   * Hands a topic's buffer to the write thread after the dead letters polled so far are
   * acknowledged and the previous write is committed (one write at a time, in poll order).
   */
  private void writeInBackground(String topic) {
    awaitDeadLetters();
    finishWrite();
    BronzeBuffer buffer = buffers.get(topic);
    List<BronzeRecord> batch;
    synchronized (this) {
      batch = buffer.drain();
      inFlightRecords = batch.size();
    }
    BronzeTableWriter writer = writers.get(topic);
    inFlight =
        new InFlight(topic, writeThread.submit(() -> timed(topic, () -> writer.write(batch))));
  }

  /** Waits for the write in flight, if any, and records its commit; rethrows its failure. */
  private void finishWrite() {
    if (inFlight == null) {
      return;
    }
    InFlight f = inFlight;
    inFlight = null;
    BronzeCommit c;
    try {
      c = f.commit().get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while writing bronze " + f.topic(), e);
    } catch (ExecutionException e) {
      // The records stay counted as buffered: read, not written. FRIP's own exceptions (such as a
      // schema mismatch) already name the table; anything else gets the topic added.
      Throwable cause = e.getCause();
      if (cause instanceof Error err) {
        throw err;
      }
      throw writeFailed(f.topic(), cause);
    }
    committed(f.topic(), c);
  }

  private void flushTopics(Collection<TopicPartition> partitions) {
    if (closed) {
      // Revocation by close(): buffers are dropped (the Delta log's offsets make the next owner
      // read them again), so a failed ingester does not try its failing write once more.
      return;
    }
    Set<String> names = new TreeSet<>();
    partitions.forEach(tp -> names.add(tp.topic()));
    awaitDeadLetters();
    finishWrite();
    for (String name : names) {
      BronzeBuffer b = buffers.get(name);
      if (b != null) {
        flushNow(name, b).ifPresent(c -> committed(name, c));
      }
    }
  }

  private void flushAll() {
    awaitDeadLetters();
    finishWrite();
    for (Map.Entry<String, BronzeBuffer> e : buffers.entrySet()) {
      flushNow(e.getKey(), e.getValue()).ifPresent(c -> committed(e.getKey(), c));
    }
  }

  /** Runs a write, recording its time in the topic's write timer (when metered). */
  private BronzeCommit timed(String topic, Supplier<BronzeCommit> write) {
    TopicMeters m = topicMeters.get(topic);
    if (m == null) {
      return write.get();
    }
    long t0 = System.nanoTime();
    BronzeCommit c = write.get();
    m.writeTime.record(System.nanoTime() - t0, TimeUnit.NANOSECONDS);
    return c;
  }

  /**
   * The exception for a failed bronze write: FRIP's own exceptions (a schema mismatch, say) already
   * name the table and pass unchanged; anything else is wrapped with the topic.
   */
  private static RuntimeException writeFailed(String topic, Throwable cause) {
    if (cause instanceof RuntimeException r && r.getClass().getName().startsWith("dev.frip.")) {
      return r;
    }
    return new IllegalStateException(
        "writing bronze " + topic + " failed, nothing of it was committed: " + cause, cause);
  }

  /**
   * Writes a buffer now, on the polling thread, timing the write when there was one. The records
   * move from the buffer to {@code inFlightRecords} under the lock that {@link #counts()} takes,
   * and {@link #committed} moves them to {@code written} under it again, so the counts reconcile at
   * every instant (a failed write leaves them counted as buffered: read, not written).
   */
  private Optional<BronzeCommit> flushNow(String topic, BronzeBuffer buffer) {
    List<BronzeRecord> batch;
    synchronized (this) {
      if (buffer.size() == 0) {
        return Optional.empty();
      }
      batch = buffer.drain();
      inFlightRecords = batch.size();
    }
    try {
      return Optional.of(timed(topic, () -> buffer.writer().write(batch)));
    } catch (RuntimeException e) {
      throw writeFailed(topic, e);
    }
  }

  private void committed(String topic, BronzeCommit c) {
    synchronized (this) {
      // Nothing else is in flight when a commit is recorded (see finishWrite).
      inFlightRecords = 0;
      written += c.written();
      skipped += c.skipped();
      quarantined += c.quarantined();
    }
    TopicMeters m = topicMeters.get(topic);
    if (m != null) {
      m.written.increment(c.written());
      m.skipped.increment(c.skipped());
      m.quarantined.increment(c.quarantined());
      m.commits.increment();
    }
    CrashPoints.reached(CrashPoints.AFTER_BRONZE_COMMIT);
    // For lag monitoring only: resume positions come from the Delta log.
    Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
    Set<TopicPartition> assigned = consumer.assignment();
    c.offsets()
        .forEach(
            (p, last) -> {
              TopicPartition tp = new TopicPartition(topic, p);
              if (assigned.contains(tp)) {
                offsets.put(tp, new OffsetAndMetadata(last + 1));
              }
            });
    if (!offsets.isEmpty()) {
      consumer.commitAsync(
          offsets,
          (o, e) -> {
            if (e != null) {
              LOG.debug("bronze ingester: monitoring offset commit failed: {}", e.toString());
            }
          });
    }
  }

  private void deadLetter(ConsumerRecord<byte[], byte[]> raw, RuntimeException e) {
    int schemaId = AvroSerde.schemaIdOf(raw.value());
    String message =
        raw.topic() + "[" + raw.partition() + "]@" + raw.offset() + ": " + e.getMessage();
    Future<RecordMetadata> sent =
        deadLetters.send(
            DeadLetter.of(
                raw, DeadLetter.STAGE_DESERIALIZE, e.getClass().getName(), message, schemaId));
    synchronized (this) {
      unacked.add(sent);
    }
    consumerMeters.deadLettered(raw.topic(), DeadLetter.STAGE_DESERIALIZE);
    LOG.warn("bronze ingester: dead-lettered {}", message);
  }

  /** Dead letters are acknowledged before a Delta commit moves their partition past them. */
  private void awaitDeadLetters() {
    if (unacked.isEmpty()) {
      return;
    }
    deadLetters.flush();
    for (Future<RecordMetadata> f : unacked) {
      try {
        f.get(DLQ_ACK_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while writing dead letters", e);
      } catch (ExecutionException | TimeoutException e) {
        throw new IllegalStateException(
            "a dead letter could not be written; nothing after it is committed to bronze: " + e, e);
      }
    }
    synchronized (this) {
      deadLettered += unacked.size();
      unacked.clear();
    }
  }

  /**
   * Closes the consumer, the dead-letter producer and the deserializer; buffers are dropped. A
   * write still in flight (only after a failure) may complete, which duplicates nothing.
   */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    try {
      writeThread.shutdown();
      try {
        if (!writeThread.awaitTermination(30, TimeUnit.SECONDS)) {
          writeThread.shutdownNow();
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        writeThread.shutdownNow();
      }
      consumer.close(Duration.ofSeconds(10));
    } finally {
      deadLetters.close(Duration.ofSeconds(10));
      deserializer.close();
    }
  }

  /**
   * What the ingester has done.
   *
   * @param read records polled from Kafka
   * @param written rows written to bronze
   * @param skipped records whose offset was already in bronze (redelivery)
   * @param quarantined records in {@code quarantine/bronze_{topic}}
   * @param deadLettered poison pills sent to {@code {topic}.dlq}
   * @param buffered records read but not yet written (0 after {@link #runUntilIdle()})
   */
  public record Counts(
      long read, long written, long skipped, long quarantined, long deadLettered, long buffered) {

    /** True when every record read is accounted for. */
    public boolean reconciles() {
      return read == written + skipped + quarantined + deadLettered + buffered;
    }
  }

  /** Builds a {@link BronzeIngester}. */
  public static final class Builder {
    private Lakehouse lake;
    private String bootstrapServers;
    private SchemaRegistry registry;
    private String groupId = DEFAULT_GROUP_ID;
    private List<TopicSpec> topics = Topics.SEED;
    private int bufferRecords = 50_000;
    private Duration bufferAge = Duration.ofSeconds(5);
    private Duration pollTimeout = Duration.ofMillis(500);
    private MeterRegistry meters;
    private final Map<String, Object> consumerProperties = new HashMap<>();

    private Builder() {}

    /** The lakehouse whose bronze tables receive the records (required). */
    public Builder lakehouse(Lakehouse lake) {
      this.lake = Objects.requireNonNull(lake, "lakehouse");
      return this;
    }

    /** Kafka bootstrap servers, e.g. {@code 127.0.0.1:9092} (required). */
    public Builder bootstrapServers(String servers) {
      if (servers == null || servers.isBlank()) {
        throw new IllegalArgumentException("bootstrap servers must not be blank");
      }
      this.bootstrapServers = servers;
      return this;
    }

    /** The schema registry the values were written with (required; the caller closes it). */
    public Builder registry(SchemaRegistry registry) {
      this.registry = Objects.requireNonNull(registry, "registry");
      return this;
    }

    /** The consumer group; default {@value BronzeIngester#DEFAULT_GROUP_ID}. */
    public Builder groupId(String groupId) {
      if (groupId == null || groupId.isBlank()) {
        throw new IllegalArgumentException("group id must not be blank");
      }
      this.groupId = groupId;
      return this;
    }

    /** The topics to ingest; default {@link Topics#SEED}. Each must carry Avro values. */
    public Builder topics(TopicSpec... specs) {
      if (specs.length == 0) {
        throw new IllegalArgumentException("at least one topic is required");
      }
      for (TopicSpec t : specs) {
        if (Objects.requireNonNull(t, "topic").valueSchema() == null) {
          throw new IllegalArgumentException(
              "topic " + t.name() + " carries raw bytes, bronze needs an Avro value schema");
        }
      }
      this.topics = List.of(specs);
      return this;
    }

    /** Buffer bounds per topic: write at {@code records} or when the oldest waited {@code age}. */
    public Builder buffer(int records, Duration age) {
      if (records < 1) {
        throw new IllegalArgumentException("buffer size was " + records + ", must be >= 1");
      }
      if (age == null || age.isNegative() || age.isZero()) {
        throw new IllegalArgumentException("buffer age was " + age + ", must be > 0");
      }
      this.bufferRecords = records;
      this.bufferAge = age;
      return this;
    }

    /** How long one poll waits; default 500 ms. */
    public Builder pollTimeout(Duration timeout) {
      if (timeout == null || timeout.isNegative() || timeout.isZero()) {
        throw new IllegalArgumentException("poll timeout was " + timeout + ", must be > 0");
      }
      this.pollTimeout = timeout;
      return this;
    }

    /** Where the ingester's meters go (default: none); see the class comment for the names. */
    public Builder meterRegistry(MeterRegistry meters) {
      this.meters = Objects.requireNonNull(meters, "meters");
      return this;
    }

    /** A consumer setting, e.g. security options; overrides the ingester's defaults. */
    public Builder consumerProperty(String key, Object value) {
      consumerProperties.put(Objects.requireNonNull(key, "key"), Objects.requireNonNull(value));
      return this;
    }

    /** Connects the consumer and the dead-letter producer and subscribes. */
    public BronzeIngester build() {
      if (lake == null) {
        throw new IllegalArgumentException("lakehouse is required");
      }
      if (bootstrapServers == null) {
        throw new IllegalArgumentException("bootstrap servers are required");
      }
      if (registry == null) {
        throw new IllegalArgumentException("registry is required");
      }
      return new BronzeIngester(this);
    }
  }
}
