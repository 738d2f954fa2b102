package dev.frip.kafka.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.frip.core.TopicSpec;
import dev.frip.core.Topics;
import dev.frip.core.events.PaymentEvent;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.UUID;
import org.apache.avro.AvroRuntimeException;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.avro.specific.SpecificRecord;
import org.junit.jupiter.api.Test;

/**
 * The build-generated codecs cover all eight event classes, write Avro's exact bytes and read back
 * equal records, for random values including nulls, non-ASCII, long and repeated strings, extreme
 * numbers and empty arrays.
 */
class GeneratedCodecsTest {

  private static final int RECORDS_PER_SCHEMA = 6000;

  private static List<TopicSpec> eventTopics() {
    List<TopicSpec> all = new ArrayList<>(Topics.SEED);
    all.addAll(Topics.OUTPUTS);
    return all;
  }

  @Test
  void everyEventClassTakesTheGeneratedCodec() {
    assertThat(eventTopics()).hasSize(8);
    for (TopicSpec t : eventTopics()) {
      Schema s = t.valueSchema();
      assertThat(FastAvroCodec.writer(s).getClass().getName())
          .as(t.name())
          .endsWith("Codec$Writer");
      assertThat(FastAvroCodec.reader(s, SpecificData.getForSchema(s)).getClass().getName())
          .as(t.name())
          .endsWith("Codec$Reader");
      // Generic records keep the general reader.
      assertThat(FastAvroCodec.reader(s, GenericData.get())).isInstanceOf(RecordReader.class);
    }
  }

  @Test
  void randomRecordsOfEveryEventClassAreByteIdenticalToAvroAndReadBack() throws Exception {
    Random rnd = new Random(11);
    for (TopicSpec t : eventTopics()) {
      Schema s = t.valueSchema();
      SpecificData model = SpecificData.getForSchema(s);
      FastAvroCodec.ValueWriter writer = FastAvroCodec.writer(s);
      FastAvroCodec.ValueReader reader = FastAvroCodec.reader(s, model);
      SpecificDatumWriter<Object> avroWriter = new SpecificDatumWriter<>(s, model);
      SpecificDatumReader<Object> avroReader = new SpecificDatumReader<>(s, s, model);
      ByteBuffers buf = new ByteBuffers();
      BufferEncoder enc = new BufferEncoder(buf);
      // Past the string caches' probation, with values that repeat (cached) and that don't.
      for (int i = 0; i < RECORDS_PER_SCHEMA; i++) {
        GenericRecord generic = (GenericRecord) randomValue(s, rnd);
        byte[] avroBytes = avro(new GenericDatumWriter<>(s), generic);
        Object specific =
            avroReader.read(null, DecoderFactory.get().binaryDecoder(avroBytes, null));
        assertThat(avro(avroWriter, specific)).isEqualTo(avroBytes);
        buf.reset();
        writer.write(specific, enc);
        byte[] bytes = buf.toByteArray();
        assertThat(bytes).as(t.name() + " " + i).isEqualTo(avroBytes);
        Object back = reader.read(new BufferDecoder().reset(bytes, 0, bytes.length));
        assertThat(back).as(t.name() + " " + i).isEqualTo(specific);
        // A generic record of the same schema goes to the general writer: the same bytes.
        buf.reset();
        writer.write(generic, enc);
        assertThat(buf.toByteArray()).as(t.name() + " generic " + i).isEqualTo(avroBytes);
      }
    }
  }

  @Test
  void otherEncodersGetAvrosBytesToo() throws Exception {
    Random rnd = new Random(3);
    for (TopicSpec t : eventTopics()) {
      Schema s = t.valueSchema();
      SpecificData model = SpecificData.getForSchema(s);
      Object specific = toSpecific(s, (GenericRecord) randomValue(s, rnd));
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      BinaryEncoder enc = EncoderFactory.get().directBinaryEncoder(out, null);
      FastAvroCodec.writer(s).write(specific, enc);
      enc.flush();
      assertThat(out.toByteArray()).isEqualTo(avro(new SpecificDatumWriter<>(s, model), specific));
    }
  }

  @Test
  void aNullInANonNullableFieldIsRefusedNamingTheField() {
    PaymentEvent e =
        toSpecific(
            PaymentEvent.getClassSchema(),
            (GenericRecord) randomValue(PaymentEvent.getClassSchema(), new Random(1)));
    e.put(e.getSchema().getField("merchant_id").pos(), null);
    assertThatThrownBy(
            () ->
                FastAvroCodec.writer(PaymentEvent.getClassSchema())
                    .write(e, new BufferEncoder(new ByteBuffers())))
        .isInstanceOf(NullPointerException.class)
        .hasMessageContaining("merchant_id")
        .hasMessageContaining("PaymentEvent");
  }

