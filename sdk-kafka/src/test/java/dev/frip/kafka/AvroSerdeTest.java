package dev.frip.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.frip.core.TopicSpec;
import dev.frip.core.Topics;
import dev.frip.core.events.PaymentEvent;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.specific.SpecificRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The Confluent wire-format serde against the registry over real HTTP. */
class AvroSerdeTest {

  private CountingRegistry server;
  private SchemaRegistry registry;

  @BeforeEach
  void start() {
    server = new CountingRegistry();
    registry = SchemaRegistry.builder().url(server.url()).build();
  }

  @AfterEach
  void stop() {
    registry.close();
    server.close();
  }

  static List<TopicSpec> eventTopics() {
    List<TopicSpec> all = new ArrayList<>(Topics.SEED);
    all.addAll(Topics.OUTPUTS);
    return all;
  }

  /** The payments schema before decline_reason was added: an older writer. */
  static Schema paymentsV1() throws Exception {
    ObjectMapper json = new ObjectMapper();
    ObjectNode tree = (ObjectNode) json.readTree(PaymentEvent.getClassSchema().toString());
    ArrayNode fields = (ArrayNode) tree.get("fields");
    for (int i = 0; i < fields.size(); i++) {
      if (fields.get(i).get("name").asText().equals("decline_reason")) {
        fields.remove(i);
        break;
      }
    }
    return new Schema.Parser().parse(json.writeValueAsString(tree));
  }

  @Test
  void roundTripsEveryEventSchemaAsGeneratedClasses() {
    FripAvroSerializer ser = new FripAvroSerializer(registry);
    FripAvroDeserializer de = new FripAvroDeserializer(registry, true);
    assertThat(eventTopics()).hasSize(8);
    for (TopicSpec t : eventTopics()) {
      SpecificRecord event = SampleEvents.specific(t.valueSchema(), 7);
      byte[] bytes = ser.serialize(t.name(), event);
      assertThat(bytes[0]).isEqualTo(AvroSerde.MAGIC_BYTE);
      assertThat(AvroSerde.schemaIdOf(bytes))
          .isEqualTo(registry.lookup(t.valueSubject(), t.valueSchema()).id());
      assertThat(de.deserialize(t.name(), bytes)).isEqualTo(event);
    }
    assertThat(registry.subjects()).hasSize(8);
  }

  @Test
  void roundTripsGenericRecords() {
    FripAvroSerializer ser = new FripAvroSerializer(registry);
    FripAvroDeserializer de = new FripAvroDeserializer(registry, false);
    for (TopicSpec t : eventTopics()) {
      GenericRecord event = SampleEvents.generic(t.valueSchema(), 3);
      Object back = de.deserialize(t.name(), ser.serialize(t.name(), event));
      assertThat(back).isInstanceOf(GenericRecord.class);
      assertThat(back.toString()).isEqualTo(event.toString());
    }
  }

  @Test
  void newerReaderReadsRecordsOfAnOlderWriter() throws Exception {
    Schema v1 = paymentsV1();
    GenericRecord old = SampleEvents.generic(v1, 11);
    byte[] bytes = new FripAvroSerializer(registry).serialize("payments", old);
    // v2 (the generated class) adds decline_reason with a default: BACKWARD compatible.
    int v2 = registry.register("payments-value", PaymentEvent.getClassSchema());
    assertThat(v2).isNotEqualTo(AvroSerde.schemaIdOf(bytes));

    PaymentEvent read =
        (PaymentEvent) new FripAvroDeserializer(registry, true).deserialize("payments", bytes);
    assertThat(read.getDeclineReason()).isNull();
    assertThat(read.getUserId()).isEqualTo(old.get("user_id"));
    assertThat(read.getAmountMinor()).isEqualTo(old.get("amount_minor"));

    GenericRecord generic =
        (GenericRecord)
            new FripAvroDeserializer(registry, PaymentEvent.getClassSchema())
                .deserialize("payments", bytes);
    assertThat(generic.getSchema().getField("decline_reason")).isNotNull();
    assertThat(generic.get("decline_reason")).isNull();
  }

  @Test
  void afterTheFirstRecordNoHttpCallHappens() {
    FripAvroSerializer ser = new FripAvroSerializer(registry);
    FripAvroDeserializer de = new FripAvroDeserializer(registry, true);
    PaymentEvent first = SampleEvents.specific(PaymentEvent.getClassSchema(), 1);
    de.deserialize("payments", ser.serialize("payments", first));
    int afterFirst = server.requests.get();
    for (int i = 2; i < 200; i++) {
      PaymentEvent e = SampleEvents.specific(PaymentEvent.getClassSchema(), i);
      assertThat(de.deserialize("payments", ser.serialize("payments", e))).isEqualTo(e);
    }
    assertThat(server.requests.get()).isEqualTo(afterFirst);
  }

