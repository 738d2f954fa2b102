package dev.frip.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.TimestampType;
import org.junit.jupiter.api.Test;

class DeadLetterTest {

  private static ConsumerRecord<byte[], byte[]> consumed(long timestamp, TimestampType type) {
    RecordHeaders headers = new RecordHeaders();
    headers.add("trace", "t-1".getBytes(StandardCharsets.UTF_8));
    return new ConsumerRecord<>(
        "payments",
        3,
        41L,
        timestamp,
        type,
        1,
        2,
        new byte[] {7},
        new byte[] {0, 1},
        headers,
        Optional.empty());
  }

  @Test
  void keepsTheRecordAndNamesWhereItCameFrom() {
    ProducerRecord<byte[], byte[]> dl =
        DeadLetter.of(
            consumed(1_700_000_000_000L, TimestampType.CREATE_TIME),
            DeadLetter.STAGE_DESERIALIZE,
            "dev.frip.kafka.AvroSerdeException",
            "payments[3]@41: bad",
            12);
    assertThat(dl.topic()).isEqualTo("payments.dlq");
    assertThat(dl.timestamp()).isEqualTo(1_700_000_000_000L);
    assertThat(dl.key()).containsExactly(7);
    assertThat(dl.value()).containsExactly(0, 1);
    assertThat(DeadLetter.header(dl.headers(), "trace")).isEqualTo("t-1");
    assertThat(DeadLetter.header(dl.headers(), DeadLetter.OFFSET)).isEqualTo("41");
    assertThat(DeadLetter.header(dl.headers(), DeadLetter.PARTITION)).isEqualTo("3");
    assertThat(DeadLetter.header(dl.headers(), DeadLetter.SCHEMA_ID)).isEqualTo("12");
  }

  @Test
  void aRecordWithoutTimestampIsStillDeadLettered() {
    // ProducerRecord refuses a timestamp of -1; the dead letter must not.
    ProducerRecord<byte[], byte[]> dl =
        DeadLetter.of(
            consumed(ConsumerRecord.NO_TIMESTAMP, TimestampType.NO_TIMESTAMP_TYPE),
            DeadLetter.STAGE_DESERIALIZE,
            "dev.frip.kafka.AvroSerdeException",
            "payments[3]@41: bad",
            AvroSerdeException.NO_SCHEMA_ID);
    assertThat(dl.timestamp()).isNull();
    assertThat(DeadLetter.header(dl.headers(), DeadLetter.SCHEMA_ID)).isNull();
    assertThat(DeadLetter.header(dl.headers(), DeadLetter.OFFSET)).isEqualTo("41");
  }

  @Test
  void theDeadLetterProducerConnectsLikeTheConsumer() {
    Map<String, Object> consumer =
        Map.of(
            "bootstrap.servers", "127.0.0.1:9093",
            "group.id", "g",
            "auto.offset.reset", "earliest",
            "max.poll.records", "5000",
            "security.protocol", "SASL_SSL",
            "sasl.mechanism", "PLAIN",
            "sasl.jaas.config", "org.apache.kafka.common.security.plain.PlainLoginModule required;",
            "ssl.truststore.location", "/etc/kafka/trust.p12",
            "client.dns.lookup", "use_all_dns_ips");
    Map<String, Object> p = DeadLetter.producerConfig(consumer);
    assertThat(p)
        .containsEntry("bootstrap.servers", "127.0.0.1:9093")
        .containsEntry("security.protocol", "SASL_SSL")
        .containsEntry("sasl.mechanism", "PLAIN")
        .containsKey("sasl.jaas.config")
        .containsEntry("ssl.truststore.location", "/etc/kafka/trust.p12")
        .containsEntry("client.dns.lookup", "use_all_dns_ips")
        .containsEntry("acks", "all")
        .containsEntry("enable.idempotence", true)
        .doesNotContainKeys("group.id", "auto.offset.reset", "max.poll.records");
  }
}
