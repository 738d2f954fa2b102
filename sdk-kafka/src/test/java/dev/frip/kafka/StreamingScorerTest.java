package dev.frip.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.frip.core.EventStream;
import dev.frip.core.FeatureStore;
import dev.frip.core.GeneratedEvent;
import dev.frip.core.GeneratorConfig;
import dev.frip.core.Topics;
import dev.frip.core.WorldGenerator;
import dev.frip.core.events.Action;
import dev.frip.core.events.Alert;
import dev.frip.core.events.DeviceEvent;
import dev.frip.core.events.FraudScore;
import dev.frip.core.events.PaymentEvent;
import dev.frip.core.events.Severity;
import dev.frip.embedded.EmbeddedKafka;
import dev.frip.embedded.FaultyHttpProxy;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The streaming scorer against a real in-process broker and the registry service: a generated world
 * produced topic by topic (so the payments arrive before the events that precede them), plus bad
 * input. The payment scorer is a stand-in that reads the feature store; sdk-scoring's FraudScorer
 * is wired in by the reference apps and tested there end to end.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class StreamingScorerTest {

  private static EmbeddedKafka kafka;
  private static SchemaRegistryServer registryServer;
  private static SchemaRegistry registry;

  @BeforeAll
  static void start() {
    kafka = EmbeddedKafka.start();
    registryServer =
        SchemaRegistryServer.builder().port(0).kafkaStorage(kafka.bootstrapServers()).start();
    registry = SchemaRegistry.builder().url(registryServer.url()).build();
    try (TopicAdmin admin =
        TopicAdmin.builder().bootstrapServers(kafka.bootstrapServers()).build()) {
      admin.ensure(Topics.ALL);
    }
  }

  @AfterAll
  static void stop() {
    registry.close();
    registryServer.close();
    kafka.stop();
  }

  /** A stand-in decision from the amount: block above 500.00, review above 200.00. */
  private static StreamingScorer.Verdict verdict(PaymentEvent p) {
    long a = p.getAmountMinor();
    Action action = a > 50_000 ? Action.BLOCK : a > 20_000 ? Action.REVIEW : Action.ALLOW;
    return new StreamingScorer.Verdict(
        Math.min(1.0, a / 60_000.0), "test-model", action, List.of("amount"), false);
  }

  @Test
  @Order(1)
  void scoresEveryPaymentAfterTheEventsBeforeItWhateverTheTopicAndDeadLettersBadInput()
      throws Exception {
    GeneratorConfig world = GeneratorConfig.builder().seed(11).days(2).users(60).build();
    List<GeneratedEvent> events = new ArrayList<>();
    try (EventStream s = WorldGenerator.create(world).stream()) {
      s.forEachRemaining(events::add);
    }
    // The reference: an in-order replay, each payment's vector read before it is folded.
    FeatureStore reference = FeatureStore.inMemory().build();
    Map<String, double[]> expected = new HashMap<>();
    for (GeneratedEvent e : events) {
      if (e.value() instanceof PaymentEvent p) {
        expected.put(p.getPaymentId(), reference.vector(p));
      }
      reference.observe(e.value());
    }
    // Produce topic by topic, payments first: the worst interleaving for the scorer.
    List<GeneratedEvent> byTopic = new ArrayList<>(events);
    byTopic.sort(
        Comparator.comparing((GeneratedEvent e) -> !e.topic().equals(Topics.PAYMENTS))
            .thenComparing(e -> e.topic().name()));
    PaymentEvent first =
        (PaymentEvent)
            events.stream()
                .filter(e -> e.value() instanceof PaymentEvent)
                .findFirst()
                .orElseThrow()
                .value();
    PaymentEvent badCurrency =
        PaymentEvent.newBuilder(first)
            .setPaymentId("bad-currency")
            .setEventId(UUID.randomUUID())
            .setCurrency("eur")
            .build();
    DeviceEvent fromTheFuture =
        (DeviceEvent)
            events.stream()
                .filter(e -> e.value() instanceof DeviceEvent)
                .findFirst()
                .orElseThrow()
                .value();
    fromTheFuture =
        DeviceEvent.newBuilder(fromTheFuture)
            .setEventId(UUID.randomUUID())
            .setEventTime(Instant.now().plus(Duration.ofDays(2)))
            .build();
    try (EventProducer producer =
            EventProducer.builder()
                .bootstrapServers(kafka.bootstrapServers())
                .registry(registry)
                .build();
        KafkaProducer<byte[], byte[]> raw =
            new KafkaProducer<>(
                Map.of("bootstrap.servers", kafka.bootstrapServers()),
                new ByteArraySerializer(),
                new ByteArraySerializer())) {
      for (GeneratedEvent e : byTopic) {
        producer.send(e);
      }
      producer.send(Topics.PAYMENTS, badCurrency);
      producer.send(Topics.DEVICES, fromTheFuture);
      raw.send(
              new ProducerRecord<>(
                  "payments",
                  "u-pill".getBytes(StandardCharsets.UTF_8),
                  "not avro".getBytes(StandardCharsets.UTF_8)))
          .get();
      producer.flush();
    }
    long payments = expected.size();

    FeatureStore store = FeatureStore.inMemory().build();
    Map<String, double[]> seen = new HashMap<>();
    StreamingScorer.Counts counts;
    SimpleMeterRegistry meters = new SimpleMeterRegistry();
    try (StreamingScorer scorer =
        StreamingScorer.builder()
            .bootstrapServers(kafka.bootstrapServers())
            .registry(registry)
            .features(store)
            .meterRegistry(meters)
            .scorer(
                p -> {
                  seen.put(p.getPaymentId(), store.vector(p));
                  return verdict(p);
                })
            .build()) {
      counts = scorer.runUntilIdle();
      // The meters tell what the counts tell.
      assertThat(meters.find("frip.kafka.records.in").counters())
          .hasSize(Topics.SEED.size())
          .allSatisfy(c -> assertThat(c.getId().getTag("topic")).isNotNull());
      assertThat(sum(meters.find("frip.kafka.records.in").counters())).isEqualTo(counts.read());
      assertThat(meters.get("frip.kafka.dlq.records").tags("topic", "payments").counters())
          .extracting(c -> c.getId().getTag("stage") + "=" + (long) c.count())
          .containsExactlyInAnyOrder("deserialize=1", "validate=1", "process=0");
      assertThat(
              meters
                  .get("frip.kafka.dlq.records")
                  .tags("topic", "devices", "stage", "process")
                  .counter()
                  .count())
          .isEqualTo(1);
      assertThat(sum(meters.find("frip.streaming.payments.scored").counters()))
          .isEqualTo(counts.scored());
      assertThat(meters.get("frip.streaming.alerts").counter().count()).isEqualTo(counts.alerts());
      assertThat(meters.get("frip.streaming.score.latency").timer().count())
          .isEqualTo(counts.scored());
      assertThat(meters.get("frip.streaming.buffered").gauge().value()).isZero();
      assertThat(meters.get("frip.kafka.consumer.lag").tags("group", "frip-scorer").gauge().value())
          .isZero();
      // The world is in the past; the rejected device event from the future does not count.
      assertThat(meters.get("frip.streaming.watermark.lag").gauge().value()).isPositive();
      assertThat(meters.find("frip.kafka.records.out").counters()).isNotEmpty();
    }

    assertThat(counts.read()).isEqualTo(events.size() + 3L);
    assertThat(counts.scored()).isEqualTo(payments);
    assertThat(counts.deadLettered()).isEqualTo(3);
    assertThat(counts.buffered()).isZero();
    assertThat(counts.released()).isZero();
    assertThat(counts.reconciles()).isTrue();
    // Every payment saw exactly the features of the in-order replay.
    assertThat(seen.keySet()).isEqualTo(expected.keySet());
    for (Map.Entry<String, double[]> e : expected.entrySet()) {
      assertThat(Arrays.equals(seen.get(e.getKey()), e.getValue()))
          .as("vector of payment %s", e.getKey())
          .isTrue();
    }

    Map<String, FraudScore> scores = new HashMap<>();
    try (FripAvroDeserializer d = new FripAvroDeserializer(registry, true)) {
      for (ConsumerRecord<byte[], byte[]> r :
          KafkaFixture.readAll(kafka.bootstrapServers(), "fraud_scores")) {
        FraudScore s = (FraudScore) d.deserialize("fraud_scores", r.value());
        assertThat(new String(r.key(), StandardCharsets.UTF_8)).isEqualTo(s.getUserId());
        scores.put(s.getPaymentId(), s);
      }
      assertThat(scores).hasSize((int) payments);
      long expectedAlerts = 0;
      for (GeneratedEvent e : events) {
        if (e.value() instanceof PaymentEvent p) {
          FraudScore s = scores.get(p.getPaymentId());
          StreamingScorer.Verdict v = verdict(p);
          assertThat(s.getAction()).isEqualTo(v.action());
          assertThat(s.getScore()).isEqualTo(v.score());
          assertThat(s.getPaymentEventTime()).isEqualTo(p.getEventTime());
          assertThat(s.getEventTime()).isAfterOrEqualTo(p.getEventTime());
          assertThat(s.getReasons()).containsExactly("amount");
          expectedAlerts += v.action() == Action.ALLOW ? 0 : 1;
        }
      }
      assertThat(counts.alerts()).isEqualTo(expectedAlerts);
      List<ConsumerRecord<byte[], byte[]>> alerts =
          KafkaFixture.readAll(kafka.bootstrapServers(), "alerts");
      assertThat(alerts).hasSize((int) expectedAlerts);
      for (ConsumerRecord<byte[], byte[]> r : alerts) {
        Alert a = (Alert) d.deserialize("alerts", r.value());
        FraudScore s = scores.get(a.getPaymentId());
        assertThat(a.getAction()).isEqualTo(s.getAction()).isNotEqualTo(Action.ALLOW);
        assertThat(a.getSeverity())
            .isEqualTo(
                a.getAction() == Action.BLOCK
                    ? (a.getScore() >= 0.95 ? Severity.CRITICAL : Severity.HIGH)
                    : Severity.MEDIUM);
      }
    }
    List<String> paymentDlq = new ArrayList<>();
    for (ConsumerRecord<byte[], byte[]> r :
        KafkaFixture.readAll(kafka.bootstrapServers(), "payments.dlq")) {
      paymentDlq.add(DeadLetter.header(r.headers(), DeadLetter.STAGE));
    }
    assertThat(paymentDlq).contains("deserialize", "validate");
    List<ConsumerRecord<byte[], byte[]>> deviceDlq =
        KafkaFixture.readAll(kafka.bootstrapServers(), "devices.dlq");
    assertThat(deviceDlq).hasSize(1);
    assertThat(DeadLetter.header(deviceDlq.get(0).headers(), DeadLetter.ERROR_MESSAGE))
        .contains("devices[")
        .contains("REJECTED_FUTURE");

    // Offsets were committed after the outputs: a restart in the group reads nothing again.
    try (StreamingScorer again =
        StreamingScorer.builder()
            .bootstrapServers(kafka.bootstrapServers())
            .registry(registry)
            .features(FeatureStore.inMemory().build())
            .scorer(StreamingScorerTest::verdict)
            .build()) {
      assertThat(again.runUntilIdle().read()).isZero();
    }
  }

  @Test
  @Order(2)
  void paymentsBeforeTheStartAreFoldedOnlyAndAFailingScorerDeadLettersThePayment()
      throws Exception {
    Instant t = Instant.parse("2026-03-01T10:00:00Z");
    PaymentEvent warmUp = payment("warm", t.minusSeconds(3600));
    PaymentEvent failing = payment("fails", t.plusSeconds(60));
    PaymentEvent ok = payment("ok", t.plusSeconds(120));
    try (EventProducer producer =
        EventProducer.builder()
            .bootstrapServers(kafka.bootstrapServers())
            .registry(registry)
            .build()) {
      for (PaymentEvent p : List.of(warmUp, failing, ok)) {
        producer.send(Topics.PAYMENTS, p).get();
      }
    }
    FeatureStore store = FeatureStore.inMemory().build();
    StreamingScorer.Counts counts;
    try (StreamingScorer scorer =
        StreamingScorer.builder()
            .bootstrapServers(kafka.bootstrapServers())
            .registry(registry)
            .groupId("scorer-start")
            .topics(Topics.PAYMENTS)
            .features(store)
            .scoreFrom(t)
            .commitInterval(Duration.ZERO)
            .scorer(
                p -> {
                  if (p.getPaymentId().equals("fails")) {
                    throw new IllegalStateException("model exploded");
                  }
                  return new StreamingScorer.Verdict(0.99, "m", Action.BLOCK, List.of(), false);
                })
            .build()) {
      counts = scorer.runUntilIdle();
    }
    // This group reads the payments topic from the start, after the first test's records.
    assertThat(counts.reconciles()).isTrue();
    assertThat(counts.folded()).isGreaterThanOrEqualTo(1); // the warm-up payment, at least
    assertThat(counts.alerts()).isEqualTo(counts.scored());
    List<String> messages = new ArrayList<>();
    for (ConsumerRecord<byte[], byte[]> r :
        KafkaFixture.readAll(kafka.bootstrapServers(), "payments.dlq")) {
      messages.add(DeadLetter.header(r.headers(), DeadLetter.ERROR_MESSAGE));
    }
    assertThat(messages)
        .anyMatch(m -> m.contains("scoring failed") && m.contains("model exploded"));
  }

  private static double sum(Collection<Counter> counters) {
    return counters.stream().mapToDouble(Counter::count).sum();
  }

  @Test
  void builderNamesWhatIsMissing() {
    assertThatThrownBy(() -> StreamingScorer.builder().build())
        .hasMessageContaining("bootstrap servers");
    assertThatThrownBy(
            () ->
                StreamingScorer.builder()
                    .bootstrapServers("127.0.0.1:1")
                    .registry(registry)
                    .build())
        .hasMessageContaining("feature store");
    assertThatThrownBy(() -> StreamingScorer.builder().consumerProperty("enable.auto.commit", true))
        .hasMessageContaining("always false");
    assertThatThrownBy(
            () -> new StreamingScorer.Verdict(Double.NaN, "m", Action.ALLOW, List.of(), false))
        .hasMessageContaining("NaN");
  }

  private static PaymentEvent payment(String id, Instant t) {
    return PaymentEvent.newBuilder()
        .setEventId(UUID.nameUUIDFromBytes(id.getBytes(StandardCharsets.UTF_8)))
        .setEventTime(t)
        .setPaymentId(id)
        .setOrderId("o-" + id)
        .setUserId("user-start")
        .setCardId("card-1")
        .setMerchantId("m1")
        .setMerchantCategory("electronics")
        .setMerchantCountry("DE")
        .setTerminalId(null)
        .setDeviceId("d-1")
        .setIp("10.0.0.1")
        .setCountry("DE")
        .setLat(null)
        .setLon(null)
        .setAmountMinor(1000)
        .setCurrency("EUR")
        .setPaymentMethod(dev.frip.core.events.PaymentMethod.CARD_NOT_PRESENT)
        .setStatus(dev.frip.core.events.PaymentStatus.AUTHORIZED)
        .setDeclineReason(null)
        .build();
  }

  @Test
  @Order(3)
  void aRegistryOutageDelaysScoringButChangesNothing() throws Exception {
    // Everything the earlier tests produced, read by two new groups: one through a registry that
    // fails its first requests, one healthy. The outage must change no count and no output.
    StreamingScorer.Counts healthy;
    try (StreamingScorer reference =
        StreamingScorer.builder()
            .bootstrapServers(kafka.bootstrapServers())
            .registry(registry)
            .groupId("outage-reference")
            .features(FeatureStore.inMemory().build())
            .scorer(StreamingScorerTest::verdict)
            .build()) {
      healthy = reference.runUntilIdle();
    }
    assertThat(healthy.read()).isPositive();
    SimpleMeterRegistry meters = new SimpleMeterRegistry();
    StreamingScorer.Counts flaky;
    try (FaultyHttpProxy proxy = FaultyHttpProxy.start(registryServer.url());
        SchemaRegistry throughProxy =
            SchemaRegistry.builder()
                .url(proxy.url())
                .retry(1, Duration.ofMillis(1))
                .circuitOpenDuration(Duration.ofMillis(50))
                .build()) {
      proxy.failNext(3);
      try (StreamingScorer scorer =
          StreamingScorer.builder()
              .bootstrapServers(kafka.bootstrapServers())
              .registry(throughProxy)
              .groupId("outage")
              .meterRegistry(meters)
              .features(FeatureStore.inMemory().build())
              .scorer(StreamingScorerTest::verdict)
              .build()) {
        flaky = scorer.runUntilIdle();
      }
      assertThat(proxy.failed()).isEqualTo(3);
    }
    assertThat(flaky.deadLettered()).isEqualTo(healthy.deadLettered());
    assertThat(flaky.read()).isEqualTo(healthy.read());
    assertThat(flaky.scored()).isEqualTo(healthy.scored());
    assertThat(flaky.alerts()).isEqualTo(healthy.alerts());
    assertThat(flaky.reconciles()).isTrue();
    assertThat(meters.get("frip.kafka.registry.unavailable").counter().count()).isPositive();
  }
}
