package dev.frip.kafka.internal;

import java.io.IOException;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;

/**
 * Walks one Avro binary value against its writer schema without building it, so that Avro's own
 * reader only ever sees well-formed input: every length and item count is checked against the bytes
 * left before anything is allocated (Avro's reader allocates what a 10-byte record declares, up to
 * gigabytes), union branches and enum ordinals are in range, nesting is bounded, and no bytes are
 * left over.
 */
public final class AvroWireCheck {

  /** Deepest nesting of records, arrays, maps and unions accepted. */
  public static final int MAX_DEPTH = 1000;

  /** Most zero-byte items (e.g. nulls) all arrays and maps of one value may declare together. */
  public static final long MAX_EMPTY_ITEMS = 1 << 20;

  private final Schema schema;
  private final Map<Schema, Integer> minSizes = new IdentityHashMap<>();

  /** A checker for values written with {@code schema}; safe to share between threads. */
  public AvroWireCheck(Schema schema) {
    this.schema = schema;
    precompute(schema, java.util.Collections.newSetFromMap(new IdentityHashMap<>()));
  }

  // Every record's minimal size is computed here, so that check() only reads minSizes.
  private void precompute(Schema s, java.util.Set<Schema> seen) {
    if (!seen.add(s)) {
      return;
    }
    switch (s.getType()) {
      case RECORD:
        minSize(s);
        for (Schema.Field f : s.getFields()) {
          precompute(f.schema(), seen);
        }
        break;
      case ARRAY:
        precompute(s.getElementType(), seen);
        break;
      case MAP:
        precompute(s.getValueType(), seen);
        break;
      case UNION:
        for (Schema b : s.getTypes()) {
          precompute(b, seen);
        }
        break;
      default:
        break;
    }
  }

  /**
   * Checks that {@code in}'s bytes are exactly one value of the schema.
   *
   * @throws IOException naming what is wrong and where
   */
  public void check(BufferDecoder in) throws IOException {
    int start = in.remaining();
    walk(schema, in, 0, start, new long[1]);
    if (in.remaining() != 0) {
      throw new IOException(
          in.remaining()
              + " bytes left over after the value ("
              + (start - in.remaining())
              + " read)");
    }
  }

  private void walk(Schema s, BufferDecoder in, int depth, int start, long[] empty)
      throws IOException {
    switch (s.getType()) {
      case NULL:
        return;
      case BOOLEAN:
        in.readBoolean();
        return;
      case INT:
        in.readInt();
        return;
      case LONG:
        in.readLong();
        return;
      case FLOAT:
        in.readFloat();
        return;
      case DOUBLE:
        in.readDouble();
        return;
      case STRING:
      case BYTES:
        in.skipLengthPrefixed();
        return;
      case FIXED:
        in.skipFixed(s.getFixedSize());
        return;
      case ENUM:
        {
          int ordinal = in.readEnum();
          if (ordinal < 0 || ordinal >= s.getEnumSymbols().size()) {
            throw new IOException(
                "enum "
                    + s.getFullName()
                    + " ordinal "
                    + ordinal
                    + " at byte "
                    + (start - in.remaining())
                    + " is outside its "
                    + s.getEnumSymbols().size()
                    + " symbols");
          }
          return;
        }
      case UNION:
        {
          List<Schema> branches = s.getTypes();
          int at = start - in.remaining();
          int branch = in.readIndex();
          if (branch < 0 || branch >= branches.size()) {
            throw new IOException(
                "union index "
                    + branch
                    + " at byte "
                    + at
                    + " is outside its "
                    + branches.size()
                    + " branches");
          }
          walk(branches.get(branch), in, deeper(depth, s), start, empty);
          return;
        }
      case RECORD:
        for (Schema.Field f : s.getFields()) {
          walk(f.schema(), in, deeper(depth, s), start, empty);
        }
        return;
      case ARRAY:
      case MAP:
        {
          Schema item = s.getType() == Schema.Type.ARRAY ? s.getElementType() : s.getValueType();
          // A map item is a string key (at least its length byte) and the value.
          long itemMin = minSize(item) + (s.getType() == Schema.Type.MAP ? 1 : 0);
          int d = deeper(depth, s);
          for (long n = blockCount(in, s, itemMin, start, empty);
              n != 0;
              n = blockCount(in, s, itemMin, start, empty)) {
            for (long i = 0; i < n; i++) {
              if (s.getType() == Schema.Type.MAP) {
                in.skipLengthPrefixed();
              }
              walk(item, in, d, start, empty);
            }
          }
          return;
        }
      default:
        throw new IOException("unsupported Avro type " + s.getType());
    }
  }

  private static long blockCount(BufferDecoder in, Schema s, long itemMin, int start, long[] empty)
      throws IOException {
    int at = start - in.remaining();
    long n = in.readLong();
    if (n < 0) {
      if (n == Long.MIN_VALUE) {
        throw new IOException(what(s) + " block count at byte " + at + " is malformed");
      }
      long size = in.readLong();
      if (size < 0 || size > in.remaining()) {
        throw new IOException(
            what(s)
                + " block at byte "
                + at
                + " declares "
                + size
                + " bytes but "
                + in.remaining()
                + " remain");
      }
      n = -n;
    }
    if (itemMin == 0) {
      empty[0] += n; // items without bytes: bounded over the whole value, not per block
    }
    boolean tooMany = itemMin == 0 ? empty[0] > MAX_EMPTY_ITEMS : n > in.remaining() / itemMin;
    if (tooMany) {
      throw new IOException(
          what(s)
              + " block at byte "
              + at
              + " declares "
              + n
              + " items but only "
              + in.remaining()
              + " bytes remain");
    }
    return n;
  }

  private static String what(Schema s) {
    return s.getType() == Schema.Type.ARRAY ? "array" : "map";
  }

  private static int deeper(int depth, Schema s) throws IOException {
    if (depth >= MAX_DEPTH) {
      throw new IOException(
          "value nested deeper than " + MAX_DEPTH + " levels (in " + s.getType() + ")");
    }
    return depth + 1;
  }

  /** The fewest bytes a value of {@code s} takes (0 for a recursive record on its cycle). */
  private long minSize(Schema s) {
    switch (s.getType()) {
      case NULL:
        return 0;
      case FLOAT:
        return 4;
      case DOUBLE:
        return 8;
      case FIXED:
        return s.getFixedSize();
      case RECORD:
        {
          Integer known = minSizes.get(s);
          if (known != null) {
            return known;
          }
          minSizes.put(s, 0); // a cycle counts as 0: safe, it only lowers the bound
          long sum = 0;
          for (Schema.Field f : s.getFields()) {
            sum = Math.min(Integer.MAX_VALUE, sum + minSize(f.schema()));
          }
          minSizes.put(s, (int) sum);
          return sum;
        }
      default:
        return 1; // boolean, int, long, enum, string/bytes length, union index, block count
    }
  }
}
