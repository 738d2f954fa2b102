package dev.frip.kafka.internal;

import java.io.IOException;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.avro.LogicalType;
import org.apache.avro.Schema;
import org.apache.avro.generic.IndexedRecord;
import org.apache.avro.io.Encoder;
import org.apache.avro.util.Utf8;

/**
 * Writes a record's fields in one loop with a switch on each field's kind, so the encoding of
 * strings, longs, enums and nullable unions is compiled into this one method instead of called
 * through a different lambda per field (a megamorphic call the JIT cannot inline). Fields of other
 * shapes (arrays, bytes, nested records, other unions) go to a {@link FastAvroCodec.ValueWriter}.
 */
final class RecordWriter implements FastAvroCodec.ValueWriter {

  static final byte OTHER = 0;
  static final byte NULL = 1;
  static final byte BOOLEAN = 2;
  static final byte INT = 3;
  static final byte LONG = 4;
  static final byte TIMESTAMP = 5;
  static final byte FLOAT = 6;
  static final byte DOUBLE = 7;
  static final byte STRING = 8;
  static final byte ENUM = 9;

  private final byte[] kinds;

  /** The null branch of a two-branch nullable union field, or -1 if the field is no union. */
  private final int[] nullIndex;

  private final FastAvroCodec.ValueWriter[] others;
  private final FastAvroCodec.EnumOrdinals[] enums;

  private RecordWriter(int n) {
    kinds = new byte[n];
    nullIndex = new int[n];
    others = new FastAvroCodec.ValueWriter[n];
    enums = new FastAvroCodec.EnumOrdinals[n];
  }

  /** A writer for records of this schema, or null if a field has a shape the codec leaves. */
  static RecordWriter of(Schema s, Map<Schema, Boolean> seen) {
    if (seen.containsKey(s)) {
      return null; // recursive schemas take Avro's path
    }
    seen.put(s, Boolean.TRUE);
    List<Schema.Field> fields = s.getFields();
    RecordWriter w = new RecordWriter(fields.size());
    for (int i = 0; i < fields.size(); i++) {
      Schema f = fields.get(i).schema();
      FastAvroCodec.ValueWriter general = FastAvroCodec.writerFor(f, seen);
      if (general == null) {
        return null;
      }
      w.nullIndex[i] = -1;
      Schema value = f;
      int nullBranch = FastAvroCodec.nullBranch(f);
      if (nullBranch >= 0) {
        value = f.getTypes().get(1 - nullBranch);
      }
      byte kind = kindOf(value);
      if (kind == OTHER) {
        w.others[i] = general; // the whole field, union included
      } else {
        w.nullIndex[i] = nullBranch;
        if (kind == ENUM) {
          w.enums[i] = new FastAvroCodec.EnumOrdinals(value);
        }
      }
      w.kinds[i] = kind;
    }
    seen.remove(s);
    return w;
  }

  /** The kind of a (non-union) schema this class writes inline, or OTHER. */
  private static byte kindOf(Schema s) {
    LogicalType logical = s.getLogicalType();
    switch (s.getType()) {
      case NULL:
        return NULL;
      case BOOLEAN:
        return BOOLEAN;
      case INT:
        return logical == null ? INT : OTHER;
      case LONG:
        if (logical == null) {
          return LONG;
        }
        return FastAvroCodec.TIMESTAMP_MILLIS.equals(logical.getName()) ? TIMESTAMP : OTHER;
      case FLOAT:
        return FLOAT;
      case DOUBLE:
        return DOUBLE;
      case STRING:
        return STRING; // plain, or uuid (writerFor refuses other logical types)
      case ENUM:
        return ENUM;
      default:
        return OTHER;
    }
  }

  @Override
  public void write(Object value, Encoder out) throws IOException {
    IndexedRecord r = (IndexedRecord) value;
    byte[] k = kinds;
    for (int i = 0; i < k.length; i++) {
      Object v = r.get(i);
      int nullBranch = nullIndex[i];
      if (nullBranch >= 0) {
        if (v == null) {
          out.writeIndex(nullBranch);
          out.writeNull();
          continue;
        }
        out.writeIndex(1 - nullBranch);
      }
      switch (k[i]) {
        case STRING:
          writeString(v, out);
          break;
        case LONG:
          out.writeLong((Long) v);
          break;
        case TIMESTAMP:
          out.writeLong(v instanceof Instant t ? t.toEpochMilli() : (Long) v);
          break;
        case INT:
          out.writeInt((Integer) v);
          break;
        case DOUBLE:
          out.writeDouble((Double) v);
          break;
        case FLOAT:
          out.writeFloat((Float) v);
          break;
        case BOOLEAN:
          out.writeBoolean((Boolean) v);
          break;
        case ENUM:
          out.writeEnum(enums[i].of(v));
          break;
        case NULL:
          out.writeNull();
          break;
        default:
          others[i].write(v, out);
      }
    }
  }

  private static void writeString(Object v, Encoder out) throws IOException {
    if (v instanceof String s) {
      out.writeString(s);
    } else if (v instanceof Utf8 u) {
      out.writeString(u);
    } else if (v instanceof UUID id && out instanceof BufferEncoder b) {
      b.writeUuid(id);
    } else {
      out.writeString(v.toString());
    }
  }
}
