package dev.frip.kafka;

import dev.frip.core.FeatureStore;
import dev.frip.core.ObserveResult;
import dev.frip.core.TopicSpec;
import dev.frip.core.Topics;
import dev.frip.core.events.Action;
import dev.frip.core.events.Alert;
import dev.frip.core.events.FraudScore;
import dev.frip.core.events.PaymentEvent;
import dev.frip.core.events.Severity;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.avro.Schema;
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
 * The streaming scorer: consumes the seed topics (consumer group {@value #DEFAULT_GROUP_ID}), folds
 * every event into a {@link FeatureStore}, scores each payment with a {@link PaymentScorer} and
 * produces a {@link FraudScore} to {@code fraud_scores} and, for review and block decisions, an
 * {@link Alert} to {@code alerts}, both keyed by {@code user_id}.
 *
 * <pre>{@code
 * FeatureStore store = FeatureStore.inMemory().batchFeatures(batch).build();
 * FraudScorer fraud = FraudScorer.builder().models(registry).features(FeatureLookup.of(store)).build();
 * try (StreamingScorer scorer = StreamingScorer.builder()
 *     .bootstrapServers("127.0.0.1:9092").registry(schemaRegistry).features(store)
 *     .scorer(p -> { Decision d = fraud.score(p);
 *                    return new StreamingScorer.Verdict(d.score(), d.modelVersion(), d.action(),
 *                        d.reasons(), d.fallback()); })
 *     .build()) {
 *   scorer.run();                                   // until shutdown(), or runUntilIdle()
 * }
 * }</pre>
 *
 * <p><b>Event time across topics.</b> The topics are consumed together and Kafka interleaves them
 * in whatever order fetches return, so a payment can be polled before the device or geo event that
 * precedes it. The scorer therefore merges by event time: polled records wait in a buffer and are
 * handled in event-time order (ties in arrival order) up to a watermark, the oldest "newest event
 * time read" among the assigned partitions that still have records to fetch; a caught-up partition
 * (no lag) does not hold the watermark back. When each partition is in event-time order, as the
 * generator and a per-user producer write them, every payment is scored after all earlier events of
 * its user, whatever the topic. Events out of order within a partition are handled as they come;
 * the store inserts those up to its allowed lateness at their place, and an event it rejects as too
 * late is dead-lettered (below). Partitions far ahead of the watermark are paused while more than
 * {@link Builder#maxBuffered} records wait.
 *
 * <p><b>Nothing disappears.</b> A record that does not deserialize, breaks {@link
 * EventValidators#standard()} or has no {@code event_time} goes to {@code {topic}.dlq} with the
 * {@link DeadLetter} headers (stage {@code deserialize} or {@code validate}); an event the feature
 * store rejects (too late, in the future) or a payment the scorer fails on goes there with stage
 * {@code process}. {@link #counts()} reconciles: {@code read = scored + folded + deadLettered +
 * buffered + released}. Payments before {@link Builder#scoreFrom} are folded without a score
 * (warm-up).
 *
 * <p><b>Delivery.</b> At least once: offsets are committed (at most every {@link
 * Builder#commitInterval}, at idle, on revocation and shutdown) only after every score, alert and
 * dead letter up to them is acknowledged, and only up to the oldest record still buffered of each
 * partition. After a crash the uncommitted records are scored again; the score's {@code event_id}
 * is derived from the payment's, so consumers can tell a repeat, and the gold job counts the first
 * score of a payment. On revocation, buffered records of the revoked partitions are released to
 * their next owner ({@link Counts#released()}). Feature state is per process: a partition that
 * moves to another instance starts cold there unless that instance restored a {@link
 * FeatureStore#snapshot}.
 *
 * <p><b>Meters</b> (with {@link Builder#meterRegistry}): the {@link ConsumerMeters} ({@code
 * frip.kafka.records.in{topic}}, {@code frip.kafka.dlq.records{topic,stage}}, {@code
 * frip.kafka.consumer.lag{group}}), the output producer's {@code frip.kafka.records.out{topic}},
 * and {@code frip.streaming.payments.scored{action}}, {@code frip.streaming.alerts}, {@code
 * frip.streaming.score.latency} (a histogram of the payment scorer's time), {@code
 * frip.streaming.buffered} (records waiting for the watermark) and {@code
 * frip.streaming.watermark.lag} (seconds from the event time the scorer has handled up to, i.e. the
 * newest scored or folded record, to now; dead-lettered records, such as one from the future, do
 * not move it).
 *
 * <p>Not thread-safe: call {@link #run()} or {@link #runUntilIdle()} and {@link #close()} from one
 * thread; {@link #shutdown()} and {@link #counts()} from any.
 *
 * @since 0.1.0
 */
public final class StreamingScorer implements AutoCloseable {

  /** The default consumer group, the seed's. */
  public static final String DEFAULT_GROUP_ID = "frip-scorer";

  /** A block at or above this score raises a {@link Severity#CRITICAL} alert. */
  public static final double CRITICAL_SCORE = 0.95;

  private static final Logger LOG = LoggerFactory.getLogger(StreamingScorer.class);
  private static final Duration ACK_TIMEOUT = Duration.ofSeconds(30);

  /**
   * What a scorer decided about one payment: sdk-scoring's {@code Decision}, field for field.
   *
   * @param score fraud probability in [0, 1]
   * @param modelVersion the model version that scored, or {@code rules} for the fallback
   * @param action allow, review or block
   * @param reasons reason codes, largest contribution first
   * @param fallback whether the rules fallback scored instead of the model
   */
  public record Verdict(
      double score, String modelVersion, Action action, List<String> reasons, boolean fallback) {

    /** Validates and freezes the parts. */
    public Verdict {
      if (!(score >= 0 && score <= 1)) {
        throw new IllegalArgumentException("score was " + score + ", must be in [0, 1]");
      }
      Objects.requireNonNull(modelVersion, "modelVersion");
      Objects.requireNonNull(action, "action");
      reasons = List.copyOf(reasons);
    }
  }

  /** Scores one payment; reads its features from the store the scorer feeds. */
  @FunctionalInterface
  public interface PaymentScorer {
    /** The verdict on {@code payment}; an exception dead-letters the payment. */
    Verdict score(PaymentEvent payment) throws Exception;
  }

  /**
   * What the scorer has done.
   *
   * @param read records polled from Kafka
   * @param scored payments scored (a score produced and acknowledged or in flight)
   * @param alerts of those, the ones that raised an alert (review or block)
   * @param folded other events handed to the feature store (folded, or ignored by type) and
   *     payments before the scoring start
   * @param deadLettered records sent to {@code {topic}.dlq}
   * @param buffered records read, waiting for the event-time watermark
   * @param released buffered records given back on a revocation (their next owner reads them)
   */
  public record Counts(
      long read,
      long scored,
      long alerts,
      long folded,
      long deadLettered,
      long buffered,
      long released) {

    /** True when every record read is accounted for. */
    public boolean reconciles() {
      return read == scored + folded + deadLettered + buffered + released;
    }
  }

  /** A polled record waiting for the watermark. */
  private record Pending(
      long time, long seq, ConsumerRecord<byte[], byte[]> raw, SpecificRecord value) {}

  /**
   * Event time, then arrival. Written out: {@code Comparator.comparingLong(..).thenComparingLong}
   * was the scorer's top frame in a profile (its key extractors are megamorphic calls).
   */
  private static final Comparator<Pending> EVENT_TIME_ORDER =
      (a, b) -> {
        int c = Long.compare(a.time, b.time);
        return c != 0 ? c : Long.compare(a.seq, b.seq);
      };

  private final KafkaConsumer<byte[], byte[]> consumer;
  private final KafkaProducer<byte[], byte[]> deadLetters;
  private final EventProducer outputs;
  private final FripAvroDeserializer deserializer;
  private final RecordValidator<Object> validator = EventValidators.standard();
  private final FeatureStore store;
  private final PaymentScorer scorer;
  private final Instant scoreFrom;
  private final Duration pollTimeout;
  private final long commitIntervalNanos;
  private final int maxBuffered;
  private final AtomicBoolean stop = new AtomicBoolean();
  private final PriorityQueue<Pending> pending = new PriorityQueue<>(EVENT_TIME_ORDER);
  private final Map<TopicPartition, Long> newestTime = new HashMap<>();
  private final Map<TopicPartition, TreeSet<Long>> unfinished = new HashMap<>();
  private final Map<TopicPartition, Long> nextOffset = new HashMap<>();
  private final Set<TopicPartition> paused = new HashSet<>();
  private final List<Future<?>> unacked = new ArrayList<>();
  private final boolean metered;
  private final ConsumerMeters consumerMeters;
  private final Map<Action, Counter> scoredByAction = new EnumMap<>(Action.class);
  private final Counter alertCounter;
  private final Timer scoreLatency;
  private final AtomicLong handledUpTo = new AtomicLong(Long.MIN_VALUE);
  private final org.apache.kafka.common.serialization.StringDeserializer keys =
      new org.apache.kafka.common.serialization.StringDeserializer();
  private long seq;
  private final Backoff registryBackoff =
      new Backoff(Duration.ofMillis(200), Duration.ofSeconds(10)); // registry did not answer
  private Counter registryUnavailable; // null when not metered
  private long lastCommit = System.nanoTime();
  private boolean dirty;
  private long read;
  private long scored;
  private long alerts;
  private long folded;
  private long deadLettered;
  private long released;
  private boolean closed;

  private StreamingScorer(Builder b) {
    this.store = b.store;
    this.scorer = b.scorer;
    this.scoreFrom = b.scoreFrom;
    this.pollTimeout = b.pollTimeout;
    this.commitIntervalNanos = b.commitInterval.toNanos();
    this.maxBuffered = b.maxBuffered;
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
    EventProducer.Builder out =
        EventProducer.builder().bootstrapServers(b.bootstrapServers).registry(b.registry);
    if (b.meters != null) {
      out.meterRegistry(b.meters);
    }
    // The outputs go to the same cluster: same connection security as the consumer.
    DeadLetter.connectionConfig(b.consumerProperties).forEach(out::property);
    this.outputs = out.build();
    Set<String> names = new LinkedHashSet<>();
    b.topics.forEach(t -> names.add(t.name()));
    MeterRegistry m = b.meters;
    this.metered = m != null;
    if (m == null) {
      this.consumerMeters = ConsumerMeters.none();
      this.alertCounter = null;
      this.scoreLatency = null;
    } else {
      this.consumerMeters =
          ConsumerMeters.of(
              m,
              b.groupId,
              names,
              List.of(
                  DeadLetter.STAGE_DESERIALIZE,
                  DeadLetter.STAGE_VALIDATE,
                  DeadLetter.STAGE_PROCESS));
      for (Action a : Action.values()) {
        scoredByAction.put(
            a,
            Counter.builder("frip.streaming.payments.scored")
                .description("Payments scored, by decision")
                .tag("action", a.name().toLowerCase(Locale.ROOT))
                .register(m));
      }
      this.registryUnavailable =
          Counter.builder("frip.kafka.registry.unavailable")
              .description("Batches rewound because the schema registry did not answer")
              .register(m);
      this.alertCounter =
          Counter.builder("frip.streaming.alerts")
              .description("Alerts produced (review and block decisions)")
              .register(m);
      this.scoreLatency =
          Timer.builder("frip.streaming.score.latency")
              .description("Time the payment scorer took per payment")
              .publishPercentileHistogram()
              .register(m);
      Gauge.builder("frip.streaming.buffered", this, s -> s.counts().buffered())
          .description("Records read and waiting for the event-time watermark")
          .register(m);
      Gauge.builder("frip.streaming.watermark.lag", handledUpTo, StreamingScorer::lagSeconds)
          .description(
              "Seconds from the event time handled up to (the watermark's progress) to now")
          .baseUnit("seconds")
          .register(m);
    }
    consumer.subscribe(names, new Rebalance());
  }

  /** A builder; bootstrap servers, registry, feature store and payment scorer are required. */
  public static Builder builder() {
    return new Builder();
  }

  private final class Rebalance implements ConsumerRebalanceListener {
    @Override
    public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
      // Commit what is done while the partitions are still ours, then hand the rest over.
      commit();
      release(partitions);
    }

    @Override
    public void onPartitionsLost(Collection<TopicPartition> partitions) {
      release(partitions);
    }

    @Override
    public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
      LOG.info("streaming scorer: assigned {} partitions", partitions.size());
    }
  }

  /** Polls and scores until {@link #shutdown()}, then commits what is done. */
  public void run() {
    try {
      while (!stop.get()) {
        step();
      }
    } catch (WakeupException e) {
      if (!stop.get()) {
        throw e;
      }
    }
    commit();
  }

  /**
   * Polls and scores until every assigned partition is read to its end and nothing is buffered,
   * then commits and returns the counts. Waits for the group to assign partitions first.
   */
  public Counts runUntilIdle() {
    try {
      while (!stop.get()) {
        int n = step();
        if (n == 0 && !consumer.assignment().isEmpty() && atEnd()) {
          drain(Long.MAX_VALUE);
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
    commit();
    return counts();
  }

  /** Makes {@link #run()} or {@link #runUntilIdle()} return after committing. */
  public void shutdown() {
    stop.set(true);
    consumer.wakeup();
  }

  /** Counts so far. */
  public synchronized Counts counts() {
    return new Counts(read, scored, alerts, folded, deadLettered, pending.size(), released);
  }

  /** One poll: buffer the records, handle those under the watermark, commit when due. */
  private int step() {
    int n = 0;
    Map<TopicPartition, Long> rewind = null;
    for (ConsumerRecord<byte[], byte[]> raw : consumer.poll(pollTimeout)) {
      TopicPartition tp = new TopicPartition(raw.topic(), raw.partition());
      if (rewind != null) {
        rewind.putIfAbsent(tp, raw.offset());
        continue;
      }
      try {
        accept(raw);
        n++;
      } catch (AvroSerdeException e) {
        // The registry did not answer (accept lets only retriable failures out): read this record
        // and the rest of the batch again later instead of dead-lettering good records.
        rewind = new HashMap<>();
        rewind.put(tp, raw.offset());
        LOG.warn("streaming scorer: schema registry unavailable, retrying: {}", e.getMessage());
      }
    }
    if (rewind != null) {
      rewind.forEach(consumer::seek);
      if (registryUnavailable != null) {
        registryUnavailable.increment();
      }
      registryBackoff.pause(stop::get);
    } else {
      registryBackoff.reset();
    }
    drain(watermark());
    throttle();
    consumerMeters.updateLag(consumer);
    if (dirty && System.nanoTime() - lastCommit >= commitIntervalNanos) {
      commit();
    }
    return n;
  }

  private void accept(ConsumerRecord<byte[], byte[]> raw) {
    TopicPartition tp = new TopicPartition(raw.topic(), raw.partition());
    Object value;
    RuntimeException failure = null;
    try {
      value = deserializer.deserialize(raw.topic(), raw.headers(), raw.value());
    } catch (RuntimeException e) {
      if (e instanceof AvroSerdeException a && a.retriable()) {
        throw a; // not read: step() rewinds to this record
      }
      value = null;
      failure = e;
    }
    synchronized (this) {
      read++;
    }
    consumerMeters.read(raw.topic());
    nextOffset.merge(tp, raw.offset() + 1, Math::max);
    dirty = true;
    if (failure != null) {
      deadLetter(
          raw, DeadLetter.STAGE_DESERIALIZE, failure.getClass().getName(), failure.getMessage());
      return;
    }
    String key = raw.key() == null ? null : keys.deserialize(raw.topic(), raw.key());
    List<Violation> violations = new ArrayList<>(validator.validate(key, value));
    Instant time = null;
    if (value instanceof SpecificRecord r) {
      Schema.Field f = r.getSchema().getField("event_time");
      time = f == null ? null : (Instant) r.get(f.pos());
      if (time == null) {
        violations.add(new Violation("event_time", "is missing; events are merged by event time"));
      }
    } else if (violations.isEmpty()) {
      violations.add(new Violation("value", "is not a generated FRIP event"));
    }
    if (!violations.isEmpty()) {
      deadLetter(
          raw,
          DeadLetter.STAGE_VALIDATE,
          "dev.frip.kafka.Violation",
          "invalid record: " + violations);
      return;
    }
    long t = time.toEpochMilli();
    newestTime.merge(tp, t, Math::max);
    unfinished.computeIfAbsent(tp, k -> new TreeSet<>()).add(raw.offset());
    synchronized (this) {
      pending.add(new Pending(t, seq++, raw, (SpecificRecord) value));
    }
  }

  /**
   * The event time up to which every assigned partition has been read: the oldest newest-time of
   * the partitions that still have records to fetch, or no limit when all are caught up.
   */
  private long watermark() {
    long w = Long.MAX_VALUE;
    for (TopicPartition tp : consumer.assignment()) {
      OptionalLong lag = consumer.currentLag(tp);
      if (lag.isPresent() && lag.getAsLong() == 0) {
        continue;
      }
      w = Math.min(w, newestTime.getOrDefault(tp, Long.MIN_VALUE));
    }
    return w;
  }

  /** Handles buffered records with event time up to {@code watermark}, oldest first. */
  private void drain(long watermark) {
    while (!pending.isEmpty() && pending.peek().time() <= watermark) {
      Pending p;
      synchronized (this) {
        p = pending.poll();
      }
      handle(p);
      TopicPartition tp = new TopicPartition(p.raw().topic(), p.raw().partition());
      TreeSet<Long> open = unfinished.get(tp);
      if (open != null) {
        open.remove(p.raw().offset());
      }
    }
  }

  private void handle(Pending p) {
    ConsumerRecord<byte[], byte[]> raw = p.raw();
    SpecificRecord event = p.value();
    if (event instanceof PaymentEvent payment && !payment.getEventTime().isBefore(scoreFrom)) {
      FraudScore score;
      try {
        long t0 = System.nanoTime();
        Verdict v = scorer.score(payment);
        long took = System.nanoTime() - t0;
        score = fraudScore(payment, v, took);
        if (metered) {
          scoreLatency.record(took, TimeUnit.NANOSECONDS);
        }
      } catch (Exception e) {
        deadLetter(raw, DeadLetter.STAGE_PROCESS, e.getClass().getName(), "scoring failed: " + e);
        return;
      }
      store.observe(payment); // after scoring, as at checkout; a rejection is counted there
      String user = payment.getUserId();
      unacked.add(outputs.send(Topics.FRAUD_SCORES, user, score));
      boolean alert = score.getAction() != Action.ALLOW;
      if (alert) {
        unacked.add(outputs.send(Topics.ALERTS, user, alert(payment, score)));
      }
      synchronized (this) {
        scored++;
        alerts += alert ? 1 : 0;
      }
      if (metered) {
        scoredByAction.get(score.getAction()).increment();
        if (alert) {
          alertCounter.increment();
        }
        handled(p.time());
      }
      return;
    }
    ObserveResult r = store.observe(event);
    if (r.rejected()) {
      deadLetter(
          raw,
          DeadLetter.STAGE_PROCESS,
          "dev.frip.core.ObserveResult",
          "the feature store rejected the event: " + r);
      return;
    }
    synchronized (this) {
      folded++;
    }
    if (metered) {
      handled(p.time());
    }
  }

  /** Moves the watermark gauge to a record's event time (records come in event-time order). */
  private void handled(long eventTime) {
    if (eventTime > handledUpTo.get()) {
      handledUpTo.set(eventTime);
    }
  }

  /**
   * The score record of a verdict. Its {@code event_time} is the payment's plus the scoring
   * latency: when the score was produced, in the stream's event time, so a replay of history is
   * stamped as it would have been live. Its {@code event_id} is derived from the payment's.
   */
  static FraudScore fraudScore(PaymentEvent p, Verdict v, long latencyNanos) {
    return FraudScore.newBuilder()
        .setEventId(derivedId("fraud_scores", p))
        .setEventTime(p.getEventTime().plusNanos(latencyNanos).truncatedTo(ChronoUnit.MILLIS))
        .setPaymentId(p.getPaymentId())
        .setOrderId(p.getOrderId())
        .setUserId(p.getUserId())
        .setMerchantId(p.getMerchantId())
        .setPaymentEventTime(p.getEventTime())
        .setScore(v.score())
        .setModelVersion(v.modelVersion())
        .setAction(v.action())
        .setReasons(new ArrayList<>(v.reasons()))
        .setFallback(v.fallback())
        .setLatencyUs(latencyNanos / 1000)
        .build();
  }

  /**
   * The alert of a review or block: severity {@link Severity#LOW} for a fallback review (the rules
   * score reviews when the model cannot score), {@link Severity#MEDIUM} for a model review, {@link
   * Severity#HIGH} for a block and {@link Severity#CRITICAL} for a block at or above {@value
   * #CRITICAL_SCORE}.
   */
  static Alert alert(PaymentEvent p, FraudScore s) {
    Severity severity;
    if (s.getAction() == Action.BLOCK) {
      severity = s.getScore() >= CRITICAL_SCORE ? Severity.CRITICAL : Severity.HIGH;
    } else {
      severity = s.getFallback() ? Severity.LOW : Severity.MEDIUM;
    }
    return Alert.newBuilder()
        .setEventId(derivedId("alerts", p))
        .setEventTime(s.getEventTime())
        .setAlertId("alert-" + p.getPaymentId())
        .setPaymentId(p.getPaymentId())
        .setUserId(p.getUserId())
        .setMerchantId(p.getMerchantId())
        .setSeverity(severity)
        .setAction(s.getAction())
        .setScore(s.getScore())
        .setModelVersion(s.getModelVersion())
        .setReasons(s.getReasons())
        .setAmountMinor(p.getAmountMinor())
        .setCurrency(p.getCurrency())
        .build();
  }

  private static UUID derivedId(String topic, PaymentEvent p) {
    return UUID.nameUUIDFromBytes((topic + "/" + p.getEventId()).getBytes(StandardCharsets.UTF_8));
  }

  private static double lagSeconds(AtomicLong watermark) {
    long w = watermark.get();
    return w == Long.MIN_VALUE ? Double.NaN : (System.currentTimeMillis() - w) / 1000.0;
  }

  /** Pauses partitions ahead of the watermark while too much waits; resumes them after. */
  private void throttle() {
    if (pending.size() > maxBuffered) {
      long w = watermark();
      for (TopicPartition tp : consumer.assignment()) {
        if (newestTime.getOrDefault(tp, Long.MIN_VALUE) > w && paused.add(tp)) {
          consumer.pause(List.of(tp));
        }
      }
    } else if (!paused.isEmpty()) {
      paused.retainAll(consumer.assignment());
      consumer.resume(paused);
      paused.clear();
    }
  }

  private boolean atEnd() {
    Set<TopicPartition> assigned = consumer.assignment();
    Map<TopicPartition, Long> ends = consumer.endOffsets(assigned);
    for (TopicPartition tp : assigned) {
      if (consumer.position(tp) < ends.getOrDefault(tp, 0L)) {
        return false;
      }
    }
    return pending.isEmpty();
  }

  /**
   * Waits for every output and dead letter sent so far, then commits, per assigned partition, the
   * oldest offset still buffered (or the next one to read).
   *
   * @throws IllegalStateException when an output or dead letter failed: nothing is committed and
   *     the records are scored again after a restart
   */
  private void commit() {
    if (!dirty) {
      return;
    }
    outputs.flush();
    deadLetters.flush();
    for (Future<?> f : unacked) {
      try {
        f.get(ACK_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while waiting for scores; not committed", e);
      } catch (ExecutionException | TimeoutException e) {
        throw new IllegalStateException(
            "a score, alert or dead letter was not acknowledged, so offsets are not committed and"
                + " the records will be scored again: "
                + e,
            e);
      }
    }
    unacked.clear();
    Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
    Set<TopicPartition> assigned = consumer.assignment();
    for (Map.Entry<TopicPartition, Long> e : nextOffset.entrySet()) {
      if (!assigned.contains(e.getKey())) {
        continue;
      }
      TreeSet<Long> open = unfinished.get(e.getKey());
      long next = open == null || open.isEmpty() ? e.getValue() : open.first();
      offsets.put(e.getKey(), new OffsetAndMetadata(next));
    }
    if (!offsets.isEmpty()) {
      consumer.commitSync(offsets);
    }
    lastCommit = System.nanoTime();
    dirty = false;
  }

  /** Forgets the buffered records of partitions that are no longer ours. */
  private void release(Collection<TopicPartition> partitions) {
    Set<TopicPartition> gone = new HashSet<>(partitions);
    synchronized (this) {
      int before = pending.size();
      pending.removeIf(
          p -> gone.contains(new TopicPartition(p.raw().topic(), p.raw().partition())));
      released += before - pending.size();
    }
    for (TopicPartition tp : gone) {
      unfinished.remove(tp);
      nextOffset.remove(tp);
      newestTime.remove(tp);
      paused.remove(tp);
    }
  }

  private void deadLetter(
      ConsumerRecord<byte[], byte[]> raw, String stage, String errorClass, String message) {
    String where = raw.topic() + "[" + raw.partition() + "]@" + raw.offset() + ": ";
    CompletableFuture<RecordMetadata> sent = new CompletableFuture<>();
    deadLetters.send(
        DeadLetter.of(raw, stage, errorClass, where + message, AvroSerde.schemaIdOf(raw.value())),
        (m, e) -> {
          if (e != null) {
            sent.completeExceptionally(e);
          } else {
            sent.complete(m);
          }
        });
    unacked.add(sent);
    synchronized (this) {
      deadLettered++;
    }
    consumerMeters.deadLettered(raw.topic(), stage);
    LOG.warn("streaming scorer: dead-lettered {}{}", where, message);
  }

  /** Closes the consumer and both producers; buffered records are left to the next run. */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    try {
      consumer.close(Duration.ofSeconds(10));
    } finally {
      try {
        outputs.close();
      } finally {
        deadLetters.close(Duration.ofSeconds(10));
        deserializer.close();
      }
    }
  }

  /** Builds a {@link StreamingScorer}. */
  public static final class Builder {
    private String bootstrapServers;
    private SchemaRegistry registry;
    private FeatureStore store;
    private PaymentScorer scorer;
    private String groupId = DEFAULT_GROUP_ID;
    private List<TopicSpec> topics = Topics.SEED;
    private Instant scoreFrom = Instant.EPOCH;
    private Duration pollTimeout = Duration.ofMillis(200);
    private Duration commitInterval = Duration.ofSeconds(1);
    private int maxBuffered = 200_000;
    private MeterRegistry meters;
    private final Map<String, Object> consumerProperties = new HashMap<>();

    private Builder() {}

    /** Kafka bootstrap servers, e.g. {@code 127.0.0.1:9092} (required). */
    public Builder bootstrapServers(String servers) {
      if (servers == null || servers.isBlank()) {
        throw new IllegalArgumentException("bootstrap servers must not be blank");
      }
      this.bootstrapServers = servers;
      return this;
    }

    /** The schema registry of the events and outputs (required; the caller closes it). */
    public Builder registry(SchemaRegistry registry) {
      this.registry = Objects.requireNonNull(registry, "registry");
      return this;
    }

    /** The feature store the events are folded into and the payment scorer reads (required). */
    public Builder features(FeatureStore store) {
      this.store = Objects.requireNonNull(store, "features");
      return this;
    }

    /** Scores a payment (required), e.g. sdk-scoring's {@code FraudScorer} mapped to a verdict. */
    public Builder scorer(PaymentScorer scorer) {
      this.scorer = Objects.requireNonNull(scorer, "scorer");
      return this;
    }

    /** The consumer group; default {@value StreamingScorer#DEFAULT_GROUP_ID}. */
    public Builder groupId(String groupId) {
      if (groupId == null || groupId.isBlank()) {
        throw new IllegalArgumentException("group id must not be blank");
      }
      this.groupId = groupId;
      return this;
    }

    /** The topics to consume; default {@link Topics#SEED}. */
    public Builder topics(TopicSpec... specs) {
      if (specs.length == 0) {
        throw new IllegalArgumentException("at least one topic is required");
      }
      this.topics = List.of(specs);
      return this;
    }

    /** Payments before this event time are folded but not scored (default: score all). */
    public Builder scoreFrom(Instant from) {
      this.scoreFrom = Objects.requireNonNull(from, "scoreFrom");
      return this;
    }

    /** How long one poll waits; default 200 ms. */
    public Builder pollTimeout(Duration timeout) {
      if (timeout == null || timeout.isNegative() || timeout.isZero()) {
        throw new IllegalArgumentException("poll timeout was " + timeout + ", must be > 0");
      }
      this.pollTimeout = timeout;
      return this;
    }

    /** Commit offsets at most this often (default 1 s): what a crash may score twice. */
    public Builder commitInterval(Duration interval) {
      if (interval == null || interval.isNegative()) {
        throw new IllegalArgumentException("commit interval was " + interval + ", must be >= 0");
      }
      this.commitInterval = interval;
      return this;
    }

    /** Records waiting for the watermark before partitions ahead of it pause (default 200k). */
    public Builder maxBuffered(int records) {
      if (records < 1) {
        throw new IllegalArgumentException("max buffered was " + records + ", must be >= 1");
      }
      this.maxBuffered = records;
      return this;
    }

    /** Where the scorer's meters go (default: none); see the class comment for the names. */
    public Builder meterRegistry(MeterRegistry meters) {
      this.meters = Objects.requireNonNull(meters, "meters");
      return this;
    }

    /** A consumer setting, e.g. security options; overrides the scorer's defaults. */
    public Builder consumerProperty(String key, Object value) {
      if ("enable.auto.commit".equals(key)) {
        throw new IllegalArgumentException(
            "enable.auto.commit is always false: the scorer commits after its outputs");
      }
      consumerProperties.put(Objects.requireNonNull(key, "key"), Objects.requireNonNull(value));
      return this;
    }

    /**
     * Connects the consumer and producers and subscribes.
     *
     * @throws IllegalStateException naming the first missing setting
     */
    public StreamingScorer build() {
      if (bootstrapServers == null) {
        throw new IllegalStateException("bootstrap servers were not set");
      }
      if (registry == null) {
        throw new IllegalStateException("schema registry was not set");
      }
      if (store == null) {
        throw new IllegalStateException("feature store was not set");
      }
      if (scorer == null) {
        throw new IllegalStateException("payment scorer was not set");
      }
      return new StreamingScorer(this);
    }
  }
}
