package dev.frip.kafka.internal;

import java.io.IOException;
import java.lang.invoke.LambdaMetafactory;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.invoke.VarHandle;
import java.lang.reflect.Modifier;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.Collection;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Supplier;
import org.apache.avro.Conversion;
import org.apache.avro.LogicalType;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.IndexedRecord;
import org.apache.avro.io.Encoder;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.util.Utf8;

/**
 * A precompiled Avro binary codec for the record shapes FRIP uses (primitives, strings with the
 * uuid logical type, longs with timestamp-millis, enums, nullable unions, arrays, nested records).
 * The generated event classes carry logical types, so Avro gives them no custom coders and walks
 * the schema reflectively for every record; this plan does the walk once. It writes exactly the
 * bytes Avro writes and reads only when the writer's schema equals the reader's (no resolution).
 * For any other shape {@link #writer} and {@link #reader} return null and the serde uses Avro's own
 * datum writers and readers.
 *
 * <p>The event classes of sdk-core also have a codec generated at build time ({@code
 * GeneratedCodecs}, written by {@code src/codegen}): it reads and writes their fields through the
 * typed getters and the fields, without {@code get(int)}/{@code put(int, Object)}, boxing or a
 * per-field switch. {@link #writer} and {@link #reader} return it when the schema is the class's
 * own; generic records and other classes keep the plan above.
 */
public final class FastAvroCodec {

  /** Writes one value. */
  @FunctionalInterface
  public interface ValueWriter {
    /** Writes the value in Avro binary. */
    void write(Object value, Encoder out) throws IOException;
  }

  /** Reads one value. */
  @FunctionalInterface
  public interface ValueReader {
    /** Reads a value in Avro binary. */
    Object read(BufferDecoder in) throws IOException;
  }

  static final String UUID_TYPE = "uuid";
  static final String TIMESTAMP_MILLIS = "timestamp-millis";

  /**
   * Whether the serde uses this codec; {@code -Dfrip.avro.fastCodec=false} falls back to Avro's
   * datum writers and readers everywhere (for comparison or if a shape misbehaves).
   */
  public static final boolean ENABLED =
      !"false".equalsIgnoreCase(System.getProperty("frip.avro.fastCodec"));

  private FastAvroCodec() {}

  /**
   * A writer for records of this schema, or null when the fast path does not cover it. For the
   * schema of an event class the build generated a codec for, records of that class are written by
   * the generated codec, anything else by the general plan.
   */
  public static ValueWriter writer(Schema schema) {
    if (!ENABLED) {
      return null;
    }
    ValueWriter general = writerFor(schema, new IdentityHashMap<>());
    if (general == null) {
      return null;
    }
    ValueWriter generated = GeneratedCodecs.writer(schema, general);
    return generated != null ? generated : general;
  }

  /**
   * A reader producing the model's records (generated classes for a SpecificData model, generic
   * records for GenericData), or null when the fast path does not cover the schema or the model
   * converts a logical type it does not know. Generated classes the build made a codec for are read
   * by that codec.
   */
  public static ValueReader reader(Schema schema, GenericData model) {
    if (!ENABLED) {
      return null;
    }
    ValueReader generated = GeneratedCodecs.reader(schema, model);
    return generated != null ? generated : readerFor(schema, model, new IdentityHashMap<>());
  }

  /**
   * A handle on a generated class's private field, for a generated reader: the class and the codecs
   * are both on the application's class path (or the class in an automatic module, which opens its
   * packages).
   *
   * @throws IllegalStateException if the field is not there or not accessible
   */
  static VarHandle field(Class<?> type, String name, Class<?> fieldType) {
    try {
      return MethodHandles.privateLookupIn(type, MethodHandles.lookup())
          .findVarHandle(type, name, fieldType);
    } catch (ReflectiveOperationException | RuntimeException e) {
      throw new IllegalStateException("no access to " + type.getName() + "." + name, e);
    }
  }

  /**
   * The reader {@code make} makes, or null if it cannot be made (a generated reader whose class
   * fails to initialize because a field is not accessible): the caller then uses the plan.
   */
  static ValueReader orNull(Supplier<ValueReader> make) {
    try {
      return make.get();
    } catch (LinkageError | RuntimeException e) {
      return null;
    }
  }

  /**
   * The exception for a record whose writing failed with {@code e}: if a field whose schema does
   * not allow null is null, one naming the record and that field, else {@code e} itself.
   */
  static NullPointerException nullField(IndexedRecord r, NullPointerException e) {
    for (Schema.Field f : r.getSchema().getFields()) {
      if (r.get(f.pos()) == null && !f.schema().isNullable()) {
        NullPointerException named =
            new NullPointerException(
                "null value for (non-nullable) field "
                    + f.name()
                    + " of "
                    + r.getSchema().getFullName());
        named.initCause(e);
        return named;
      }
    }
    return e;
  }

