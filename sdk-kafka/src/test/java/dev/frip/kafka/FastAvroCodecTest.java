package dev.frip.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import dev.frip.core.TopicSpec;
import dev.frip.kafka.internal.BufferDecoder;
import dev.frip.kafka.internal.FastAvroCodec;
import java.io.ByteArrayOutputStream;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumReader;
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

/** The precompiled codec writes Avro's exact bytes and reads what Avro reads. */
class FastAvroCodecTest {

  private static byte[] fast(Schema schema, Object value) throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    BinaryEncoder enc = EncoderFactory.get().directBinaryEncoder(out, null);
    FastAvroCodec.writer(schema).write(value, enc);
    enc.flush();
    return out.toByteArray();
  }

  private static byte[] avro(Schema schema, Object value, boolean specific) throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    BinaryEncoder enc = EncoderFactory.get().directBinaryEncoder(out, null);
    if (specific) {
      new SpecificDatumWriter<Object>(schema, SpecificData.getForSchema(schema)).write(value, enc);
    } else {
      new GenericDatumWriter<Object>(schema).write(value, enc);
    }
    enc.flush();
    return out.toByteArray();
  }

  @Test
  void writesAvrosBytesForEveryEventSchema() throws Exception {
    for (TopicSpec t : AvroSerdeTest.eventTopics()) {
      for (long seed = 0; seed < 20; seed++) {
        SpecificRecord specific = SampleEvents.specific(t.valueSchema(), seed);
        GenericRecord generic = SampleEvents.generic(t.valueSchema(), seed);
        assertThat(fast(t.valueSchema(), specific))
            .as(t.name())
            .isEqualTo(avro(t.valueSchema(), specific, true));
        assertThat(fast(t.valueSchema(), generic))
            .as(t.name())
            .isEqualTo(avro(t.valueSchema(), generic, false));
      }
    }
  }

  @Test
  void readsWhatAvroReadsForEveryEventSchema() throws Exception {
    for (TopicSpec t : AvroSerdeTest.eventTopics()) {
      Schema s = t.valueSchema();
      SpecificData model = SpecificData.getForSchema(s);
      for (long seed = 0; seed < 20; seed++) {
        byte[] bytes = avro(s, SampleEvents.specific(s, seed), true);
        Object viaAvro =
            new SpecificDatumReader<>(s, s, model)
                .read(null, DecoderFactory.get().binaryDecoder(bytes, null));
        Object viaFast =
            FastAvroCodec.reader(s, model).read(new BufferDecoder().reset(bytes, 0, bytes.length));
        assertThat(viaFast).as(t.name()).isEqualTo(viaAvro);
        Object genericAvro =
            new GenericDatumReader<>(s, s, GenericData.get())
                .read(null, DecoderFactory.get().binaryDecoder(bytes, null));
        Object genericFast =
            FastAvroCodec.reader(s, GenericData.get())
                .read(new BufferDecoder().reset(bytes, 0, bytes.length));
        assertThat(genericFast.toString()).as(t.name()).isEqualTo(genericAvro.toString());
      }
    }
  }

  @Test
  void bufferEncoderWritesAvrosBytes() throws Exception {
    for (TopicSpec t : AvroSerdeTest.eventTopics()) {
      for (long seed = 0; seed < 20; seed++) {
        SpecificRecord specific = SampleEvents.specific(t.valueSchema(), seed);
        dev.frip.kafka.internal.ByteBuffers buf = new dev.frip.kafka.internal.ByteBuffers();
        FastAvroCodec.writer(t.valueSchema())
            .write(specific, new dev.frip.kafka.internal.BufferEncoder(buf));
        assertThat(buf.toByteArray()).as(t.name()).isEqualTo(avro(t.valueSchema(), specific, true));
      }
    }
    Schema edge =
        SchemaBuilder.record("E")
            .fields()
            .requiredInt("i")
            .requiredLong("l")
            .requiredFloat("f")
            .requiredDouble("d")
            .requiredString("s")
            .requiredBytes("b")
            .requiredBoolean("z")
            .endRecord();
    Object[][] values = {
      {
        Integer.MIN_VALUE,
        Long.MIN_VALUE,
        -1.5f,
        Double.NaN,
        "h\u00e9llo \u6f22",
        new byte[] {1, 2},
        true
      },
      {Integer.MAX_VALUE, Long.MAX_VALUE, Float.MAX_VALUE, -0.0, "", new byte[0], false},
      {1 << 30, 1L << 40, 0f, 1e300, "plain", new byte[] {-1}, true}
    };
    for (Object[] v : values) {
      GenericData.Record r = new GenericData.Record(edge);
      for (int i = 0; i < v.length; i++) {
        r.put(i, v[i] instanceof byte[] b ? java.nio.ByteBuffer.wrap(b) : v[i]);
      }
      dev.frip.kafka.internal.ByteBuffers buf = new dev.frip.kafka.internal.ByteBuffers();
      new GenericDatumWriter<Object>(edge).write(r, new dev.frip.kafka.internal.BufferEncoder(buf));
      assertThat(buf.toByteArray()).isEqualTo(avro(edge, r, false));
      byte[] bytes = buf.toByteArray();
      Object back =
          FastAvroCodec.reader(edge, GenericData.get())
              .read(new BufferDecoder().reset(bytes, 0, bytes.length));
      Object viaAvro =
          new GenericDatumReader<>(edge, edge, GenericData.get())
              .read(null, DecoderFactory.get().binaryDecoder(bytes, null));
      assertThat(back.toString()).isEqualTo(viaAvro.toString());
      org.assertj.core.api.Assertions.assertThatThrownBy(
              () ->
                  FastAvroCodec.reader(edge, GenericData.get())
                      .read(new BufferDecoder().reset(bytes, 0, bytes.length - 1)))
          .isInstanceOf(java.io.EOFException.class);
    }
  }

  @Test
  void refusesGarbageStringLengthsWithoutAllocatingThem() throws Exception {
    Schema s =
        SchemaBuilder.record("S").fields().name("s").type().stringType().noDefault().endRecord();
    s.getField("s").schema().addProp("avro.java.string", "String");
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    BinaryEncoder enc = EncoderFactory.get().directBinaryEncoder(out, null);
    enc.writeInt(500_000_000);
    enc.flush();
    org.assertj.core.api.Assertions.assertThatThrownBy(
            () ->
                FastAvroCodec.reader(s, GenericData.get())
                    .read(new BufferDecoder().reset(out.toByteArray(), 0, out.size())))
        .hasMessageContaining("500000000");
  }

  @Test
  void refusesAUnionIndexOutsideTheUnion() {
    Schema s = SchemaBuilder.record("N").fields().optionalString("s").requiredLong("l").endRecord();
    byte[] index2 = {4, 2}; // branch 2 of ["null", "string"], then a long
    org.assertj.core.api.Assertions.assertThatThrownBy(
            () ->
                FastAvroCodec.reader(s, GenericData.get())
                    .read(new BufferDecoder().reset(index2, 0, index2.length)))
        .isInstanceOf(org.apache.avro.AvroRuntimeException.class)
        .hasMessageContaining("Union index 2");
  }

  @Test
  void leavesOtherShapesToAvro() {
    Schema withMap =
        SchemaBuilder.record("M")
            .fields()
            .name("m")
            .type()
            .map()
            .values()
            .longType()
            .noDefault()
            .endRecord();
    Schema wideUnion =
        SchemaBuilder.record("U")
            .fields()
            .name("u")
            .type()
            .unionOf()
            .intType()
            .and()
            .stringType()
            .and()
            .nullType()
            .endUnion()
            .noDefault()
            .endRecord();
    assertThat(FastAvroCodec.writer(withMap)).isNull();
    assertThat(FastAvroCodec.reader(withMap, GenericData.get())).isNull();
    assertThat(FastAvroCodec.writer(wideUnion)).isNull();
    assertThat(FastAvroCodec.reader(wideUnion, GenericData.get())).isNull();
  }
}
