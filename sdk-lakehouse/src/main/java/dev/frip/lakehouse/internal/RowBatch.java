package dev.frip.lakehouse.internal;

import io.delta.kernel.data.ArrayValue;
import io.delta.kernel.data.ColumnVector;
import io.delta.kernel.data.ColumnarBatch;
import io.delta.kernel.types.ArrayType;
import io.delta.kernel.types.BooleanType;
import io.delta.kernel.types.DataType;
import io.delta.kernel.types.DateType;
import io.delta.kernel.types.DoubleType;
import io.delta.kernel.types.FloatType;
import io.delta.kernel.types.IntegerType;
import io.delta.kernel.types.LongType;
import io.delta.kernel.types.StringType;
import io.delta.kernel.types.StructField;
import io.delta.kernel.types.StructType;
import io.delta.kernel.types.TimestampType;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;

/**
 * A Kernel {@link ColumnarBatch} over rows held as {@code Object[]} in table-schema order. Values
 * are stored in Kernel's physical form: timestamps as microseconds since the epoch (UTC) and dates
 * as days since the epoch, so the Parquet writer reads them without conversion.
 */
final class RowBatch implements ColumnarBatch {

  private final StructType schema;
  private final List<ColumnVector> columns;
  private final int size;

  private RowBatch(StructType schema, List<ColumnVector> columns, int size) {
    this.schema = schema;
    this.columns = columns;
    this.size = size;
  }

  /**
   * Builds a batch from rows whose values are Java domain values ({@link Instant}, {@link
   * LocalDate}, boxed primitives, strings). Fails naming the column when a value has the wrong
   * type.
   */
  static RowBatch of(StructType schema, List<Object[]> rows) {
    List<ColumnVector> cols = new ArrayList<>(schema.length());
    for (int c = 0; c < schema.length(); c++) {
      StructField f = schema.at(c);
      int kind = kindOf(f.getDataType());
      Object[] values = new Object[rows.size()];
      for (int r = 0; r < rows.size(); r++) {
        Object v = rows.get(r)[c];
        // Fast path: the value already has its physical type (strings, longs, doubles...).
        values[r] = v != null && v.getClass() == PHYSICAL[kind] ? v : toPhysical(f, v);
      }
      cols.add(new ObjectVector(f.getDataType(), values));
    }
    return new RowBatch(schema, cols, rows.size());
  }

  /** A batch of existing vectors (e.g. a {@link Columns} row range), one per schema field. */
  static RowBatch ofVectors(StructType schema, List<ColumnVector> columns, int size) {
    return new RowBatch(schema, columns, size);
  }

  /** The Java class of each kind's physical value, indexed by {@link #kindOf}. */
  private static final Class<?>[] PHYSICAL = {
    String.class,
    Long.class,
    Integer.class,
    Double.class,
    Float.class,
    Boolean.class,
    Long.class,
    Integer.class,
    Void.class,
    Void.class
  };

  private static int kindOf(DataType t) {
    if (t instanceof StringType) {
      return 0;
    } else if (t instanceof LongType) {
      return 1;
    } else if (t instanceof IntegerType) {
      return 2;
    } else if (t instanceof DoubleType) {
      return 3;
    } else if (t instanceof FloatType) {
      return 4;
    } else if (t instanceof BooleanType) {
      return 5;
    } else if (t instanceof TimestampType) {
      return 6;
    } else if (t instanceof DateType) {
      return 7;
    } else if (t instanceof ArrayType) {
      return 9;
    }
    return 8;
  }