  @Test
  void malformedRecordsFailWithTopicAndSchemaId() {
    FripAvroSerializer ser = new FripAvroSerializer(registry);
    FripAvroDeserializer de = new FripAvroDeserializer(registry, true);
    byte[] good =
        ser.serialize("payments", SampleEvents.specific(PaymentEvent.getClassSchema(), 1));
    int id = AvroSerde.schemaIdOf(good);

    assertThatThrownBy(() -> de.deserialize("payments", new byte[] {0, 0}))
        .isInstanceOfSatisfying(
            AvroSerdeException.class,
            e -> {
              assertThat(e.schemaId()).isEqualTo(AvroSerdeException.NO_SCHEMA_ID);
              assertThat(e.getMessage()).contains("payments").contains("shorter");
            });
    byte[] badMagic = good.clone();
    badMagic[0] = 7;
    assertThatThrownBy(() -> de.deserialize("payments", badMagic))
        .hasMessageContaining("magic byte 0x07");
    byte[] unknownId = good.clone();
    unknownId[4] = 99;
    assertThatThrownBy(() -> de.deserialize("payments", unknownId))
        .isInstanceOfSatisfying(
            AvroSerdeException.class,
            e -> {
              assertThat(e.schemaId()).isEqualTo(AvroSerde.schemaIdOf(unknownId));
              assertThat(e.getMessage()).contains("unknown schema id");
            });
    byte[] truncated = Arrays.copyOf(good, good.length / 2);
    assertThatThrownBy(() -> de.deserialize("payments", truncated))
        .isInstanceOfSatisfying(
            AvroSerdeException.class,
            e -> {
              assertThat(e.schemaId()).isEqualTo(id);
              assertThat(e.getMessage()).contains("truncated");
            });
  }

  @Test
  void withoutAutoRegisterOnlyRegisteredSchemasSerialize() {
    FripAvroSerializer strict = new FripAvroSerializer(registry, false);
    PaymentEvent e = SampleEvents.specific(PaymentEvent.getClassSchema(), 1);
    assertThatThrownBy(() -> strict.serialize("payments", e))
        .isInstanceOf(AvroSerdeException.class)
        .hasMessageContaining("payments-value");
    registry.register("payments-value", PaymentEvent.getClassSchema());
    assertThat(strict.serialize("payments", e)).isNotEmpty();
  }

  @Test
  void configuresFromConfluentStyleProperties() {
    FripAvroSerializer ser = new FripAvroSerializer();
    ser.configure(
        Map.of(
            AvroSerde.SCHEMA_REGISTRY_URL, server.url(), AvroSerde.AUTO_REGISTER_SCHEMAS, "true"),
        false);
    FripAvroDeserializer de = new FripAvroDeserializer();
    de.configure(
        Map.of(AvroSerde.SCHEMA_REGISTRY_URL, server.url(), AvroSerde.SPECIFIC_AVRO_READER, true),
        false);
    PaymentEvent e = SampleEvents.specific(PaymentEvent.getClassSchema(), 5);
    assertThat(de.deserialize("payments", null, ser.serialize("payments", e))).isEqualTo(e);
    ser.close();
    de.close();
    assertThatThrownBy(() -> new FripAvroSerializer().configure(Map.of(), false))
        .hasMessageContaining(AvroSerde.SCHEMA_REGISTRY_URL);
    assertThatThrownBy(
            () ->
                new FripAvroSerializer()
                    .configure(
                        Map.of(
                            AvroSerde.SCHEMA_REGISTRY_URL,
                            server.url(),
                            AvroSerde.AUTO_REGISTER_SCHEMAS,
                            "maybe"),
                        false))
        .hasMessageContaining("maybe");
  }

  @Test
  void keysUseTheKeySubject() {
    FripAvroSerializer keys = new FripAvroSerializer(registry).forKeys();
    keys.serialize("payments", SampleEvents.specific(PaymentEvent.getClassSchema(), 1));
    assertThat(registry.subjects()).containsExactly("payments-key");
  }

  @Test
  void nullsPassThroughAndNonAvroValuesAreRefused() {
    FripAvroSerializer ser = new FripAvroSerializer(registry);
    assertThat(ser.serialize("payments", null)).isNull();
    assertThat(new FripAvroDeserializer(registry, true).deserialize("payments", null)).isNull();
    assertThatThrownBy(() -> ser.serialize("payments", "text"))
        .isInstanceOf(AvroSerdeException.class)
        .hasMessageContaining("java.lang.String");
  }

