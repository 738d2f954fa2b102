package dev.frip.kafka;

import dev.frip.core.TopicSpec;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Deserializer;

/**
 * A consumer loop that never loses a record: it polls raw bytes, deserializes and validates each
 * record itself, hands good ones to the handler, and sends every failure to {@code {topic}.dlq}
 * with headers naming the error (see {@link DeadLetter}). Offsets are committed by hand after each
 * batch, once the handler is done and the dead letters are acknowledged, so a crash replays rather
 * than drops. A poison pill never escapes {@code poll()}.
 *
 * <pre>{@code
 * EventConsumerLoop<Object> loop = EventConsumerLoop.builder(new FripAvroDeserializer(registry, true))
 *     .bootstrapServers("127.0.0.1:9092").groupId("frip-scorer").topics(Topics.PAYMENTS)
 *     .validator(EventValidators.standard())
 *     .handler(record -> scorer.score((PaymentEvent) record.value()))
 *     .build();
 * executor.submit(loop);          // runs until loop.shutdown()
 * }</pre>
 *
 * <p>Meters: {@code frip.kafka.records.in{topic}}, {@code frip.kafka.records.processed{topic}},
 * {@code frip.kafka.dlq.records{topic,stage}}, {@code frip.kafka.serde.time{op=deserialize}},
 * {@code frip.kafka.consumer.lag{group}}, {@code frip.kafka.registry.unavailable} (batches rewound
 * because the schema registry did not answer; they are retried with backoff, never dead-lettered).
 *
 * @param <V> the value type the deserializer returns
 * @since 0.1.0
 */
public final class EventConsumerLoop<V> implements Runnable, AutoCloseable {

  private static final Duration DLQ_ACK_TIMEOUT = Duration.ofSeconds(30);
  private static final Duration REGISTRY_BACKOFF_MIN = Duration.ofMillis(200);
  private static final Duration REGISTRY_BACKOFF_MAX = Duration.ofSeconds(10);

  private final Consumer<byte[], byte[]> consumer;
  private final Producer<byte[], byte[]> deadLetters;
  private final boolean ownsDeadLetters;
  private final Deserializer<V> deserializer;
  private final RecordValidator<? super V> validator;
  private final RecordHandler<V> handler;
  private final Duration pollTimeout;
  private final String groupId;
  private final MeterRegistry meters;
  private final Timer serdeTimer;
  private final Counter registryUnavailable; // null without a meter registry
  private final AtomicLong lag = new AtomicLong();
  private final Map<String, Counter> counters = new ConcurrentHashMap<>();
  private final AtomicBoolean stopping = new AtomicBoolean();
  private final AtomicBoolean closed = new AtomicBoolean();
  private final CountDownLatch finished = new CountDownLatch(1);
  private volatile boolean running;
  private long consumed;
  private long processed;
  private long deadLettered;
  private final org.apache.kafka.common.serialization.StringDeserializer keys =
      new org.apache.kafka.common.serialization.StringDeserializer();

  private EventConsumerLoop(Builder<V> b) {
    Map<String, Object> c = new HashMap<>(b.config);
    c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    c.putIfAbsent(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    this.consumer =
        new KafkaConsumer<>(c, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    if (b.deadLetters != null) {
      this.deadLetters = b.deadLetters;
      this.ownsDeadLetters = false;
    } else {
      this.deadLetters =
          new KafkaProducer<>(
              DeadLetter.producerConfig(b.config),
              new ByteArraySerializer(),
              new ByteArraySerializer());
      this.ownsDeadLetters = true;
    }
    this.deserializer = b.deserializer;
    this.validator = b.validator;
    this.handler = b.handler;
    this.pollTimeout = b.pollTimeout;
    this.groupId = String.valueOf(b.config.get(ConsumerConfig.GROUP_ID_CONFIG));
    this.meters = b.meters;
    this.serdeTimer =
        meters == null
            ? null
            : Timer.builder("frip.kafka.serde.time").tag("op", "deserialize").register(meters);
    this.registryUnavailable =
        meters == null
            ? null
            : Counter.builder("frip.kafka.registry.unavailable")
                .description("Batches rewound because the schema registry did not answer")
                .register(meters);
    if (meters != null) {
      Gauge.builder("frip.kafka.consumer.lag", lag, AtomicLong::get)
          .description("Records behind the end of the assigned partitions")
          .tag("group", groupId)
          .register(meters);
    }
    ConsumerRebalanceListener user = b.rebalanceListener;
    consumer.subscribe(
        b.topics,
        new ConsumerRebalanceListener() {
          @Override
          public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
            // Batches are committed before the next poll, so nothing is pending here.
            if (user != null) {
              user.onPartitionsRevoked(partitions);
            }
          }

          @Override
          public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
            if (user != null) {
              user.onPartitionsAssigned(partitions);
            }
          }

          @Override
          public void onPartitionsLost(Collection<TopicPartition> partitions) {
            if (user != null) {
              user.onPartitionsLost(partitions);
            }
          }
        });
  }