  static ValueWriter writerFor(Schema s, Map<Schema, Boolean> seen) {
    LogicalType logical = s.getLogicalType();
    switch (s.getType()) {
      case NULL:
        return (v, out) -> out.writeNull();
      case BOOLEAN:
        return (v, out) -> out.writeBoolean((Boolean) v);
      case INT:
        return logical != null ? null : (v, out) -> out.writeInt((Integer) v);
      case LONG:
        if (logical == null) {
          return (v, out) -> out.writeLong((Long) v);
        }
        if (TIMESTAMP_MILLIS.equals(logical.getName())) {
          return (v, out) -> out.writeLong(v instanceof Instant i ? i.toEpochMilli() : (Long) v);
        }
        return null;
      case FLOAT:
        return (v, out) -> out.writeFloat((Float) v);
      case DOUBLE:
        return (v, out) -> out.writeDouble((Double) v);
      case STRING:
        if (logical != null && !UUID_TYPE.equals(logical.getName())) {
          return null;
        }
        return (v, out) -> {
          if (v instanceof Utf8 u) {
            out.writeString(u);
          } else if (v instanceof UUID id && out instanceof BufferEncoder b) {
            b.writeUuid(id);
          } else {
            out.writeString(v.toString());
          }
        };
      case BYTES:
        return logical != null ? null : (v, out) -> out.writeBytes(((ByteBuffer) v).duplicate());
      case ENUM:
        EnumOrdinals ordinals = new EnumOrdinals(s);
        return (v, out) -> out.writeEnum(ordinals.of(v));
      case UNION:
        return unionWriter(s, seen);
      case ARRAY:
        ValueWriter item = writerFor(s.getElementType(), seen);
        if (item == null) {
          return null;
        }
        return (v, out) -> {
          Collection<?> c = (Collection<?>) v;
          out.writeArrayStart();
          out.setItemCount(c.size());
          for (Object o : c) {
            out.startItem();
            item.write(o, out);
          }
          out.writeArrayEnd();
        };
      case RECORD:
        return RecordWriter.of(s, seen);
      default:
        return null;
    }
  }

  /**
   * The index of the null branch of a two-branch union with a null branch, else -1 (also for a
   * schema that is no union).
   */
  static int nullBranch(Schema s) {
    if (s.getType() != Schema.Type.UNION || s.getTypes().size() != 2) {
      return -1;
    }
    List<Schema> branches = s.getTypes();
    if (branches.get(0).getType() == Schema.Type.NULL) {
      return 0;
    }
    return branches.get(1).getType() == Schema.Type.NULL ? 1 : -1;
  }

  private static ValueWriter unionWriter(Schema s, Map<Schema, Boolean> seen) {
    List<Schema> branches = s.getTypes();
    if (branches.size() != 2) {
      return null;
    }
    int nullIndex = branches.get(0).getType() == Schema.Type.NULL ? 0 : 1;
    int valueIndex = 1 - nullIndex;
    if (branches.get(nullIndex).getType() != Schema.Type.NULL) {
      return null;
    }
    ValueWriter value = writerFor(branches.get(valueIndex), seen);
    if (value == null) {
      return null;
    }
    return (v, out) -> {
      if (v == null) {
        out.writeIndex(nullIndex);
        out.writeNull();
      } else {
        out.writeIndex(valueIndex);
        value.write(v, out);
      }
    };
  }