  @Test
  void recordsSerdeTimeWhenGivenAMeterRegistry() {
    SimpleMeterRegistry meters = new SimpleMeterRegistry();
    FripAvroSerializer ser = new FripAvroSerializer(registry).meterRegistry(meters);
    FripAvroDeserializer de = new FripAvroDeserializer(registry, true).meterRegistry(meters);
    de.deserialize(
        "payments",
        ser.serialize("payments", SampleEvents.specific(PaymentEvent.getClassSchema(), 1)));
    assertThat(meters.get("frip.kafka.serde.time").tag("op", "serialize").timer().count())
        .isEqualTo(1);
    assertThat(meters.get("frip.kafka.serde.time").tag("op", "deserialize").timer().count())
        .isEqualTo(1);
  }

  private static final String CORRUPT_SCHEMA =
      "{\"type\":\"record\",\"name\":\"Probe\",\"namespace\":\"dev.frip.test\",\"fields\":["
          + "{\"name\":\"s\",\"type\":\"string\"},"
          + "{\"name\":\"xs\",\"type\":{\"type\":\"array\",\"items\":[\"null\",\"int\"]}}%s]}";

  /** Header for schema {@code id}, then the body's parts (ints as zig-zag varints, else bytes). */
  private static byte[] wire(int id, Object... parts) {
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
    out.write(0);
    out.writeBytes(java.nio.ByteBuffer.allocate(4).putInt(id).array());
    for (Object part : parts) {
      if (part instanceof byte[] b) {
        out.writeBytes(b);
      } else {
        long n = ((Number) part).longValue();
        long z = (n << 1) ^ (n >> 63);
        while ((z & ~0x7fL) != 0) {
          out.write((int) ((z & 0x7f) | 0x80));
          z >>>= 7;
        }
        out.write((int) z);
      }
    }
    return out.toByteArray();
  }

  @Test
  @SuppressWarnings("unchecked")
  void corruptLengthsCountsBranchesAndTrailingBytesAreRefusedOnBothReadPaths() {
    Schema writer = new Schema.Parser().parse(String.format(CORRUPT_SCHEMA, ""));
    Schema newer =
        new Schema.Parser()
            .parse(
                String.format(
                    CORRUPT_SCHEMA, ",{\"name\":\"extra\",\"type\":\"int\",\"default\":0}"));
    int id = registry.register("probe-value", writer);
    FripAvroDeserializer fast = new FripAvroDeserializer(registry, false); // the fast codec
    FripAvroDeserializer resolving = new FripAvroDeserializer(registry, newer); // Avro's reader

    byte[] good = wire(id, 2, "ab".getBytes(), 2, 1, 5, 0, 0); // s="ab", xs=[5, null]
    GenericRecord viaFast = (GenericRecord) fast.deserialize("probe", good);
    assertThat(viaFast.get("s").toString()).isEqualTo("ab");
    assertThat((List<Object>) viaFast.get("xs")).containsExactly(5, null);
    GenericRecord viaAvro = (GenericRecord) resolving.deserialize("probe", good);
    assertThat((List<Object>) viaAvro.get("xs")).containsExactly(5, null);
    assertThat(viaAvro.get("extra")).isEqualTo(0);

    // Each would make Avro's reader allocate gigabytes, or read garbage, or ignore junk.
    Map<String, byte[]> corrupt =
        Map.of(
            "string length 10^9",
            wire(id, 1_000_000_000),
            "array of 2^30 items",
            wire(id, 0, 1 << 30, 0),
            "array block of -2^30 items and a huge byte size",
            wire(id, 0, -(1 << 30), Long.MAX_VALUE / 2),
            "union branch 7",
            wire(id, 0, 1, 7, 0),
            "three junk bytes after the value",
            wire(id, 0, 0, new byte[] {1, 2, 3}));
    for (Map.Entry<String, byte[]> c : corrupt.entrySet()) {
      for (FripAvroDeserializer de : List.of(fast, resolving)) {
        assertThatThrownBy(() -> de.deserialize("probe", c.getValue()))
            .as(c.getKey())
            .isInstanceOfSatisfying(
                AvroSerdeException.class,
                e -> {
                  assertThat(e.schemaId()).isEqualTo(id);
                  assertThat(e.getMessage()).contains("probe").contains("not valid Avro");
                  // FRIP's own checks said so, before Avro's reader allocated anything.
                  assertThat(e.getMessage())
                      .containsPattern("record ends|declares|nion index|left over");
                });
      }
    }
  }
}
