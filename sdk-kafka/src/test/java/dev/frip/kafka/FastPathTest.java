package dev.frip.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.frip.core.events.PaymentEvent;
import dev.frip.core.events.PaymentMethod;
import dev.frip.core.events.PaymentStatus;
import dev.frip.kafka.internal.BufferDecoder;
import dev.frip.kafka.internal.BufferEncoder;
import dev.frip.kafka.internal.ByteBuffers;
import dev.frip.kafka.internal.FastAvroCodec;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Random;
import java.util.UUID;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificDatumWriter;
import org.junit.jupiter.api.Test;

/** The hot-path shortcuts (UUIDs, ASCII strings, enum tables, constructors) match Avro exactly. */
class FastPathTest {

  private interface AvroWrite {
    void write(BinaryEncoder enc) throws Exception;
  }

  private static byte[] avro(AvroWrite w) throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    BinaryEncoder enc = EncoderFactory.get().directBinaryEncoder(out, null);
    w.write(enc);
    enc.flush();
    return out.toByteArray();
  }

  private static byte[] avroPayment(PaymentEvent e) throws Exception {
    return avro(enc -> new SpecificDatumWriter<PaymentEvent>(PaymentEvent.class).write(e, enc));
  }

  private static byte[] stringBytes(String s) throws Exception {
    return avro(enc -> enc.writeString(s));
  }

  private static UUID readUuid(byte[] bytes) throws Exception {
    return new BufferDecoder().reset(bytes, 0, bytes.length).readUuid();
  }

  @Test
  void uuidsWriteAvrosBytesAndReadBack() throws Exception {
    long[] edges = {0L, -1L, 1L, Long.MIN_VALUE, Long.MAX_VALUE, 0x0123456789abcdefL};
    Random rnd = new Random(42);
    List<UUID> ids = new java.util.ArrayList<>();
    for (long m : edges) {
      for (long l : edges) {
        ids.add(new UUID(m, l));
      }
    }
    for (int i = 0; i < 1000; i++) {
      ids.add(new UUID(rnd.nextLong(), rnd.nextLong()));
      ids.add(UUID.randomUUID());
    }
    for (UUID id : ids) {
      ByteBuffers buf = new ByteBuffers();
      new BufferEncoder(buf).writeUuid(id);
      byte[] bytes = buf.toByteArray();
      assertThat(bytes).as(id.toString()).isEqualTo(stringBytes(id.toString()));
      assertThat(readUuid(bytes)).isEqualTo(id);
    }
  }

  @Test
  void uuidsParseAsUuidFromStringDoes() throws Exception {
    String[] accepted = {
      "01234567-89AB-CDEF-0123-456789ABCDEF", // upper case, canonical length
      "FFFFFFFF-ffff-FfFf-0000-000000000000",
      "1-2-3-4-5" // lenient short form goes through UUID.fromString
    };
    for (String s : accepted) {
      assertThat(readUuid(stringBytes(s))).as(s).isEqualTo(UUID.fromString(s));
    }
    String[] rejected = {
      "0123456g-89ab-cdef-0123-456789abcdef", // not hex
      "01234567+89ab-cdef-0123-456789abcdef", // no dash where one must be
      "0123456\u00e9-89ab-cdef-0123-456789abcde", // non-ASCII, 36 bytes
      "",
    };
    for (String s : rejected) {
      assertThatThrownBy(() -> readUuid(stringBytes(s)))
          .as(s)
          .isInstanceOf(IllegalArgumentException.class);
      assertThatThrownBy(() -> UUID.fromString(s)).isInstanceOf(IllegalArgumentException.class);
    }
    byte[] whole = stringBytes(UUID.randomUUID().toString());
    assertThatThrownBy(() -> new BufferDecoder().reset(whole, 0, whole.length - 1).readUuid())
        .isInstanceOf(EOFException.class);
  }

  @Test
  void stringsWriteAvrosBytesAsciiOrNot() throws Exception {
    StringBuilder longAscii = new StringBuilder();
    for (int i = 0; i < 3000; i++) {
      longAscii.append((char) ('a' + i % 26));
    }
    String[] strings = {
      "",
      "a",
      "plain ascii",
      "\u007f",
      "\u0080",
      "caf\u00e9",
      "\u00e9 first",
      "last \u6f22",
      "emoji \ud83d\ude00 pair",
      longAscii.toString(),
      longAscii + "\u00fc",
      "\u00fc" + longAscii
    };
    for (String s : strings) {
      ByteBuffers buf = new ByteBuffers();
      BufferEncoder enc = new BufferEncoder(buf);
      enc.writeString("prefix"); // content before must survive a rewind
      enc.writeString(s);
      enc.writeString(s);
      byte[] expected =
          avro(
              e -> {
                e.writeString("prefix");
                e.writeString(s);
                e.writeString(s);
              });
      assertThat(buf.toByteArray()).as(s).isEqualTo(expected);
      BufferDecoder in = new BufferDecoder().reset(expected, 0, expected.length);
      assertThat(in.readString()).isEqualTo("prefix");
      assertThat(in.readString()).isEqualTo(s);
      assertThat(in.readUtf8().toString()).isEqualTo(s);
      assertThat(in.remaining()).isZero();
      assertThat(new String(s.getBytes(StandardCharsets.UTF_8), StandardCharsets.UTF_8))
          .isEqualTo(s);
    }
  }

  static PaymentEvent randomPayment(Random rnd) {
    String[] pool = {"", "x", "caf\u00e9", "\u6f22\u5b57", "user-42", "emoji \ud83d\ude00"};
    java.util.function.Supplier<String> str =
        () -> rnd.nextInt(3) == 0 ? pool[rnd.nextInt(pool.length)] : "s-" + rnd.nextLong();
    java.util.function.Supplier<String> maybe = () -> rnd.nextBoolean() ? null : str.get();
    return PaymentEvent.newBuilder()
        .setEventId(new UUID(rnd.nextLong(), rnd.nextLong()))
        .setEventTime(Instant.ofEpochMilli(rnd.nextLong() >> 20))
        .setPaymentId(str.get())
        .setOrderId(str.get())
        .setUserId(str.get())
        .setCardId(str.get())
        .setMerchantId(str.get())
        .setMerchantCategory(str.get())
        .setMerchantCountry(str.get())
        .setTerminalId(maybe.get())
        .setDeviceId(maybe.get())
        .setIp(maybe.get())
        .setCountry(str.get())
        .setLat(rnd.nextBoolean() ? null : rnd.nextDouble() * 180 - 90)
        .setLon(rnd.nextBoolean() ? null : rnd.nextDouble() * 360 - 180)
        .setAmountMinor(rnd.nextLong())
        .setCurrency(str.get())
        .setPaymentMethod(PaymentMethod.values()[rnd.nextInt(PaymentMethod.values().length)])
        .setStatus(PaymentStatus.values()[rnd.nextInt(PaymentStatus.values().length)])
        .setDeclineReason(maybe.get())
        .build();
  }

  @Test
  void randomPaymentsAreByteIdenticalToAvroAndReadBack() throws Exception {
    Schema schema = PaymentEvent.getClassSchema();
    FastAvroCodec.ValueWriter writer = FastAvroCodec.writer(schema);
    FastAvroCodec.ValueReader reader =
        FastAvroCodec.reader(schema, SpecificData.getForSchema(schema));
    Random rnd = new Random(7);
    ByteBuffers buf = new ByteBuffers();
    BufferEncoder enc = new BufferEncoder(buf);
    // Past the string caches' probation, with values that repeat (cached) and that don't.
    for (int i = 0; i < 6000; i++) {
      PaymentEvent e = randomPayment(rnd);
      buf.reset();
      writer.write(e, enc);
      byte[] bytes = buf.toByteArray();
      assertThat(bytes).isEqualTo(avroPayment(e));
      Object back = reader.read(new BufferDecoder().reset(bytes, 0, bytes.length));
      assertThat(back).isInstanceOf(PaymentEvent.class).isEqualTo(e);
    }
  }

  @Test
  void enumsWriteTheSchemasOrdinalWhateverTheJavaOrder() throws Exception {
    // The schema lists the symbols in another order than the Java enum declares them.
    Schema reordered =
        SchemaBuilder.record("R")
            .fields()
            .name("m")
            .type()
            .enumeration("PaymentMethod")
            .namespace("dev.frip.core.events")
            .symbols("WALLET", "CARD_NOT_PRESENT", "CARD_PRESENT")
            .noDefault()
            .endRecord();
    Schema enumSchema = reordered.getField("m").schema();
    FastAvroCodec.ValueWriter writer = FastAvroCodec.writer(reordered);
    for (Object v :
        new Object[] {
          PaymentMethod.CARD_PRESENT,
          PaymentMethod.WALLET,
          new GenericData.EnumSymbol(enumSchema, "CARD_NOT_PRESENT"),
          PaymentMethod.CARD_NOT_PRESENT,
          PaymentStatus.DECLINED // not a symbol: fails as Avro's lookup by name does
        }) {
      GenericData.Record r = new GenericData.Record(reordered);
      r.put(0, v);
      ByteBuffers buf = new ByteBuffers();
      if (v == PaymentStatus.DECLINED) {
        assertThatThrownBy(() -> writer.write(r, new BufferEncoder(buf)))
            .isInstanceOf(RuntimeException.class);
        continue;
      }
      writer.write(r, new BufferEncoder(buf));
      assertThat(buf.toByteArray())
          .as(v.toString())
          .isEqualTo(avro(enc -> new GenericDatumWriter<Object>(reordered).write(r, enc)));
    }
  }

  @Test
  void serializerAndDeserializerFollowTopicAndSchemaChanges() {
    try (CountingRegistry server = new CountingRegistry();
        SchemaRegistry registry = SchemaRegistry.builder().url(server.url()).build()) {
      FripAvroSerializer ser = new FripAvroSerializer(registry);
      FripAvroDeserializer de = new FripAvroDeserializer(registry, true);
      Random rnd = new Random(3);
      List<dev.frip.core.TopicSpec> topics = AvroSerdeTest.eventTopics();
      for (int i = 0; i < 60; i++) {
        // Alternate: same topic twice, then another topic and schema; payments under two topics.
        Object event;
        String topic;
        if (i % 3 == 2) {
          dev.frip.core.TopicSpec t = topics.get(i % topics.size());
          topic = t.name();
          event = SampleEvents.specific(t.valueSchema(), i);
        } else {
          topic = i % 2 == 0 ? "payments" : "payments-copy";
          event = randomPayment(rnd);
        }
        byte[] bytes = ser.serialize(topic, event);
        assertThat(AvroSerde.schemaIdOf(bytes))
            .isEqualTo(
                registry
                    .lookup(
                        AvroSerde.subject(topic, false),
                        ((org.apache.avro.generic.GenericContainer) event).getSchema())
                    .id());
        assertThat(de.deserialize(topic, bytes)).isEqualTo(event);
      }
    }
  }
}