  static ValueReader readerFor(Schema s, GenericData model, Map<Schema, Boolean> seen) {
    LogicalType logical = s.getLogicalType();
    Conversion<?> conversion = logical == null ? null : model.getConversionFor(logical);
    switch (s.getType()) {
      case NULL:
        return in -> {
          in.readNull();
          return null;
        };
      case BOOLEAN:
        return in -> in.readBoolean();
      case INT:
        return logical != null ? null : in -> in.readInt();
      case LONG:
        if (logical == null) {
          return in -> in.readLong();
        }
        if (TIMESTAMP_MILLIS.equals(logical.getName())) {
          if (conversion == null) {
            return in -> in.readLong();
          }
          return conversion.getConvertedType() == Instant.class
              ? in -> Instant.ofEpochMilli(in.readLong())
              : null;
        }
        return null;
      case FLOAT:
        return in -> in.readFloat();
      case DOUBLE:
        return in -> in.readDouble();
      case STRING:
        boolean javaString = "String".equals(s.getProp(GenericData.STRING_PROP));
        if (logical != null) {
          if (!UUID_TYPE.equals(logical.getName())) {
            return null;
          }
          if (conversion != null) {
            return conversion.getConvertedType() == UUID.class ? in -> in.readUuid() : null;
          }
        }
        return javaString ? in -> in.readString() : in -> in.readUtf8();
      case BYTES:
        return logical != null ? null : in -> in.readBytes();
      case ENUM:
        List<String> symbols = s.getEnumSymbols();
        Object[] values = new Object[symbols.size()];
        for (int i = 0; i < values.length; i++) {
          values[i] = model.createEnum(symbols.get(i), s);
        }
        return in -> values[in.readEnum()];
      case UNION:
        List<Schema> branches = s.getTypes();
        if (branches.size() != 2) {
          return null;
        }
        int nullIndex = branches.get(0).getType() == Schema.Type.NULL ? 0 : 1;
        if (branches.get(nullIndex).getType() != Schema.Type.NULL) {
          return null;
        }
        ValueReader value = readerFor(branches.get(1 - nullIndex), model, seen);
        if (value == null) {
          return null;
        }
        return in -> in.readUnionIsNull(nullIndex) ? null : value.read(in);
      case ARRAY:
        ValueReader item = readerFor(s.getElementType(), model, seen);
        if (item == null) {
          return null;
        }
        return in -> {
          long n = in.readArrayStart();
          GenericData.Array<Object> list = new GenericData.Array<>((int) Math.min(n, 1024), s);
          for (; n != 0; n = in.arrayNext()) {
            for (long i = 0; i < n; i++) {
              list.add(item.read(in));
            }
          }
          return list;
        };
      case RECORD:
        return logical != null ? null : RecordReader.of(s, model, seen);
      default:
        return null;
    }
  }

  /**
   * Makes new records of the schema as {@code model.newRecord(null, schema)} does; for a generated
   * class with a public no-argument constructor it calls that constructor directly instead of by
   * reflection on every record.
   */
  static Supplier<Object> constructor(GenericData model, Schema s) {
    Supplier<Object> generic = () -> model.newRecord(null, s);
    if (!(model instanceof SpecificData specific)) {
      return generic;
    }
    Class<?> type = specific.getClass(s);
    if (type == null
        || SpecificData.SchemaConstructable.class.isAssignableFrom(type)
        || !Modifier.isPublic(type.getModifiers())) {
      return generic;
    }
    try {
      // The generated lambda links to the class by name from this class's loader.
      if (Class.forName(type.getName(), false, FastAvroCodec.class.getClassLoader()) != type) {
        return generic;
      }
      MethodHandles.Lookup lookup = MethodHandles.lookup();
      MethodHandle ctor = lookup.findConstructor(type, MethodType.methodType(void.class));
      @SuppressWarnings("unchecked")
      Supplier<Object> direct =
          (Supplier<Object>)
              LambdaMetafactory.metafactory(
                      lookup,
                      "get",
                      MethodType.methodType(Supplier.class),
                      MethodType.methodType(Object.class),
                      ctor,
                      MethodType.methodType(type))
                  .getTarget()
                  .invoke();
      return type.isInstance(direct.get()) ? direct : generic;
    } catch (Throwable e) {
      return generic;
    }
  }

  /**
   * Enum symbol to ordinal in the schema. Generated enums map by their Java ordinal through a table
   * built once per enum class (by symbol name, so it matches {@code getEnumOrdinal} even if the
   * class declares its constants in another order); any other value is looked up by name.
   */
  static final class EnumOrdinals {
    private final Schema schema;
    // Immutable once published: a racy read sees either null or a complete table.
    private volatile ClassTable table;

    private record ClassTable(Class<?> type, int[] ordinals) {}

    EnumOrdinals(Schema schema) {
      this.schema = schema;
    }

    int of(Object v) {
      if (v instanceof Enum<?> e) {
        ClassTable t = table;
        Class<?> type = e.getDeclaringClass();
        if (t == null || t.type != type) {
          t = new ClassTable(type, tableFor(type));
          table = t;
        }
        int ordinal = t.ordinals[e.ordinal()];
        if (ordinal >= 0) {
          return ordinal;
        }
      }
      return schema.getEnumOrdinal(v.toString());
    }

    private int[] tableFor(Class<?> type) {
      Object[] constants = type.getEnumConstants();
      int[] ordinals = new int[constants.length];
      for (int i = 0; i < constants.length; i++) {
        String name = constants[i].toString();
        ordinals[i] = schema.hasEnumSymbol(name) ? schema.getEnumOrdinal(name) : -1;
      }
      return ordinals;
    }
  }
}
