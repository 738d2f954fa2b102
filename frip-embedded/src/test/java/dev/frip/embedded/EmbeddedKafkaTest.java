package dev.frip.embedded;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

class EmbeddedKafkaTest {

  @Test
  void brokerOnLoopbackAcceptsAndServesRecords() throws Exception {
    try (EmbeddedKafka kafka = EmbeddedKafka.start()) {
      assertThat(kafka.bootstrapServers()).startsWith("127.0.0.1:");
      Properties admin = new Properties();
      admin.put("bootstrap.servers", kafka.bootstrapServers());
      try (Admin a = Admin.create(admin)) {
        a.createTopics(List.of(new NewTopic("t", 1, (short) 1))).all().get();
      }
      Map<String, Object> p = Map.of("bootstrap.servers", kafka.bootstrapServers(), "acks", "all");
      try (KafkaProducer<String, String> producer =
          new KafkaProducer<>(p, new StringSerializer(), new StringSerializer())) {
        producer.send(new ProducerRecord<>("t", "k", "v")).get();
      }
      Map<String, Object> c =
          Map.of(
              "bootstrap.servers", kafka.bootstrapServers(),
              "group.id", "g",
              "auto.offset.reset", "earliest");
      try (KafkaConsumer<String, String> consumer =
          new KafkaConsumer<>(c, new StringDeserializer(), new StringDeserializer())) {
        consumer.subscribe(List.of("t"));
        ConsumerRecords<String, String> records = ConsumerRecords.empty();
        for (int i = 0; i < 50 && records.isEmpty(); i++) {
          records = consumer.poll(Duration.ofMillis(200));
        }
        assertThat(records.count()).isEqualTo(1);
        assertThat(records.iterator().next().value()).isEqualTo("v");
      }
    }
  }
}
