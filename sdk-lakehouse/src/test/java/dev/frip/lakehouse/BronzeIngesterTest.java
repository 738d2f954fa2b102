package dev.frip.lakehouse;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.frip.core.EventStream;
import dev.frip.core.GeneratedEvent;
import dev.frip.core.GeneratorConfig;
import dev.frip.core.TopicSpec;
import dev.frip.core.Topics;
import dev.frip.core.WorldGenerator;
import dev.frip.embedded.EmbeddedKafka;
import dev.frip.embedded.FaultyHttpProxy;
import dev.frip.kafka.DeadLetter;
import dev.frip.kafka.EventProducer;
import dev.frip.kafka.SchemaRegistry;
import dev.frip.kafka.SchemaRegistryServer;
import dev.frip.kafka.TopicAdmin;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link BronzeIngester} against a real in-process broker and registry. */
class BronzeIngesterTest {

  private EmbeddedKafka kafka;
  private SchemaRegistryServer registryServer;
  private SchemaRegistry registry;
  @TempDir Path dir;

  @BeforeEach
  void start() {
    kafka = EmbeddedKafka.start();
    registryServer = SchemaRegistryServer.builder().port(0).inMemoryStorage().start();
    registry = SchemaRegistry.builder().url(registryServer.url()).build();
    try (TopicAdmin admin =
        TopicAdmin.builder().bootstrapServers(kafka.bootstrapServers()).build()) {
      admin.ensure(Topics.SEED);
    }
  }

  @AfterEach
  void stop() throws Exception {
    registry.close();
    registryServer.close();
    kafka.stop();
  }

  /** Produces a generated world; returns the event ids per topic. */
  private Map<String, Set<String>> produce(long seed, int days, int users) throws Exception {
    Map<String, Set<String>> ids = new HashMap<>();
    try (EventProducer producer =
            EventProducer.builder()
                .bootstrapServers(kafka.bootstrapServers())
                .registry(registry)
                .build();
        EventStream events =
            WorldGenerator.create(
                GeneratorConfig.builder().seed(seed).days(days).users(users).build())
                .stream()) {
      List<Future<?>> acks = new ArrayList<>();
      while (events.hasNext()) {
        GeneratedEvent e = events.next();
        acks.add(producer.send(e));
        ids.computeIfAbsent(e.topic().name(), t -> new HashSet<>()).add(eventId(e.value()));
      }
      producer.flush();
      for (Future<?> f : acks) {
        f.get(30, TimeUnit.SECONDS);
      }
    }
    return ids;
  }

  private static String eventId(SpecificRecord value) {
    return value.get(value.getSchema().getField("event_id").pos()).toString();
  }

  private BronzeIngester.Builder ingester(Lakehouse lake) {
    return BronzeIngester.builder()
        .lakehouse(lake)
        .bootstrapServers(kafka.bootstrapServers())
        .registry(registry)
        .buffer(500, Duration.ofSeconds(2))
        .pollTimeout(Duration.ofMillis(200));
  }

  private static double counted(Collection<Counter> counters) {
    return counters.stream().mapToDouble(Counter::count).sum();
  }

  private BronzeIngester.Counts ingest(Lakehouse lake, String group) {
    try (BronzeIngester i = ingester(lake).groupId(group).build()) {
      return i.runUntilIdle();
    }
  }

  /** Event ids in bronze per topic, as a multiset size check plus the set. */
  private static Map<String, List<String>> bronze(Lakehouse lake) {
    Map<String, List<String>> out = new HashMap<>();
    for (TopicSpec t : Topics.SEED) {
      List<String> ids = new ArrayList<>();
      lake.scan(lake.bronzePath(t)).columns("event_id").forEach(r -> ids.add((String) r[0]));
      if (!ids.isEmpty()) {
        out.put(t.name(), ids);
      }
    }
    return out;
  }