  @Test
  void malformedInputIsRefused() throws Exception {
    Schema s = PaymentEvent.getClassSchema();
    PaymentEvent e = toSpecific(s, (GenericRecord) randomValue(s, new Random(2)));
    byte[] bytes = write(e);
    FastAvroCodec.ValueReader reader = FastAvroCodec.reader(s, SpecificData.getForSchema(s));
    for (int cut = 0; cut < bytes.length; cut += 7) {
      int len = cut;
      assertThatThrownBy(() -> reader.read(new BufferDecoder().reset(bytes, 0, len)))
          .isInstanceOfAny(EOFException.class, RuntimeException.class);
    }
    // Put a union index 2 where terminal_id's branch index goes: the first byte that differs
    // between the record with and without a terminal id.
    byte[] without = write(PaymentEvent.newBuilder(e).setTerminalId(null).build());
    byte[] with = write(PaymentEvent.newBuilder(e).setTerminalId("t-1").build());
    int at = java.util.Arrays.mismatch(without, with);
    byte[] bad = without.clone();
    bad[at] = 4; // zig-zag 2
    assertThatThrownBy(() -> reader.read(new BufferDecoder().reset(bad, 0, bad.length)))
        .isInstanceOf(AvroRuntimeException.class)
        .hasMessageContaining("Union index 2");
  }

  private static byte[] write(Object record) throws Exception {
    ByteBuffers buf = new ByteBuffers();
    FastAvroCodec.writer(PaymentEvent.getClassSchema()).write(record, new BufferEncoder(buf));
    return buf.toByteArray();
  }

  private static byte[] avro(org.apache.avro.io.DatumWriter<Object> writer, Object value)
      throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    BinaryEncoder enc = EncoderFactory.get().directBinaryEncoder(out, null);
    writer.write(value, enc);
    enc.flush();
    return out.toByteArray();
  }

  @SuppressWarnings("unchecked")
  private static <T extends SpecificRecord> T toSpecific(Schema s, GenericRecord generic) {
    try {
      byte[] bytes = avro(new GenericDatumWriter<>(s), generic);
      return (T)
          new SpecificDatumReader<>(s, s, SpecificData.getForSchema(s))
              .read(null, DecoderFactory.get().binaryDecoder(bytes, null));
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private static final String[] REPEATED = {"DE", "EUR", "electronics", "", "caf\u00e9", "u-1"};

  /** A random generic value of the schema, as Avro's generic writer takes it. */
  private static Object randomValue(Schema s, Random rnd) {
    switch (s.getType()) {
      case RECORD:
        GenericData.Record r = new GenericData.Record(s);
        for (Schema.Field f : s.getFields()) {
          r.put(f.pos(), randomValue(f.schema(), rnd));
        }
        return r;
      case UNION:
        List<Schema> branches = s.getTypes();
        return randomValue(branches.get(rnd.nextInt(branches.size())), rnd);
      case NULL:
        return null;
      case ENUM:
        List<String> symbols = s.getEnumSymbols();
        return new GenericData.EnumSymbol(s, symbols.get(rnd.nextInt(symbols.size())));
      case ARRAY:
        List<Object> items = new ArrayList<>();
        for (int i = rnd.nextInt(4); i > 0; i--) {
          items.add(randomValue(s.getElementType(), rnd));
        }
        return new GenericData.Array<>(s, items);
      case STRING:
        if ("uuid".equals(s.getProp("logicalType"))) {
          return new UUID(rnd.nextLong(), rnd.nextLong()).toString();
        }
        return randomString(rnd);
      case INT:
        return rnd.nextInt(4) == 0 ? rnd.nextInt() : rnd.nextInt(200) - 100;
      case LONG:
        if (s.getLogicalType() != null) {
          return rnd.nextLong() >> rnd.nextInt(64) >> 1; // any millisecond an Instant holds
        }
        return rnd.nextInt(4) == 0 ? rnd.nextLong() : rnd.nextInt(100_000);
      case FLOAT:
        return rnd.nextInt(10) == 0
            ? Float.MIN_VALUE
            : rnd.nextFloat() * 1e6f - 5e5f; // NaN != NaN in equals
      case DOUBLE:
        return rnd.nextInt(10) == 0 ? -0.0 : rnd.nextDouble() * 360 - 180;
      case BOOLEAN:
        return rnd.nextBoolean();
      default:
        throw new IllegalArgumentException("no random " + s.getType());
    }
  }

  private static String randomString(Random rnd) {
    int kind = rnd.nextInt(5);
    if (kind <= 1) {
      return REPEATED[rnd.nextInt(REPEATED.length)];
    }
    StringBuilder b = new StringBuilder();
    int len = kind == 4 ? 33 + rnd.nextInt(40) : rnd.nextInt(20);
    for (int i = 0; i < len; i++) {
      int c = rnd.nextInt(20) == 0 ? 0x80 + rnd.nextInt(0x3000) : 0x20 + rnd.nextInt(0x5f);
      b.append((char) c);
    }
    return b.toString();
  }
}