  /** A builder around the value deserializer, typically a {@link FripAvroDeserializer}. */
  public static <V> Builder<V> builder(Deserializer<V> deserializer) {
    return new Builder<>(deserializer);
  }

  /** Polls and handles batches until {@link #shutdown()}, then commits and closes. */
  @Override
  public void run() {
    running = true;
    try {
      Backoff backoff = new Backoff(REGISTRY_BACKOFF_MIN, REGISTRY_BACKOFF_MAX);
      while (!stopping.get()) {
        try {
          pollOnce();
          backoff.reset();
        } catch (AvroSerdeException e) {
          // Only a retriable registry failure escapes pollOnce: the batch was rewound to the
          // record, which is read again once the registry answers.
          if (registryUnavailable != null) {
            registryUnavailable.increment(); // untagged, as in the scorer and the ingester
          }
          backoff.pause(stopping::get);
        }
      }
    } catch (WakeupException e) {
      if (!stopping.get()) {
        throw e;
      }
    } finally {
      closeResources();
      running = false;
      finished.countDown();
    }
  }

  /**
   * Polls once, handles the batch, dead-letters failures and commits. Call from one thread only.
   *
   * @return how many records were consumed (handled or dead-lettered)
   * @throws IllegalStateException when a dead letter could not be written: nothing is committed and
   *     the batch's partitions are rewound, so the next poll reads the batch again
   * @throws AvroSerdeException when the schema registry could not answer for a record ({@link
   *     AvroSerdeException#retriable()}): the records before it are committed, its partition and
   *     every other one of the batch are rewound to their first record not consumed, and nothing is
   *     dead-lettered; {@link #run()} backs off and polls again
   */
  public int pollOnce() {
    ConsumerRecords<byte[], byte[]> records = consumer.poll(pollTimeout);
    long batchProcessed = 0;
    int batchConsumed = 0;
    List<Future<RecordMetadata>> sent = new ArrayList<>();
    Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
    Map<TopicPartition, Long> first = new HashMap<>();
    AvroSerdeException unavailable = null;
    for (ConsumerRecord<byte[], byte[]> raw : records) {
      TopicPartition tp = new TopicPartition(raw.topic(), raw.partition());
      first.putIfAbsent(tp, raw.offset());
      if (unavailable != null) {
        continue;
      }
      try {
        if (handleOne(raw, sent)) {
          batchProcessed++;
        }
      } catch (AvroSerdeException e) {
        unavailable = e; // retriable: stop consuming this batch here
        continue;
      }
      count("frip.kafka.records.in", raw.topic(), null);
      batchConsumed++;
      offsets.put(tp, new OffsetAndMetadata(raw.offset() + 1));
    }
    for (Future<RecordMetadata> f : sent) {
      try {
        f.get(DLQ_ACK_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        rewind(first, Map.of());
        throw new IllegalStateException(
            "interrupted while writing dead letters; offsets not committed", e);
      } catch (ExecutionException | TimeoutException e) {
        rewind(first, Map.of());
        throw new IllegalStateException(
            "a dead letter could not be written, so offsets are not committed and the batch will"
                + " be consumed again: "
                + e,
            e);
      }
    }
    if (!offsets.isEmpty()) {
      consumer.commitSync(offsets);
    }
    synchronized (this) {
      consumed += batchConsumed;
      processed += batchProcessed;
      deadLettered += sent.size();
    }
    if (unavailable != null) {
      rewind(first, offsets);
      throw unavailable;
    }
    updateLag();
    return batchConsumed;
  }

  /** Seeks each partition of a batch to its first record not consumed. */
  private void rewind(
      Map<TopicPartition, Long> first, Map<TopicPartition, OffsetAndMetadata> consumedUpTo) {
    for (Map.Entry<TopicPartition, Long> e : first.entrySet()) {
      OffsetAndMetadata done = consumedUpTo.get(e.getKey());
      consumer.seek(e.getKey(), done != null ? done.offset() : e.getValue());
    }
  }

  private boolean handleOne(ConsumerRecord<byte[], byte[]> raw, List<Future<RecordMetadata>> sent) {
    int schemaId = AvroSerde.schemaIdOf(raw.value());
    V value;
    long start = serdeTimer != null ? System.nanoTime() : 0L;
    try {
      value = deserializer.deserialize(raw.topic(), raw.headers(), raw.value());
    } catch (RuntimeException e) {
      if (e instanceof AvroSerdeException a && a.retriable()) {
        throw a;
      }
      sent.add(
          deadLetter(
              raw,
              DeadLetter.STAGE_DESERIALIZE,
              e.getClass().getName(),
              where(raw) + e.getMessage(),
              schemaId));
      return false;
    }
    if (serdeTimer != null) {
      serdeTimer.record(System.nanoTime() - start, TimeUnit.NANOSECONDS);
    }
    String key = raw.key() == null ? null : keys.deserialize(raw.topic(), raw.key());
    List<Violation> violations;
    try {
      violations = validator.validate(key, value);
    } catch (RuntimeException e) {
      sent.add(
          deadLetter(
              raw,
              DeadLetter.STAGE_VALIDATE,
              e.getClass().getName(),
              where(raw) + "validator failed: " + e.getMessage(),
              schemaId));
      return false;
    }
    if (!violations.isEmpty()) {
      sent.add(
          deadLetter(
              raw,
              DeadLetter.STAGE_VALIDATE,
              "dev.frip.kafka.Violation",
              where(raw) + "invalid record: " + violations,
              schemaId));
      return false;
    }
    ConsumerRecord<String, V> record =
        new ConsumerRecord<>(
            raw.topic(),
            raw.partition(),
            raw.offset(),
            raw.timestamp(),
            raw.timestampType(),
            raw.serializedKeySize(),
            raw.serializedValueSize(),
            key,
            value,
            raw.headers(),
            raw.leaderEpoch());
    try {
      handler.handle(record);
    } catch (Exception e) {
      sent.add(
          deadLetter(
              raw,
              DeadLetter.STAGE_PROCESS,
              e.getClass().getName(),
              where(raw) + "handler failed: " + e.getMessage(),
              schemaId));
      return false;
    }
    count("frip.kafka.records.processed", raw.topic(), null);
    return true;
  }

  private static String where(ConsumerRecord<?, ?> raw) {
    return raw.topic() + "[" + raw.partition() + "]@" + raw.offset() + ": ";
  }

  private Future<RecordMetadata> deadLetter(
      ConsumerRecord<byte[], byte[]> raw,
      String stage,
      String errorClass,
      String message,
      int schemaId) {
    count("frip.kafka.dlq.records", raw.topic(), stage);
    return deadLetters.send(DeadLetter.of(raw, stage, errorClass, message, schemaId));
  }

  private void count(String meter, String topic, String stage) {
    if (meters == null) {
      return;
    }
    String id = meter + "|" + topic + "|" + stage;
    counters
        .computeIfAbsent(
            id,
            k -> {
              Counter.Builder c = Counter.builder(meter).tag("topic", topic);
              if (stage != null) {
                c.tag("stage", stage);
              }
              return c.register(meters);
            })
        .increment();
  }

  private void updateLag() {
    long total = 0;
    for (TopicPartition tp : consumer.assignment()) {
      total += consumer.currentLag(tp).orElse(0L);
    }
    lag.set(total);
  }

  /** Counts so far; they reconcile at every batch boundary. */
  public synchronized LoopCounts counts() {
    return new LoopCounts(consumed, processed, deadLettered);
  }

  /** Records behind the end of the assigned partitions, as of the last poll. */
  public long lag() {
    return lag.get();
  }

  /** Asks {@link #run()} to stop after the current batch; safe from any thread. */
  public void shutdown() {
    stopping.set(true);
    consumer.wakeup();
  }

  /**
   * Stops the loop: from another thread it waits for {@link #run()} to finish (up to 30 s);
   * otherwise it closes the consumer and the dead-letter producer it created.
   */
  @Override
  public void close() {
    if (running) {
      shutdown();
      try {
        finished.await(30, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      return;
    }
    closeResources();
  }

  private void closeResources() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    try {
      consumer.close(Duration.ofSeconds(10));
    } finally {
      if (ownsDeadLetters) {
        deadLetters.close(Duration.ofSeconds(10));
      }
      deserializer.close();
    }
  }

  /**
   * Settings of the loop. Required: bootstrap servers, group id, topics and a handler.
   *
   * @param <V> the value type
   */
  public static final class Builder<V> {
    private final Deserializer<V> deserializer;
    private final Map<String, Object> config = new HashMap<>();
    private final Set<String> topics = new LinkedHashSet<>();
    private RecordValidator<? super V> validator = RecordValidator.none();
    private RecordHandler<V> handler;
    private Producer<byte[], byte[]> deadLetters;
    private ConsumerRebalanceListener rebalanceListener;
    private MeterRegistry meters;
    private Duration pollTimeout = Duration.ofMillis(500);

    private Builder(Deserializer<V> deserializer) {
      this.deserializer = Objects.requireNonNull(deserializer, "deserializer");
    }

    /** The cluster, {@code host:port[,host:port]}. */
    public Builder<V> bootstrapServers(String servers) {
      config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, Objects.requireNonNull(servers));
      return this;
    }

    /** The consumer group. */
    public Builder<V> groupId(String groupId) {
      config.put(ConsumerConfig.GROUP_ID_CONFIG, Objects.requireNonNull(groupId));
      return this;
    }

    /** Topics to consume, by spec. */
    public Builder<V> topics(TopicSpec... specs) {
      for (TopicSpec t : specs) {
        topics.add(t.name());
      }
      return this;
    }

    /** Topics to consume, by name. */
    public Builder<V> topicNames(String... names) {
      topics.addAll(List.of(names));
      return this;
    }

    /**
     * Any other consumer setting (security, max.poll.records). Auto-commit stays off.
     *
     * @throws IllegalArgumentException for enable.auto.commit
     */
    public Builder<V> property(String key, Object value) {
      if (ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG.equals(key)) {
        throw new IllegalArgumentException(
            "enable.auto.commit is always false: the loop commits after each batch");
      }
      config.put(Objects.requireNonNull(key), Objects.requireNonNull(value));
      return this;
    }

    /** Validation before the handler (default: none). */
    public Builder<V> validator(RecordValidator<? super V> validator) {
      this.validator = Objects.requireNonNull(validator, "validator");
      return this;
    }

    /** What to do with each good record. */
    public Builder<V> handler(RecordHandler<V> handler) {
      this.handler = Objects.requireNonNull(handler, "handler");
      return this;
    }

    /** The producer for dead letters (default: an idempotent acks=all producer of its own). */
    public Builder<V> deadLetterProducer(Producer<byte[], byte[]> producer) {
      this.deadLetters = Objects.requireNonNull(producer, "producer");
      return this;
    }

    /** Called on partition assignment, revocation and loss, after the loop's own bookkeeping. */
    public Builder<V> rebalanceListener(ConsumerRebalanceListener listener) {
      this.rebalanceListener = Objects.requireNonNull(listener, "listener");
      return this;
    }

    /** Where the loop's meters go (default: none). */
    public Builder<V> meterRegistry(MeterRegistry meters) {
      this.meters = Objects.requireNonNull(meters, "meters");
      return this;
    }

    /** How long one poll waits for records (default 500 ms). */
    public Builder<V> pollTimeout(Duration timeout) {
      if (timeout == null || timeout.isNegative()) {
        throw new IllegalArgumentException("poll timeout was " + timeout + ", must be >= 0");
      }
      this.pollTimeout = timeout;
      return this;
    }

    /**
     * Creates the consumer and subscribes.
     *
     * @throws IllegalStateException naming the first missing setting
     */
    public EventConsumerLoop<V> build() {
      if (!config.containsKey(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG)) {
        throw new IllegalStateException("bootstrap servers were not set");
      }
      if (!config.containsKey(ConsumerConfig.GROUP_ID_CONFIG)) {
        throw new IllegalStateException("group id was not set");
      }
      if (topics.isEmpty()) {
        throw new IllegalStateException("no topics were given");
      }
      if (handler == null) {
        throw new IllegalStateException("handler was not set");
      }
      return new EventConsumerLoop<>(this);
    }
  }
}
