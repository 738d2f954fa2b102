package dev.frip.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.frip.core.GeneratedEvent;
import dev.frip.core.TopicSpec;
import dev.frip.core.Topics;
import dev.frip.core.events.OrderEvent;
import dev.frip.core.events.PaymentEvent;
import dev.frip.embedded.EmbeddedKafka;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Producers, the consumer loop with dead letters, and the serde against a real in-process broker
 * and the registry service over real HTTP (state in the broker's _schemas topic).
 */
class KafkaPipelineTest {

  private static EmbeddedKafka kafka;
  private static SchemaRegistryServer registryServer;
  private static SchemaRegistry registry;
  private static TopicAdmin admin;
  private static final ExecutorService loops = Executors.newCachedThreadPool();

  @BeforeAll
  static void start() {
    kafka = EmbeddedKafka.start();
    registryServer =
        SchemaRegistryServer.builder().port(0).kafkaStorage(kafka.bootstrapServers()).start();
    registry = SchemaRegistry.builder().url(registryServer.url()).build();
    admin = TopicAdmin.builder().bootstrapServers(kafka.bootstrapServers()).build();
  }

  @AfterAll
  static void stop() {
    loops.shutdownNow();
    admin.close();
    registry.close();
    registryServer.close();
    kafka.stop();
  }

  private static TopicSpec topic(String name, int partitions, Schema schema) {
    return new TopicSpec(
        name,
        partitions,
        Duration.ofDays(7),
        TopicSpec.CleanupPolicy.DELETE,
        schema,
        TopicSpec.Kind.INPUT);
  }

  private static void ensureWithDlq(TopicSpec spec) {
    admin.ensure(List.of(spec, Topics.deadLetterOf(spec)));
  }

  private static EventConsumerLoop.Builder<Object> loop(String group, TopicSpec... topics) {
    return EventConsumerLoop.builder(new FripAvroDeserializer(registry, true))
        .bootstrapServers(kafka.bootstrapServers())
        .groupId(group)
        .topics(topics)
        .pollTimeout(Duration.ofMillis(100));
  }

  private static KafkaProducer<byte[], byte[]> rawProducer() {
    return new KafkaProducer<>(
        Map.of("bootstrap.servers", kafka.bootstrapServers(), "acks", "all"),
        new ByteArraySerializer(),
        new ByteArraySerializer());
  }

  @Test
  void topicAdminCreatesSeedTopicsIdempotently() {
    TopicReport first = admin.ensure(Topics.ALL);
    TopicReport second = admin.ensure(Topics.ALL);
    assertThat(first.ok()).isTrue();
    assertThat(first.created().size() + first.verified().size()).isEqualTo(Topics.ALL.size());
    assertThat(second.created()).isEmpty();
    assertThat(second.verified()).hasSize(Topics.ALL.size());
    assertThat(admin.verify(Topics.ALL).ok()).isTrue();
  }

  @Test
  void topicAdminReportsDriftInsteadOfIgnoringIt() {
    TopicSpec narrow = topic("drifting", 2, PaymentEvent.getClassSchema());
    admin.ensure(List.of(narrow));
    TopicSpec wanted =
        new TopicSpec(
            "drifting",
            6,
            Duration.ofDays(3),
            TopicSpec.CleanupPolicy.DELETE,
            PaymentEvent.getClassSchema(),
            TopicSpec.Kind.INPUT);
    assertThatThrownBy(() -> admin.ensure(List.of(wanted)))
        .isInstanceOfSatisfying(
            TopicDriftException.class,
            e -> {
              assertThat(e.report().drifts())
                  .extracting(TopicReport.Drift::setting)
                  .containsExactlyInAnyOrder("partitions", "retention.ms");
              assertThat(e.getMessage()).contains("drifting: partitions is 2, spec says 6");
              assertThat(e.report().describe()).contains("DRIFT drifting: partitions");
            });
    TopicReport missing = admin.verify(List.of(topic("never-created", 1, null)));
    assertThat(missing.ok()).isFalse();
    assertThat(missing.drifts().get(0).setting()).isEqualTo("exists");
  }

  @Test
  void everyEventSchemaRoundTripsThroughTheBroker() throws Exception {
    List<TopicSpec> topics = new ArrayList<>();
    Map<String, List<SpecificRecord>> sent = new HashMap<>();
    for (TopicSpec t : AvroSerdeTest.eventTopics()) {
      TopicSpec copy = topic("rt_" + t.name(), 3, t.valueSchema());
      ensureWithDlq(copy);
      topics.add(copy);
    }
    SimpleMeterRegistry meters = new SimpleMeterRegistry();
    try (EventProducer producer =
        EventProducer.builder()
            .bootstrapServers(kafka.bootstrapServers())
            .registry(registry)
            .compression("zstd")
            .meterRegistry(meters)
            .build()) {
      List<CompletableFuture<RecordMetadata>> acks = new ArrayList<>();
      for (TopicSpec t : topics) {
        for (int i = 0; i < 5; i++) {
          SpecificRecord e = SampleEvents.specific(t.valueSchema(), i);
          sent.computeIfAbsent(t.name(), k -> new ArrayList<>()).add(e);
          acks.add(producer.send(t, e));
        }
      }
      producer.flush();
      CompletableFuture.allOf(acks.toArray(CompletableFuture[]::new)).get();
    }
    assertThat(
            meters.find("frip.kafka.records.out").counters().stream()
                .mapToDouble(c -> c.count())
                .sum())
        .isEqualTo((double) 40.0);

    ConcurrentLinkedQueue<ConsumerRecord<String, Object>> got = new ConcurrentLinkedQueue<>();
    EventConsumerLoop<Object> loop =
        loop("roundtrip", topics.toArray(TopicSpec[]::new))
            .validator(EventValidators.standard())
            .handler(got::add)
            .build();
    loops.submit(loop);
    KafkaFixture.await("40 records", () -> loop.counts().consumed() >= 40);
    loop.close();

    assertThat(loop.counts()).isEqualTo(new LoopCounts(40, 40, 0));
    for (TopicSpec t : topics) {
      List<Object> values =
          got.stream().filter(r -> r.topic().equals(t.name())).map(ConsumerRecord::value).toList();
      assertThat(values).containsExactlyInAnyOrderElementsOf(sent.get(t.name()));
      got.stream()
          .filter(r -> r.topic().equals(t.name()))
          .forEach(r -> assertThat(r.key()).isEqualTo(((GenericRecord) r.value()).get("user_id")));
    }
  }

  @Test
  void newerReaderConsumesRecordsOfAnOlderWriter() throws Exception {
    TopicSpec t = topic("evolve_payments", 1, PaymentEvent.getClassSchema());
    ensureWithDlq(t);
    Schema v1 = AvroSerdeTest.paymentsV1();
    try (KafkaProducer<String, Object> old =
        new KafkaProducer<>(
            Map.of("bootstrap.servers", kafka.bootstrapServers(), "acks", "all"),
            new org.apache.kafka.common.serialization.StringSerializer(),
            new FripAvroSerializer(registry))) {
      for (int i = 0; i < 3; i++) {
        GenericRecord r = SampleEvents.generic(v1, i);
        old.send(new ProducerRecord<>(t.name(), r.get("user_id").toString(), r)).get();
      }
    }
    List<PaymentEvent> read = new ArrayList<>();
    EventConsumerLoop<Object> loop =
        loop("evolve", t)
            .validator(EventValidators.standard())
            .handler(r -> read.add((PaymentEvent) r.value()))
            .build();
    while (loop.counts().consumed() < 3) {
      loop.pollOnce();
    }
    loop.close();
    assertThat(read).hasSize(3).allSatisfy(p -> assertThat(p.getDeclineReason()).isNull());
    assertThat(registry.versions(t.valueSubject())).containsExactly(1);
  }

  @Test
  void poisonPillsAreDeadLetteredWithHeadersWhileGoodRecordsFlow() throws Exception {
    TopicSpec t = topic("poison_payments", 2, PaymentEvent.getClassSchema());
    ensureWithDlq(t);
    FripAvroSerializer ser = new FripAvroSerializer(registry);
    byte[] good1 = ser.serialize(t.name(), payment(1, 500));
    int goodId = AvroSerde.schemaIdOf(good1);
    byte[] randomBytes = new byte[40];
    new Random(42).nextBytes(randomBytes);
    randomBytes[0] = 0x5a;
    byte[] badMagic = good1.clone();
    badMagic[0] = 1;
    byte[] unknownId = good1.clone();
    unknownId[1] = 0x7f;
    byte[] truncated = Arrays.copyOf(good1, 12);
    byte[] invalid = ser.serialize(t.name(), payment(2, -5));
    byte[] handlerFails = ser.serialize(t.name(), payment(3, 13));

    Map<String, byte[]> poison = new java.util.LinkedHashMap<>();
    poison.put("random", randomBytes);
    poison.put("magic", badMagic);
    poison.put("unknown-id", unknownId);
    poison.put("truncated", truncated);
    poison.put("invalid", invalid);
    poison.put("handler", handlerFails);
    Map<String, RecordMetadata> where = new HashMap<>();
    int good = 0;
    try (KafkaProducer<byte[], byte[]> raw = rawProducer()) {
      for (Map.Entry<String, byte[]> p : poison.entrySet()) {
        raw.send(
                new ProducerRecord<>(
                    t.name(), bytes("u-1"), ser.serialize(t.name(), payment(10 + good, 100))))
            .get();
        good++;
        ProducerRecord<byte[], byte[]> pill =
            new ProducerRecord<>(t.name(), bytes("u-1"), p.getValue());
        pill.headers().add("trace", bytes("keep-me"));
        where.put(p.getKey(), raw.send(pill).get());
      }
      raw.send(new ProducerRecord<>(t.name(), bytes("u-1"), good1)).get();
      good++;
    }

    SimpleMeterRegistry meters = new SimpleMeterRegistry();
    List<PaymentEvent> handled = new ArrayList<>();
    AtomicInteger assigned = new AtomicInteger();
    EventConsumerLoop<Object> loop =
        loop("poison", t)
            .validator(EventValidators.standard())
            .meterRegistry(meters)
            .rebalanceListener(
                new ConsumerRebalanceListener() {
                  @Override
                  public void onPartitionsRevoked(Collection<TopicPartition> partitions) {}

                  @Override
                  public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
                    assigned.addAndGet(partitions.size());
                  }
                })
            .handler(
                r -> {
                  PaymentEvent p = (PaymentEvent) r.value();
                  if (p.getAmountMinor() == 13) {
                    throw new IllegalStateException("amount 13 is unlucky");
                  }
                  handled.add(p);
                })
            .build();
    loops.submit(loop);
    int total = good + poison.size();
    KafkaFixture.await("all records", () -> loop.counts().consumed() >= total);
    loop.close();

    assertThat(assigned.get()).isEqualTo(2);
    assertThat(handled).hasSize(good);
    assertThat(loop.counts()).isEqualTo(new LoopCounts(total, good, poison.size()));
    assertThat(loop.counts().reconciles()).isTrue();

    List<ConsumerRecord<byte[], byte[]>> dlq =
        KafkaFixture.readAll(kafka.bootstrapServers(), t.deadLetterTopic());
    assertThat(dlq).hasSize(poison.size());
    for (Map.Entry<String, byte[]> p : poison.entrySet()) {
      RecordMetadata m = where.get(p.getKey());
      ConsumerRecord<byte[], byte[]> d =
          dlq.stream()
              .filter(
                  r ->
                      String.valueOf(m.offset())
                              .equals(DeadLetter.header(r.headers(), DeadLetter.OFFSET))
                          && String.valueOf(m.partition())
                              .equals(DeadLetter.header(r.headers(), DeadLetter.PARTITION)))
              .findFirst()
              .orElseThrow(() -> new AssertionError("no dead letter for " + p.getKey()));
      assertThat(d.value()).as(p.getKey()).isEqualTo(p.getValue());
      assertThat(d.key()).isEqualTo(bytes("u-1"));
      assertThat(DeadLetter.header(d.headers(), DeadLetter.TOPIC)).isEqualTo(t.name());
      assertThat(DeadLetter.header(d.headers(), "trace")).isEqualTo("keep-me");
      assertThat(DeadLetter.header(d.headers(), DeadLetter.ERROR_MESSAGE))
          .contains(t.name() + "[" + m.partition() + "]@" + m.offset());
      String stage = DeadLetter.header(d.headers(), DeadLetter.STAGE);
      String schemaId = DeadLetter.header(d.headers(), DeadLetter.SCHEMA_ID);
      switch (p.getKey()) {
        case "random", "magic" -> {
          assertThat(stage).isEqualTo(DeadLetter.STAGE_DESERIALIZE);
          assertThat(schemaId).isNull();
          assertThat(DeadLetter.header(d.headers(), DeadLetter.ERROR_CLASS))
              .isEqualTo(AvroSerdeException.class.getName());
          assertThat(DeadLetter.header(d.headers(), DeadLetter.ERROR_MESSAGE))
              .contains("magic byte");
        }
        case "unknown-id" -> {
          assertThat(stage).isEqualTo(DeadLetter.STAGE_DESERIALIZE);
          assertThat(schemaId).isEqualTo(String.valueOf(AvroSerde.schemaIdOf(unknownId)));
          assertThat(DeadLetter.header(d.headers(), DeadLetter.ERROR_MESSAGE))
              .contains("unknown schema id");
        }
        case "truncated" -> {
          assertThat(stage).isEqualTo(DeadLetter.STAGE_DESERIALIZE);
          assertThat(schemaId).isEqualTo(String.valueOf(goodId));
          assertThat(DeadLetter.header(d.headers(), DeadLetter.ERROR_MESSAGE))
              .contains("truncated");
        }
        case "invalid" -> {
          assertThat(stage).isEqualTo(DeadLetter.STAGE_VALIDATE);
          assertThat(schemaId).isEqualTo(String.valueOf(goodId));
          assertThat(DeadLetter.header(d.headers(), DeadLetter.ERROR_MESSAGE))
              .contains("field amount_minor: must be >= 0, was -5");
        }
        default -> {
          assertThat(stage).isEqualTo(DeadLetter.STAGE_PROCESS);
          assertThat(DeadLetter.header(d.headers(), DeadLetter.ERROR_CLASS))
              .isEqualTo(IllegalStateException.class.getName());
          assertThat(DeadLetter.header(d.headers(), DeadLetter.ERROR_MESSAGE)).contains("unlucky");
        }
      }
    }
    assertThat(meters.get("frip.kafka.records.in").counter().count()).isEqualTo(total);
    assertThat(
            meters.find("frip.kafka.dlq.records").counters().stream()
                .mapToDouble(c -> c.count())
                .sum())
        .isEqualTo((double) poison.size());
    assertThat(meters.get("frip.kafka.consumer.lag").gauge().value()).isZero();
    assertThat(meters.get("frip.kafka.serde.time").timer().count()).isPositive();
  }

  @Test
  void consumedEqualsProcessedPlusDeadLetteredAcrossRestarts() throws Exception {
    TopicSpec t = topic("recon_orders", 3, OrderEvent.getClassSchema());
    ensureWithDlq(t);
    FripAvroSerializer ser = new FripAvroSerializer(registry);
    Random rnd = new Random(7);
    int produced = 3_000;
    int poisoned = 0;
    try (KafkaProducer<byte[], byte[]> raw = rawProducer()) {
      for (int i = 0; i < produced; i++) {
        GenericRecord order = SampleEvents.generic(OrderEvent.getClassSchema(), i);
        byte[] value = ser.serialize(t.name(), order);
        if (rnd.nextInt(10) == 0) {
          value = Arrays.copyOf(value, rnd.nextInt(value.length));
          poisoned++;
        }
        raw.send(new ProducerRecord<>(t.name(), bytes(order.get("user_id").toString()), value));
      }
      raw.flush();
    }
    Set<String> seen = new HashSet<>();
    // Two loops in turn on the same group: the second starts where the first committed.
    EventConsumerLoop<Object> first =
        loop("recon", t)
            .validator(EventValidators.standard())
            .handler(r -> seen.add(r.topic() + r.partition() + ":" + r.offset()))
            .property("max.poll.records", 200)
            .build();
    while (first.counts().consumed() < produced / 2) {
      first.pollOnce();
    }
    first.close();
    EventConsumerLoop<Object> second =
        loop("recon", t)
            .validator(EventValidators.standard())
            .handler(r -> seen.add(r.topic() + r.partition() + ":" + r.offset()))
            .build();
    loops.submit(second);
    KafkaFixture.await(
        "the rest", () -> first.counts().consumed() + second.counts().consumed() >= produced);
    second.close();

    LoopCounts a = first.counts();
    LoopCounts b = second.counts();
    assertThat(a.reconciles()).isTrue();
    assertThat(b.reconciles()).isTrue();
    assertThat(a.consumed() + b.consumed()).isEqualTo(produced);
    assertThat(a.deadLettered() + b.deadLettered()).isEqualTo(poisoned);
    assertThat(a.processed() + b.processed()).isEqualTo(produced - poisoned).isEqualTo(seen.size());
    assertThat(KafkaFixture.readAll(kafka.bootstrapServers(), t.deadLetterTopic()))
        .hasSize(poisoned);
  }

  @Test
  void producerKeysByUserIdAndRefusesTheWrongType() throws Exception {
    TopicSpec t = topic("keyed_payments", 1, PaymentEvent.getClassSchema());
    ensureWithDlq(t);
    PaymentEvent p = payment(5, 100);
    try (EventProducer producer =
        EventProducer.builder()
            .bootstrapServers(kafka.bootstrapServers())
            .registry(registry)
            .build()) {
      producer.send(new GeneratedEvent(t, p.getUserId(), p, 0L)).get();
      producer.send(t, p).get();
      OrderEvent order = SampleEvents.specific(OrderEvent.getClassSchema(), 1);
      assertThatThrownBy(() -> producer.send(t, order))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("OrderEvent");
    }
    List<ConsumerRecord<byte[], byte[]>> records =
        KafkaFixture.readAll(kafka.bootstrapServers(), t.name());
    assertThat(records)
        .hasSize(2)
        .allSatisfy(r -> assertThat(r.key()).isEqualTo(bytes(p.getUserId())));
  }

  @Test
  void buildersNameWhatIsMissing() {
    assertThatThrownBy(() -> EventProducer.builder().registry(registry).build())
        .hasMessageContaining("bootstrap");
    assertThatThrownBy(() -> EventProducer.builder().bootstrapServers("x:1").build())
        .hasMessageContaining("registry");
    assertThatThrownBy(() -> EventProducer.builder().property("acks", "1"))
        .hasMessageContaining("acks");
    assertThatThrownBy(() -> EventProducer.builder().compression("gzip"))
        .hasMessageContaining("gzip");
    assertThatThrownBy(() -> loop("g").build()).hasMessageContaining("topics");
    assertThatThrownBy(() -> loop("g", Topics.PAYMENTS).build()).hasMessageContaining("handler");
    assertThatThrownBy(() -> loop("g", Topics.PAYMENTS).property("enable.auto.commit", true))
        .hasMessageContaining("enable.auto.commit");
    assertThatThrownBy(() -> TopicAdmin.builder().build()).hasMessageContaining("bootstrap");
    assertThatThrownBy(() -> TopicAdmin.builder().replicationFactor(0)).hasMessageContaining("0");
  }

  static PaymentEvent payment(long seed, long amountMinor) {
    PaymentEvent p = SampleEvents.specific(PaymentEvent.getClassSchema(), seed);
    p.put("amount_minor", amountMinor);
    p.put("user_id", "u-1");
    return p;
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void aRegistryOutageRewindsTheBatchInsteadOfDeadLettering() throws Exception {
    TopicSpec t = topic("outage_payments", 2, PaymentEvent.getClassSchema());
    ensureWithDlq(t);
    int produced = 60;
    try (CountingRegistry flaky = new CountingRegistry();
        SchemaRegistry writerClient = SchemaRegistry.builder().url(flaky.url()).build();
        SchemaRegistry readerClient =
            SchemaRegistry.builder()
                .url(flaky.url())
                .retry(1, Duration.ofMillis(1))
                .circuitOpenDuration(Duration.ofMillis(50))
                .build();
        KafkaProducer<byte[], byte[]> raw = rawProducer()) {
      FripAvroSerializer ser = new FripAvroSerializer(writerClient);
      for (int i = 0; i < produced; i++) {
        PaymentEvent e = SampleEvents.specific(PaymentEvent.getClassSchema(), i);
        raw.send(new ProducerRecord<>(t.name(), bytes("u" + i), ser.serialize(t.name(), e)));
      }
      raw.flush();
      Set<String> seen = java.util.concurrent.ConcurrentHashMap.newKeySet();
      SimpleMeterRegistry meters = new SimpleMeterRegistry();
      EventConsumerLoop<Object> loop =
          EventConsumerLoop.builder(new FripAvroDeserializer(readerClient, true))
              .bootstrapServers(kafka.bootstrapServers())
              .groupId("outage")
              .topics(t)
              .pollTimeout(Duration.ofMillis(100))
              .meterRegistry(meters)
              .handler(r -> seen.add(r.partition() + ":" + r.offset()))
              .build();
      // The reader's cache is empty: its first schema lookup meets the outage.
      flaky.failuresLeft.set(1_000);
      KafkaFixture.await(
          "a batch to meet the outage",
          () -> {
            try {
              loop.pollOnce();
              return false;
            } catch (AvroSerdeException e) {
              assertThat(e.retriable()).isTrue();
              assertThat(e.getMessage()).contains("outage_payments").contains("503");
              return true;
            }
          });
      assertThat(loop.counts().deadLettered()).isZero();
      assertThat(loop.counts().consumed()).isZero();
      // The registry answers again after a few more failures; run() backs off and retries.
      flaky.failuresLeft.set(3);
      loops.submit(loop);
      KafkaFixture.await("every record", () -> loop.counts().consumed() >= produced);
      loop.close();
      LoopCounts c = loop.counts();
      assertThat(c.reconciles()).isTrue();
      assertThat(c.consumed()).isEqualTo(produced);
      assertThat(c.processed()).isEqualTo(produced).isEqualTo(seen.size());
      assertThat(c.deadLettered()).isZero();
      assertThat(KafkaFixture.readAll(kafka.bootstrapServers(), t.deadLetterTopic())).isEmpty();
      assertThat(meters.find("frip.kafka.registry.unavailable").counter()).isNotNull();
    }
  }

  @Test
  void aBatchWhoseDeadLettersFailIsReadAgainNotSkipped() throws Exception {
    TopicSpec t = topic("dlq_down_orders", 1, OrderEvent.getClassSchema());
    ensureWithDlq(t);
    FripAvroSerializer ser = new FripAvroSerializer(registry);
    try (KafkaProducer<byte[], byte[]> raw = rawProducer()) {
      for (int i = 0; i < 5; i++) {
        raw.send(new ProducerRecord<>(t.name(), bytes("u" + i), bytes("junk " + i)));
      }
      for (int i = 0; i < 5; i++) {
        GenericRecord order = SampleEvents.generic(OrderEvent.getClassSchema(), i);
        raw.send(new ProducerRecord<>(t.name(), bytes("u" + i), ser.serialize(t.name(), order)));
      }
      raw.flush();
    }
    Set<Long> handled = java.util.concurrent.ConcurrentHashMap.newKeySet();
    // Dead letters cannot be written: nothing listens on port 1.
    try (KafkaProducer<byte[], byte[]> unreachable =
        new KafkaProducer<>(
            Map.of("bootstrap.servers", "127.0.0.1:1", "max.block.ms", 300),
            new ByteArraySerializer(),
            new ByteArraySerializer())) {
      EventConsumerLoop<Object> loop =
          loop("dlq-down", t)
              .property("max.poll.records", 5)
              .deadLetterProducer(unreachable)
              .handler(r -> handled.add(r.offset()))
              .build();
      KafkaFixture.await(
          "the poison batch",
          () -> {
            try {
              loop.pollOnce();
              return false;
            } catch (IllegalStateException e) {
              return true;
            }
          });
      // Polling again reads the same five records, not the good ones behind them: committing
      // those would skip the poison records without a dead letter.
      assertThatThrownBy(loop::pollOnce).isInstanceOf(IllegalStateException.class);
      assertThat(handled).isEmpty();
      assertThat(loop.counts().consumed()).isZero();
      loop.close();
    }
    EventConsumerLoop<Object> healthy =
        loop("dlq-down", t).handler(r -> handled.add(r.offset())).build();
    loops.submit(healthy);
    KafkaFixture.await("all ten", () -> healthy.counts().consumed() >= 10);
    healthy.close();
    assertThat(healthy.counts().deadLettered()).isEqualTo(5);
    assertThat(handled).containsExactlyInAnyOrder(5L, 6L, 7L, 8L, 9L);
    assertThat(KafkaFixture.readAll(kafka.bootstrapServers(), t.deadLetterTopic())).hasSize(5);
  }
}
