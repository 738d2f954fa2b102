package dev.frip.kafka.internal;

import java.io.IOException;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.apache.avro.Conversion;
import org.apache.avro.LogicalType;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.IndexedRecord;

/**
 * Reads a record's fields in one loop with a switch on each field's kind (the counterpart of {@link
 * RecordWriter}): strings, UUIDs, timestamps, enums and nullable unions are decoded inline, other
 * shapes by a {@link FastAvroCodec.ValueReader}. Java-string fields decode through a {@link
 * StringCache}, which hands out the same string again for repeated values and switches itself off
 * for fields whose values rarely repeat.
 */
final class RecordReader implements FastAvroCodec.ValueReader {

  static final byte OTHER = 0;
  static final byte NULL = 1;
  static final byte BOOLEAN = 2;
  static final byte INT = 3;
  static final byte LONG = 4;
  static final byte INSTANT = 5;
  static final byte FLOAT = 6;
  static final byte DOUBLE = 7;
  static final byte STRING = 8;
  static final byte UTF8 = 9;
  static final byte UUID_VALUE = 10;
  static final byte ENUM = 11;

  private final Supplier<Object> create;
  private final byte[] kinds;

  /** The null branch of a two-branch nullable union field, or -1 if the field is no union. */
  private final int[] nullIndex;

  private final FastAvroCodec.ValueReader[] others;
  private final Object[][] enumValues;
  private final StringCache[] strings;

  private RecordReader(int n, Supplier<Object> create) {
    this.create = create;
    kinds = new byte[n];
    nullIndex = new int[n];
    others = new FastAvroCodec.ValueReader[n];
    enumValues = new Object[n][];
    strings = new StringCache[n];
  }

  /**
   * A reader of records of this schema into the model's records, or null if a field has a shape or
   * a conversion the codec leaves to Avro.
   */
  static RecordReader of(Schema s, GenericData model, Map<Schema, Boolean> seen) {
    if (seen.containsKey(s)) {
      return null;
    }
    seen.put(s, Boolean.TRUE);
    List<Schema.Field> fields = s.getFields();
    RecordReader r = new RecordReader(fields.size(), FastAvroCodec.constructor(model, s));
    for (int i = 0; i < fields.size(); i++) {
      Schema f = fields.get(i).schema();
      FastAvroCodec.ValueReader general = FastAvroCodec.readerFor(f, model, seen);
      if (general == null) {
        return null;
      }
      r.nullIndex[i] = -1;
      Schema value = f;
      int nullBranch = FastAvroCodec.nullBranch(f);
      if (nullBranch >= 0) {
        value = f.getTypes().get(1 - nullBranch);
      }
      byte kind = kindOf(value, model);
      if (kind == OTHER) {
        r.others[i] = general; // the whole field, union included
      } else {
        r.nullIndex[i] = nullBranch;
        if (kind == ENUM) {
          List<String> symbols = value.getEnumSymbols();
          r.enumValues[i] = new Object[symbols.size()];
          for (int e = 0; e < symbols.size(); e++) {
            r.enumValues[i][e] = model.createEnum(symbols.get(e), value);
          }
        } else if (kind == STRING) {
          r.strings[i] = new StringCache();
        }
      }
      r.kinds[i] = kind;
    }
    seen.remove(s);
    return r;
  }

  /**
   * The kind of a (non-union) schema this class reads inline, or OTHER. Only called once {@link
   * FastAvroCodec#readerFor} has accepted the schema, so logical types are ones it covers.
   */
  private static byte kindOf(Schema s, GenericData model) {
    LogicalType logical = s.getLogicalType();
    Conversion<?> conversion = logical == null ? null : model.getConversionFor(logical);
    switch (s.getType()) {
      case NULL:
        return NULL;
      case BOOLEAN:
        return BOOLEAN;
      case INT:
        return INT;
      case LONG:
        return conversion == null ? LONG : INSTANT;
      case FLOAT:
        return FLOAT;
      case DOUBLE:
        return DOUBLE;
      case STRING:
        if (conversion != null) {
          return UUID_VALUE;
        }
        return "String".equals(s.getProp(GenericData.STRING_PROP)) ? STRING : UTF8;
      case ENUM:
        return ENUM;
      default:
        return OTHER;
    }
  }

  @Override
  public Object read(BufferDecoder in) throws IOException {
    IndexedRecord r = (IndexedRecord) create.get();
    byte[] k = kinds;
    for (int i = 0; i < k.length; i++) {
      int nullBranch = nullIndex[i];
      if (nullBranch >= 0 && in.readUnionIsNull(nullBranch)) {
        r.put(i, null);
        continue;
      }
      Object v;
      switch (k[i]) {
        case STRING:
          v = in.readString(strings[i]);
          break;
        case UUID_VALUE:
          v = in.readUuid();
          break;
        case LONG:
          v = in.readLong();
          break;
        case INSTANT:
          v = Instant.ofEpochMilli(in.readLong());
          break;
        case DOUBLE:
          v = in.readDouble();
          break;
        case ENUM:
          v = enumValues[i][in.readEnum()];
          break;
        case UTF8:
          v = in.readUtf8();
          break;
        case INT:
          v = in.readInt();
          break;
        case FLOAT:
          v = in.readFloat();
          break;
        case BOOLEAN:
          v = in.readBoolean();
          break;
        case NULL:
          v = null;
          break;
        default:
          v = others[i].read(in);
      }
      r.put(i, v);
    }
    return r;
  }
}