  /** Converts a domain value to Kernel's physical representation for the field's type. */
  static Object toPhysical(StructField f, Object v) {
    if (v == null) {
      if (!f.isNullable()) {
        throw new IllegalArgumentException("column " + f.getName() + " is not nullable, got null");
      }
      return null;
    }
    DataType t = f.getDataType();
    if (t instanceof TimestampType) {
      if (v instanceof Instant i) {
        return Math.addExact(
            Math.multiplyExact(i.getEpochSecond(), 1_000_000L), i.getNano() / 1000);
      }
      if (v instanceof Long) {
        return v;
      }
    } else if (t instanceof DateType) {
      if (v instanceof LocalDate d) {
        return (int) d.toEpochDay();
      }
      if (v instanceof Integer) {
        return v;
      }
    } else if (t instanceof StringType) {
      if (v instanceof CharSequence || v instanceof Enum<?> || v instanceof java.util.UUID) {
        return v.toString();
      }
    } else if (t instanceof LongType) {
      if (v instanceof Long || v instanceof Integer) {
        return ((Number) v).longValue();
      }
    } else if (t instanceof IntegerType) {
      if (v instanceof Integer) {
        return v;
      }
    } else if (t instanceof DoubleType) {
      if (v instanceof Number n) {
        return n.doubleValue();
      }
    } else if (t instanceof FloatType) {
      if (v instanceof Float || v instanceof Double) {
        return ((Number) v).floatValue();
      }
    } else if (t instanceof BooleanType) {
      if (v instanceof Boolean) {
        return v;
      }
    } else if (t instanceof ArrayType a && a.getElementType() instanceof StringType) {
      if (v instanceof List<?> items) {
        List<String> out = new ArrayList<>(items.size());
        for (Object o : items) {
          if (o == null) {
            throw new IllegalArgumentException("column " + f.getName() + " holds a null element");
          }
          out.add(o.toString());
        }
        return out;
      }
    }
    throw new IllegalArgumentException(
        "column "
            + f.getName()
            + " has type "
            + t
            + ", cannot store a "
            + v.getClass().getSimpleName()
            + " ("
            + v
            + ")");
  }

  @Override
  public StructType getSchema() {
    return schema;
  }

  @Override
  public ColumnVector getColumnVector(int ordinal) {
    return columns.get(ordinal);
  }

  @Override
  public int getSize() {
    return size;
  }

  @Override
  public ColumnarBatch withDeletedColumnAt(int ordinal) {
    List<StructField> fields = new ArrayList<>(schema.fields());
    fields.remove(ordinal);
    List<ColumnVector> cols = new ArrayList<>(columns);
    cols.remove(ordinal);
    return new RowBatch(new StructType(fields), cols, size);
  }

  @Override
  public ColumnarBatch withNewColumn(int ordinal, StructField field, ColumnVector vector) {
    List<StructField> fields = new ArrayList<>(schema.fields());
    fields.add(ordinal, field);
    List<ColumnVector> cols = new ArrayList<>(columns);
    cols.add(ordinal, vector);
    return new RowBatch(new StructType(fields), cols, size);
  }

  @Override
  public ColumnarBatch withNewSchema(StructType newSchema) {
    return new RowBatch(newSchema, columns, size);
  }

  /** A column of physical values; primitives are boxed, which is fine at bronze batch sizes. */
  static final class ObjectVector implements ColumnVector {
    private final DataType type;
    private final Object[] values;

    ObjectVector(DataType type, Object[] values) {
      this.type = type;
      this.values = values;
    }

    @Override
    public DataType getDataType() {
      return type;
    }

    @Override
    public int getSize() {
      return values.length;
    }

    @Override
    public void close() {}

    @Override
    public boolean isNullAt(int rowId) {
      return values[rowId] == null;
    }

    @Override
    public boolean getBoolean(int rowId) {
      return (Boolean) values[rowId];
    }

    @Override
    public int getInt(int rowId) {
      return (Integer) values[rowId];
    }

    @Override
    public long getLong(int rowId) {
      return (Long) values[rowId];
    }

    @Override
    public float getFloat(int rowId) {
      return (Float) values[rowId];
    }

    @Override
    public double getDouble(int rowId) {
      return (Double) values[rowId];
    }

    @Override
    public String getString(int rowId) {
      return (String) values[rowId];
    }

    @Override
    public ArrayValue getArray(int rowId) {
      List<?> items = (List<?>) values[rowId];
      ObjectVector elements =
          new ObjectVector(((ArrayType) type).getElementType(), items.toArray());
      return new ArrayValue() {
        @Override
        public int getSize() {
          return items.size();
        }

        @Override
        public ColumnVector getElements() {
          return elements;
        }
      };
    }
  }
}