  private static void assertBronzeHolds(Lakehouse lake, Map<String, Set<String>> expected) {
    Map<String, List<String>> actual = bronze(lake);
    assertThat(actual.keySet()).isEqualTo(expected.keySet());
    expected.forEach(
        (topic, ids) -> {
          assertThat(actual.get(topic)).as(topic + " rows").hasSize(ids.size());
          assertThat(new HashSet<>(actual.get(topic))).as(topic + " event ids").isEqualTo(ids);
        });
  }

  /** Waits until the group has {@code members} members, each with partitions assigned. */
  private void awaitMembersWithPartitions(String group, int members, long deadline)
      throws Exception {
    try (Admin admin =
        Admin.create(
            Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()))) {
      while (System.nanoTime() < deadline) {
        ConsumerGroupDescription g =
            admin.describeConsumerGroups(List.of(group)).all().get(10, TimeUnit.SECONDS).get(group);
        if (g.members().size() == members
            && g.members().stream().noneMatch(m -> m.assignment().topicPartitions().isEmpty())) {
          return;
        }
        Thread.sleep(100);
      }
    }
    throw new AssertionError(
        "group " + group + " never had " + members + " members with partitions");
  }

  private static long total(Map<String, Set<String>> ids) {
    return ids.values().stream().mapToLong(Set::size).sum();
  }

  @Test
  void ingestsExactlyOnceAcrossRestartsLostKafkaOffsetsAndNewData() throws Exception {
    Lakehouse lake = Lakehouse.local(dir.resolve("lake"));
    Map<String, Set<String>> produced = produce(5, 1, 100);
    assertThat(produced.keySet()).hasSize(6);

    BronzeIngester.Counts first = ingest(lake, BronzeIngester.DEFAULT_GROUP_ID);
    assertThat(first.read()).isEqualTo(total(produced));
    assertThat(first.written()).isEqualTo(total(produced));
    assertThat(first.deadLettered()).isZero();
    assertThat(first.buffered()).isZero();
    assertThat(first.reconciles()).isTrue();
    assertBronzeHolds(lake, produced);

    // Restart with the same group: nothing new, nothing duplicated.
    BronzeIngester.Counts again = ingest(lake, BronzeIngester.DEFAULT_GROUP_ID);
    assertThat(again.written()).isZero();
    assertBronzeHolds(lake, produced);

    // Kafka offsets lost (a group that never committed): positions come from the Delta log.
    BronzeIngester.Counts lost = ingest(lake, "frip-bronze-offsets-lost");
    assertThat(lost.read()).isZero();
    assertThat(lost.written()).isZero();
    assertBronzeHolds(lake, produced);

    // More data: only the new records are appended.
    Map<String, Set<String>> more = produce(6, 1, 20);
    BronzeIngester.Counts third = ingest(lake, BronzeIngester.DEFAULT_GROUP_ID);
    assertThat(third.read()).isEqualTo(total(more));
    assertThat(third.written()).isEqualTo(total(more));
    Map<String, Set<String>> all = new HashMap<>();
    produced.forEach((t, ids) -> all.computeIfAbsent(t, k -> new HashSet<>()).addAll(ids));
    more.forEach((t, ids) -> all.computeIfAbsent(t, k -> new HashSet<>()).addAll(ids));
    assertThat(total(all)).isEqualTo(total(produced) + total(more));
    assertBronzeHolds(lake, all);
  }

  @Test
  void poisonPillsGoToTheDeadLetterTopicWhileGoodRecordsAreIngested() throws Exception {
    Lakehouse lake = Lakehouse.local(dir.resolve("lake"));
    Map<String, Set<String>> produced = produce(5, 1, 30);
    byte[] random = new byte[40];
    new Random(7).nextBytes(random);
    random[0] = 7; // not the magic byte
    byte[] unknownId = ByteBuffer.allocate(12).put((byte) 0).putInt(987_654).putInt(42).array();
    try (KafkaProducer<byte[], byte[]> raw =
        new KafkaProducer<>(
            Map.of("bootstrap.servers", kafka.bootstrapServers()),
            new ByteArraySerializer(),
            new ByteArraySerializer())) {
      raw.send(new ProducerRecord<>("payments", 0, null, random)).get(30, TimeUnit.SECONDS);
      raw.send(new ProducerRecord<>("orders", 1, null, unknownId)).get(30, TimeUnit.SECONDS);
    }

    SimpleMeterRegistry meters = new SimpleMeterRegistry();
    BronzeIngester.Counts c;
    try (BronzeIngester i = ingester(lake).groupId("poison").meterRegistry(meters).build()) {
      c = i.runUntilIdle();
    }

    // The meters tell what the counts tell, per topic.
    assertThat(counted(meters.find("frip.kafka.records.in").counters())).isEqualTo(c.read());
    assertThat(meters.get("frip.kafka.dlq.records").tags("topic", "payments").counter().count())
        .isEqualTo(1);
    assertThat(meters.get("frip.kafka.dlq.records").tags("topic", "orders").counter().count())
        .isEqualTo(1);
    for (String topic : produced.keySet()) {
      assertThat(
              meters
                  .get("frip.bronze.records")
                  .tags("topic", topic, "outcome", "written")
                  .counter()
                  .count())
          .as(topic)
          .isEqualTo(produced.get(topic).size());
      double commits = meters.get("frip.bronze.commits").tag("topic", topic).counter().count();
      assertThat(commits).as(topic).isPositive();
      assertThat(meters.get("frip.bronze.write.time").tag("topic", topic).timer().count())
          .isEqualTo((long) commits);
    }
    assertThat(counted(meters.find("frip.bronze.records").tag("outcome", "skipped").counters()))
        .isZero();
    assertThat(meters.get("frip.bronze.buffered").gauge().value()).isZero();
    assertThat(meters.get("frip.kafka.consumer.lag").tag("group", "poison").gauge().value())
        .isZero();

    assertThat(c.deadLettered()).isEqualTo(2);
    assertThat(c.written()).isEqualTo(total(produced));
    assertThat(c.read()).isEqualTo(total(produced) + 2);
    assertThat(c.reconciles()).isTrue();
    assertBronzeHolds(lake, produced);

    Map<String, ConsumerRecord<byte[], byte[]>> dlq = new HashMap<>();
    try (KafkaConsumer<byte[], byte[]> consumer =
        new KafkaConsumer<>(
            Map.of(
                "bootstrap.servers", kafka.bootstrapServers(),
                "group.id", "dlq-reader",
                "auto.offset.reset", "earliest"),
            new ByteArrayDeserializer(),
            new ByteArrayDeserializer())) {
      consumer.subscribe(List.of("payments.dlq", "orders.dlq"));
      long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      while (dlq.size() < 2 && System.nanoTime() < deadline) {
        consumer.poll(Duration.ofMillis(200)).forEach(r -> dlq.put(r.topic(), r));
      }
    }
    assertThat(dlq).containsOnlyKeys("payments.dlq", "orders.dlq");
    ConsumerRecord<byte[], byte[]> p = dlq.get("payments.dlq");
    assertThat(p.value()).isEqualTo(random);
    assertThat(DeadLetter.header(p.headers(), DeadLetter.STAGE))
        .isEqualTo(DeadLetter.STAGE_DESERIALIZE);
    assertThat(DeadLetter.header(p.headers(), DeadLetter.TOPIC)).isEqualTo("payments");
    assertThat(DeadLetter.header(p.headers(), DeadLetter.PARTITION)).isEqualTo("0");
    assertThat(DeadLetter.header(p.headers(), DeadLetter.ERROR_MESSAGE)).startsWith("payments[0]@");
    ConsumerRecord<byte[], byte[]> o = dlq.get("orders.dlq");
    assertThat(DeadLetter.header(o.headers(), DeadLetter.SCHEMA_ID)).isEqualTo("987654");
    assertThat(DeadLetter.header(o.headers(), DeadLetter.TOPIC)).isEqualTo("orders");
  }

  @Test
  void runUntilShutdownWritesWhatItBuffered() throws Exception {
    Lakehouse lake = Lakehouse.local(dir.resolve("lake"));
    Map<String, Set<String>> produced = produce(5, 1, 20);
    ExecutorService exec = Executors.newSingleThreadExecutor();
    SimpleMeterRegistry meters = new SimpleMeterRegistry();
    try (BronzeIngester i =
        ingester(lake)
            .buffer(1_000_000, Duration.ofHours(1))
            .groupId("runner")
            .meterRegistry(meters)
            .build()) {
      Future<?> running = exec.submit(i::run);
      long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
      while (i.counts().read() < total(produced) && System.nanoTime() < deadline) {
        Thread.sleep(50);
      }
      assertThat(i.counts().buffered()).isEqualTo(total(produced));
      assertThat(meters.get("frip.bronze.buffered").gauge().value()).isEqualTo(total(produced));
      i.shutdown();
      running.get(60, TimeUnit.SECONDS);
      assertThat(i.counts().written()).isEqualTo(total(produced));
      assertThat(i.counts().reconciles()).isTrue();
    } finally {
      exec.shutdownNow();
    }
    assertBronzeHolds(lake, produced);
  }

  @Test
  void aRebalanceWritesTheRevokedBufferAndTheNewOwnerResumesFromTheDeltaLog() throws Exception {
    Lakehouse lake = Lakehouse.local(dir.resolve("lake"));
    Map<String, Set<String>> produced = produce(5, 1, 30);
    ExecutorService exec = Executors.newSingleThreadExecutor();
    try (BronzeIngester first =
        ingester(lake).buffer(1_000_000, Duration.ofHours(1)).groupId("shared").build()) {
      Future<?> running = exec.submit(first::run);
      long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
      while (first.counts().read() < total(produced) && System.nanoTime() < deadline) {
        Thread.sleep(50);
      }
      // Everything is buffered in the first member; nothing is in bronze yet.
      assertThat(first.counts().buffered()).isEqualTo(total(produced));
      assertThat(bronze(lake)).isEmpty();

      // A second member joins: the first writes its buffer on revocation, and the second
      // starts from the offsets that commit put in the Delta log.
      BronzeIngester.Counts second;
      try (BronzeIngester joiner = ingester(lake).groupId("shared").build()) {
        second = joiner.runUntilIdle();
      }
      first.shutdown();
      running.get(60, TimeUnit.SECONDS);

      assertThat(first.counts().written()).isEqualTo(total(produced));
      assertThat(second.written()).isZero();
      assertThat(first.counts().reconciles()).isTrue();
      assertThat(second.reconciles()).isTrue();
    } finally {
      exec.shutdownNow();
    }
    assertBronzeHolds(lake, produced);
  }

  @Test
  void twoMembersCommittingToTheSameTablesAtOnceWriteEveryEventExactlyOnce() throws Exception {
    Lakehouse lake = Lakehouse.local(dir.resolve("lake"));
    ExecutorService exec = Executors.newFixedThreadPool(2);
    try (BronzeIngester first =
            ingester(lake).buffer(200, Duration.ofMillis(300)).groupId("pair").build();
        BronzeIngester second =
            ingester(lake).buffer(200, Duration.ofMillis(300)).groupId("pair").build()) {
      Future<?> firstRunning = exec.submit(first::run);
      Map<String, Set<String>> produced = produce(11, 1, 30);
      long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
      while (first.counts().written() == 0 && System.nanoTime() < deadline) {
        Thread.sleep(20);
      }
      long firstBeforeJoin = first.counts().written();
      assertThat(firstBeforeJoin).as("written by the first member alone").isPositive();

      // The second member joins while the first is mid-stream: partitions move between them with
      // records buffered, and from then on both commit to the same bronze tables, so commits
      // race (Delta's optimistic concurrency, retried by the writer) on top of the rebalance.
      Future<?> secondRunning = exec.submit(second::run);
      awaitMembersWithPartitions("pair", 2, deadline);
      Map<String, Set<String>> more = produce(12, 1, 30);
      more.forEach(
          (topic, ids) ->
              produced.merge(
                  topic,
                  ids,
                  (a, b) -> {
                    Set<String> all = new HashSet<>(a);
                    all.addAll(b);
                    assertThat(all).as(topic + " ids of both worlds").hasSize(a.size() + b.size());
                    return all;
                  }));
      while (first.counts().written() + second.counts().written() < total(produced)
          && System.nanoTime() < deadline) {
        Thread.sleep(50);
      }
      first.shutdown();
      second.shutdown();
      firstRunning.get(60, TimeUnit.SECONDS);
      secondRunning.get(60, TimeUnit.SECONDS);

      assertThat(second.counts().written()).as("written by the second member").isPositive();
      assertThat(first.counts().written())
          .as("the first member kept writing after the join")
          .isGreaterThan(firstBeforeJoin);
      assertThat(first.counts().written() + second.counts().written()).isEqualTo(total(produced));
      assertThat(first.counts().reconciles()).isTrue();
      assertThat(second.counts().reconciles()).isTrue();
      assertBronzeHolds(lake, produced);
    } finally {
      exec.shutdownNow();
    }
  }

  @Test
  void aMemberJoiningMidStreamTakesPartitionsFromOneHoldingABufferAndNothingIsLostOrDoubled()
      throws Exception {
    Lakehouse lake = Lakehouse.local(dir.resolve("lake"));
    Map<String, Set<String>> produced = produce(7, 1, 30);
    ExecutorService exec = Executors.newFixedThreadPool(2);
    try (BronzeIngester first =
            ingester(lake).buffer(1_000_000, Duration.ofHours(1)).groupId("joined").build();
        BronzeIngester joiner = ingester(lake).groupId("joined").build()) {
      Future<?> firstRun = exec.submit(first::run);
      Future<?> joinerRun = null;
      try {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (first.counts().read() < total(produced) && System.nanoTime() < deadline) {
          Thread.sleep(50);
        }
        assertThat(first.counts().buffered()).isEqualTo(total(produced));
        assertThat(bronze(lake)).isEmpty();

        // The second member joins while the first holds everything and more is being produced:
        // the group rebalances mid-stream, and the first writes its buffer before giving up
        // partitions (its buffer is never full, so only a revocation writes it).
        joinerRun = exec.submit(joiner::run);
        add(produced, produce(8, 1, 30));
        deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (first.counts().written() == 0 && System.nanoTime() < deadline) {
          Thread.sleep(50);
        }
        assertThat(first.counts().written()).as("written by the revocation").isPositive();
        // More data after the rebalance: whoever owns a partition now resumes from the Delta log.
        add(produced, produce(9, 1, 30));
        deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        while (first.counts().read() + joiner.counts().read() < total(produced)
            && System.nanoTime() < deadline) {
          Thread.sleep(50);
        }
        assertThat(joiner.counts().read()).as("records the joiner read").isPositive();
      } finally {
        joiner.shutdown();
        first.shutdown();
        if (joinerRun != null) {
          joinerRun.get(60, TimeUnit.SECONDS);
        }
        firstRun.get(60, TimeUnit.SECONDS);
      }
      assertThat(first.counts().reconciles()).isTrue();
      assertThat(joiner.counts().reconciles()).isTrue();
      assertThat(first.counts().buffered() + joiner.counts().buffered()).isZero();
      assertThat(first.counts().written() + joiner.counts().written()).isEqualTo(total(produced));
    } finally {
      exec.shutdownNow();
    }
    assertBronzeHolds(lake, produced);
  }

  private static void add(Map<String, Set<String>> to, Map<String, Set<String>> more) {
    more.forEach((t, ids) -> to.computeIfAbsent(t, k -> new HashSet<>()).addAll(ids));
  }

  @Test
  void theBuilderNamesWhatIsMissingOrWrong() {
    Lakehouse lake = Lakehouse.local(dir.resolve("lake"));
    assertThatThrownBy(() -> BronzeIngester.builder().build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("lakehouse");
    assertThatThrownBy(() -> BronzeIngester.builder().lakehouse(lake).build())
        .hasMessageContaining("bootstrap");
    assertThatThrownBy(
            () -> BronzeIngester.builder().lakehouse(lake).bootstrapServers("127.0.0.1:1").build())
        .hasMessageContaining("registry");
    BronzeIngester.Builder b = BronzeIngester.builder();
    assertThatThrownBy(() -> b.bootstrapServers(" ")).hasMessageContaining("bootstrap");
    assertThatThrownBy(() -> b.groupId("")).hasMessageContaining("group id");
    assertThatThrownBy(() -> b.topics()).hasMessageContaining("at least one topic");
    assertThatThrownBy(() -> b.buffer(0, Duration.ofSeconds(1))).hasMessageContaining("size");
    assertThatThrownBy(() -> b.buffer(1, Duration.ZERO)).hasMessageContaining("age");
    assertThatThrownBy(() -> b.pollTimeout(Duration.ofMillis(-1)))
        .hasMessageContaining("poll timeout");
    assertThatThrownBy(() -> b.consumerProperty(null, "x"))
        .isInstanceOf(NullPointerException.class);
  }

  @Test
  void aFailedBronzeWriteStopsTheIngesterWithoutLossAndARestartWritesEverything() throws Exception {
    Map<String, Set<String>> produced = produce(11, 1, 40);
    // A real misconfiguration that only the Parquet writer meets: a codec not on the classpath.
    // It fails inside the bronze write (handed to the writer thread or flushed at the end), after
    // the records were polled and buffered.
    Lakehouse broken =
        Lakehouse.builder()
            .root(dir.toString())
            .hadoopProperty("parquet.compression", "LZO")
            .build();
    try (BronzeIngester i = ingester(broken).groupId("bronze-broken").build()) {
      assertThatThrownBy(i::runUntilIdle)
          .as("the write's failure reaches the caller, naming the topic and the cause")
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("writing bronze ")
          .hasMessageContaining("nothing of it was committed")
          .hasMessageContaining("LzoCodec");
      BronzeIngester.Counts c = i.counts();
      assertThat(c.read()).as("records were read before the write failed").isPositive();
      assertThat(c.written()).as("nothing counted as written").isZero();
    }
    assertThat(bronze(Lakehouse.local(dir))).as("no commit reached any bronze table").isEmpty();

    // Offsets come from the Delta log, which holds none: a healthy ingester reads everything.
    BronzeIngester.Counts again = ingest(Lakehouse.local(dir), "bronze-broken");
    assertBronzeHolds(Lakehouse.local(dir), produced);
    assertThat(again.written()).isEqualTo(produced.values().stream().mapToLong(Set::size).sum());
  }

  @Test
  void aRegistryOutageDelaysIngestionButDeadLettersNothingAndLosesNothing() throws Exception {
    Lakehouse lake = Lakehouse.local(dir.resolve("lake"));
    Map<String, Set<String>> produced = produce(11, 1, 20);
    FaultyHttpProxy proxy = FaultyHttpProxy.start(registryServer.url());
    proxy.failNext(3);
    SimpleMeterRegistry meters = new SimpleMeterRegistry();
    try (SchemaRegistry throughProxy =
            SchemaRegistry.builder()
                .url(proxy.url())
                .retry(1, Duration.ofMillis(1))
                .circuitOpenDuration(Duration.ofMillis(50))
                .build();
        BronzeIngester i =
            ingester(lake).registry(throughProxy).groupId("outage").meterRegistry(meters).build()) {
      BronzeIngester.Counts c = i.runUntilIdle();
      assertThat(proxy.failed()).isEqualTo(3); // every injected failure was met
      assertThat(c.deadLettered()).isZero();
      assertThat(meters.get("frip.kafka.registry.unavailable").counter().count()).isPositive();
      assertThat(c.read()).isEqualTo(total(produced));
      assertThat(c.written()).isEqualTo(total(produced));
      assertThat(c.reconciles()).isTrue();
    } finally {
      proxy.close();
    }
    assertBronzeHolds(lake, produced);
  }
}
