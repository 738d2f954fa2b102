package dev.frip.kafka;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificRecord;

/** Builds plausible events of any FRIP schema from a seed, generic or as the generated class. */
final class SampleEvents {

  private SampleEvents() {}

  static GenericRecord generic(Schema schema, long seed) {
    return (GenericRecord) value(schema, "", new Random(seed), seed);
  }

  static GenericRecord generic(Schema schema, long seed, String userId) {
    GenericRecord r = generic(schema, seed);
    if (schema.getField("user_id") != null) {
      r.put("user_id", userId);
    }
    return r;
  }

  @SuppressWarnings("unchecked")
  static <T extends SpecificRecord> T specific(Schema schema, long seed) {
    return (T) toSpecific(generic(schema, seed));
  }

  static SpecificRecord toSpecific(GenericRecord record) {
    Schema schema = record.getSchema();
    try {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      BinaryEncoder enc = EncoderFactory.get().binaryEncoder(out, null);
      new GenericDatumWriter<GenericRecord>(schema).write(record, enc);
      enc.flush();
      SpecificData model = SpecificData.getForSchema(schema);
      return (SpecificRecord)
          new SpecificDatumReader<>(schema, model.getSchema(model.getClass(schema)), model)
              .read(null, DecoderFactory.get().binaryDecoder(out.toByteArray(), null));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static Object value(Schema s, String name, Random rnd, long seed) {
    switch (s.getType()) {
      case RECORD:
        GenericData.Record r = new GenericData.Record(s);
        for (Schema.Field f : s.getFields()) {
          r.put(f.name(), value(f.schema(), f.name(), rnd, seed));
        }
        return r;
      case ENUM:
        return new GenericData.EnumSymbol(
            s, s.getEnumSymbols().get(rnd.nextInt(s.getEnumSymbols().size())));
      case ARRAY:
        List<Object> items = new ArrayList<>();
        items.add(value(s.getElementType(), name, rnd, seed));
        items.add(value(s.getElementType(), name, rnd, seed));
        return new GenericData.Array<>(s, items);
      case MAP:
        return Map.of("k", value(s.getValueType(), name, rnd, seed));
      case UNION:
        for (Schema branch : s.getTypes()) {
          if (branch.getType() != Schema.Type.NULL) {
            return value(branch, name, rnd, seed);
          }
        }
        return null;
      case STRING:
        if ("uuid".equals(s.getProp("logicalType"))) {
          return new UUID(seed, rnd.nextLong()).toString();
        }
        if (name.equals("currency") || name.endsWith("_currency")) {
          return "EUR";
        }
        if (name.endsWith("country")) {
          return "DE";
        }
        if (name.equals("user_id")) {
          return "u-" + (seed % 100);
        }
        return name + "-" + rnd.nextInt(1000);
      case BYTES:
        return ByteBuffer.wrap(new byte[] {1, 2, 3});
      case INT:
        return rnd.nextInt(100);
      case LONG:
        if (name.equals("amount_minor")) {
          return 100L + rnd.nextInt(100_000);
        }
        return 1_700_000_000_000L + rnd.nextInt(1_000_000);
      case FLOAT:
        return rnd.nextFloat();
      case DOUBLE:
        return rnd.nextDouble();
      case BOOLEAN:
        return rnd.nextBoolean();
      case FIXED:
        return new GenericData.Fixed(s, new byte[s.getFixedSize()]);
      default:
        return null;
    }
  }
}
