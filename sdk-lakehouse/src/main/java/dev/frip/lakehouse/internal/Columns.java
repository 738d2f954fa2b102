package dev.frip.lakehouse.internal;

import io.delta.kernel.data.ColumnVector;
import io.delta.kernel.data.ColumnarBatch;
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
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Rows of one table held column by column in primitive arrays: the in-memory form of a large
 * partition (a day of payments, silver), so it costs one array per column instead of an object per
 * value. Values are in Kernel's physical form: timestamps as microseconds since the epoch (UTC),
 * dates as days since the epoch, floats widened to doubles. {@link #batch} hands a row range to
 * Kernel's Parquet writer without copying or boxing; {@link #value} returns the Java domain value
 * ({@link Instant}, {@link LocalDate}, boxed numbers) for quality checks and quarantine rows.
 *
 * <p>Rows are appended (from Kernel column vectors or by setters after {@link #allocate}); a
 * column's null flags are only allocated once it holds a null.
 */
public final class Columns {

  private static final int STRING = 0;
  private static final int LONG = 1;
  private static final int INT = 2;
  private static final int DOUBLE = 3;
  private static final int BOOLEAN = 4;

  private final StructType schema;
  private final int[] kinds;
  private final Object[] data;
  private final boolean[][] nulls;
  private final Map<String, String>[] sharedStrings;
  private int size;

  /** Distinct values up to which a string column shares one copy per value on append. */
  private static final int SHARED_STRINGS = 1 << 16;

  private Columns(StructType schema, int capacity) {
    this.schema = schema;
    int n = schema.length();
    this.kinds = new int[n];
    this.data = new Object[n];
    this.nulls = new boolean[n][];
    @SuppressWarnings("unchecked")
    Map<String, String>[] shared = new Map[n];
    this.sharedStrings = shared;
    for (int c = 0; c < n; c++) {
      kinds[c] = kindOf(schema.at(c));
      data[c] = newArray(kinds[c], capacity);
      if (kinds[c] == STRING) {
        sharedStrings[c] = new HashMap<>();
      }
    }
  }

  /** An empty table with room for {@code capacity} rows (it grows as rows are appended). */
  public static Columns empty(StructType schema, int capacity) {
    return new Columns(schema, Math.max(capacity, 16));
  }

  /** A table of {@code size} rows, every value zero, false or null until set. */
  public static Columns allocate(StructType schema, int size) {
    Columns t = new Columns(schema, size);
    t.size = size;
    return t;
  }

  /** The rows of {@code parts}, all of {@code schema}, one after the other. */
  public static Columns concat(StructType schema, List<Columns> parts) {
    if (parts.size() == 1 && parts.get(0).schema.equals(schema)) {
      return parts.get(0);
    }
    int total = 0;
    for (Columns p : parts) {
      if (!p.schema.equals(schema)) {
        throw new IllegalArgumentException("part has schema " + p.schema + ", expected " + schema);
      }
      total = Math.addExact(total, p.size);
    }
    Columns out = allocate(schema, total);
    int at = 0;
    for (Columns p : parts) {
      for (int c = 0; c < out.data.length; c++) {
        System.arraycopy(p.data[c], 0, out.data[c], at, p.size);
        if (p.nulls[c] != null) {
          if (out.nulls[c] == null) {
            out.nulls[c] = new boolean[total];
          }
          System.arraycopy(p.nulls[c], 0, out.nulls[c], at, p.size);
        }
      }
      at += p.size;
    }
    return out;
  }

  /** The schema. */
  public StructType schema() {
    return schema;
  }

  /** Number of rows. */
  public int size() {
    return size;
  }

  /** Column names in order. */
  public List<String> columnNames() {
    return schema.fieldNames();
  }

  /**
   * Appends the selected rows of a batch of Kernel vectors, one per column of the schema in order.
   *
   * @param selection selection vector ({@code false} or null drops the row), or null for all rows
   */
  public void append(ColumnVector[] vectors, int rows, ColumnVector selection) {
    int[] take = new int[rows];
    int n = 0;
    for (int r = 0; r < rows; r++) {
      if (selection == null || (!selection.isNullAt(r) && selection.getBoolean(r))) {
        take[n++] = r;
      }
    }
    ensureCapacity(size + n);
    for (int c = 0; c < data.length; c++) {
      ColumnVector v = vectors[c];
      for (int i = 0; i < n; i++) {
        int r = take[i];
        int at = size + i;
        if (v.isNullAt(r)) {
          setNull(at, c);
          continue;
        }
        switch (kinds[c]) {
          case STRING -> ((String[]) data[c])[at] = shared(c, v.getString(r));
          case LONG -> ((long[]) data[c])[at] = v.getLong(r);
          case INT -> ((int[]) data[c])[at] = v.getInt(r);
          case DOUBLE ->
              ((double[]) data[c])[at] =
                  schema.at(c).getDataType() instanceof FloatType ? v.getFloat(r) : v.getDouble(r);
          default -> ((boolean[]) data[c])[at] = v.getBoolean(r);
        }
      }
    }
    size += n;
  }

  /**
   * The one copy of a repeated string of column {@code col}, so a low-cardinality column (a
   * currency, a status, a merchant) holds a few strings rather than one per row. A column that
   * turns out to have more than {@value #SHARED_STRINGS} distinct values stops sharing.
   */
  private String shared(int col, String v) {
    Map<String, String> m = sharedStrings[col];
    if (m == null) {
      return v;
    }
    String s = m.putIfAbsent(v, v);
    if (s != null) {
      return s;
    }
    if (m.size() > SHARED_STRINGS) {
      sharedStrings[col] = null;
    }
    return v;
  }

  /**
   * Replaces the strings of each column that has a pool in {@code pools} (one per column, null for
   * none) by the pool's instance.
   */
  void intern(StringPool[] pools) {
    for (int c = 0; c < data.length; c++) {
      if (pools[c] != null && kinds[c] == STRING) {
        String[] s = (String[]) data[c];
        for (int r = 0; r < size; r++) {
          s[r] = pools[c].intern(s[r]);
        }
      }
    }
  }

  /**
   * Keeps the first {@code rows} rows and drops the others (the arrays keep their length), e.g.
   * after filling fewer rows than {@link #allocate}d.
   *
   * @throws IllegalArgumentException when {@code rows} is negative or more than the size
   */
  public void truncate(int rows) {
    if (rows < 0 || rows > size) {
      throw new IllegalArgumentException("cannot truncate " + size + " rows to " + rows);
    }
    for (int c = 0; c < data.length; c++) {
      if (kinds[c] == STRING) {
        Arrays.fill((String[]) data[c], rows, size, null);
      }
      if (nulls[c] != null) {
        Arrays.fill(nulls[c], rows, size, false);
      }
    }
    size = rows;
  }

  /** True when the value is null. */
  public boolean isNull(int row, int col) {
    boolean[] f = nulls[col];
    return f != null && f[row];
  }

  public String getString(int row, int col) {
    return ((String[]) data[col])[row];
  }

  /** A long, or a timestamp in microseconds since the epoch. */
  public long getLong(int row, int col) {
    return ((long[]) data[col])[row];
  }

  /** An int, or a date in days since the epoch. */
  public int getInt(int row, int col) {
    return ((int[]) data[col])[row];
  }

  public double getDouble(int row, int col) {
    return ((double[]) data[col])[row];
  }

  public boolean getBoolean(int row, int col) {
    return ((boolean[]) data[col])[row];
  }

  /**
   * Allocates column {@code col}'s null flags now if it has none, so that threads setting values of
   * different rows, some null, do not race to allocate them.
   */
  void prepareNulls(int col) {
    if (nulls[col] == null) {
      nulls[col] = new boolean[Math.max(capacity(), size)];
    }
  }

  public void setNull(int row, int col) {
    if (nulls[col] == null) {
      nulls[col] = new boolean[Math.max(capacity(), row + 1)];
    }
    nulls[col][row] = true;
    if (kinds[col] == STRING) {
      ((String[]) data[col])[row] = null;
    }
  }

  public void setString(int row, int col, String v) {
    ((String[]) data[col])[row] = v;
    if (v == null) {
      setNull(row, col);
    }
  }

  public void setLong(int row, int col, long v) {
    ((long[]) data[col])[row] = v;
  }

  public void setInt(int row, int col, int v) {
    ((int[]) data[col])[row] = v;
  }

  public void setDouble(int row, int col, double v) {
    ((double[]) data[col])[row] = v;
  }

  public void setBoolean(int row, int col, boolean v) {
    ((boolean[]) data[col])[row] = v;
  }

  /**
   * Sets a Java domain value ({@link Instant} for timestamps, {@link LocalDate} for dates, boxed
   * numbers, strings), or null.
   */
  public void set(int row, int col, Object v) {
    if (v == null) {
      setNull(row, col);
      return;
    }
    Object p = RowBatch.toPhysical(schema.at(col), v);
    switch (kinds[col]) {
      case STRING -> setString(row, col, (String) p);
      case LONG -> setLong(row, col, (Long) p);
      case INT -> setInt(row, col, (Integer) p);
      case DOUBLE -> setDouble(row, col, ((Number) p).doubleValue());
      default -> setBoolean(row, col, (Boolean) p);
    }
  }

  /** The value as a Java domain value, as {@link DeltaTable} readers return it. */
  public Object value(int row, int col) {
    if (isNull(row, col)) {
      return null;
    }
    DataType t = schema.at(col).getDataType();
    return switch (kinds[col]) {
      case STRING -> getString(row, col);
      case LONG ->
          t instanceof TimestampType ? instant(getLong(row, col)) : (Object) getLong(row, col);
      case INT ->
          t instanceof DateType
              ? LocalDate.ofEpochDay(getInt(row, col))
              : (Object) getInt(row, col);
      case DOUBLE ->
          t instanceof FloatType ? (Object) (float) getDouble(row, col) : getDouble(row, col);
      default -> getBoolean(row, col);
    };
  }

  /** One row as domain values in column order. */
  public Object[] row(int row) {
    Object[] r = new Object[data.length];
    for (int c = 0; c < r.length; c++) {
      r[c] = value(row, c);
    }
    return r;
  }

  /**
   * Copies {@code src}'s column {@code srcCol} rows {@code rows[i]} into this column's rows i; a
   * negative {@code rows[i]} sets row i to null.
   */
  public void gather(int col, Columns src, int srcCol, int[] rows) {
    if (kinds[col] != src.kinds[srcCol]) {
      throw new IllegalArgumentException(
          "column "
              + schema.at(col).getName()
              + " cannot take values of "
              + src.schema.at(srcCol).getName());
    }
    Object from = src.data[srcCol];
    Object to = data[col];
    boolean missing = false;
    switch (kinds[col]) {
      case STRING -> {
        String[] f = (String[]) from;
        String[] t = (String[]) to;
        for (int i = 0; i < rows.length; i++) {
          int r = rows[i];
          missing |= r < 0;
          t[i] = r < 0 ? null : f[r];
        }
      }
      case LONG -> {
        long[] f = (long[]) from;
        long[] t = (long[]) to;
        for (int i = 0; i < rows.length; i++) {
          int r = rows[i];
          missing |= r < 0;
          t[i] = r < 0 ? 0 : f[r];
        }
      }
      case INT -> {
        int[] f = (int[]) from;
        int[] t = (int[]) to;
        for (int i = 0; i < rows.length; i++) {
          int r = rows[i];
          missing |= r < 0;
          t[i] = r < 0 ? 0 : f[r];
        }
      }
      case DOUBLE -> {
        double[] f = (double[]) from;
        double[] t = (double[]) to;
        for (int i = 0; i < rows.length; i++) {
          int r = rows[i];
          missing |= r < 0;
          t[i] = r < 0 ? 0 : f[r];
        }
      }
      default -> {
        boolean[] f = (boolean[]) from;
        boolean[] t = (boolean[]) to;
        for (int i = 0; i < rows.length; i++) {
          int r = rows[i];
          missing |= r < 0;
          t[i] = r >= 0 && f[r];
        }
      }
    }
    boolean[] fn = src.nulls[srcCol];
    if (fn != null || missing) {
      for (int i = 0; i < rows.length; i++) {
        int r = rows[i];
        if (r < 0 || (fn != null && fn[r])) {
          setNull(i, col);
        }
      }
    }
  }

  /** A new table of the rows {@code rows} of this one, in that order. */
  public Columns select(int[] rows) {
    Columns out = allocate(schema, rows.length);
    for (int c = 0; c < data.length; c++) {
      out.gather(c, this, c, rows);
    }
    return out;
  }

  /**
   * Rows {@code [from, to)} as a Kernel batch over these arrays (no copy).
   *
   * @throws IllegalArgumentException naming the column when a non-nullable column holds a null
   */
  public ColumnarBatch batch(int from, int to) {
    requireNonNullable(from, to);
    List<ColumnVector> vectors = new ArrayList<>(data.length);
    for (int c = 0; c < data.length; c++) {
      vectors.add(new Vector(c, from, to - from));
    }
    return RowBatch.ofVectors(schema, vectors, to - from);
  }

  /**
   * Checks that no non-nullable column holds a null in rows {@code [from, to)}.
   *
   * @throws IllegalArgumentException naming the column otherwise
   */
  void requireNonNullable(int from, int to) {
    for (int c = 0; c < data.length; c++) {
      StructField f = schema.at(c);
      if (!f.isNullable()) {
        for (int r = from; r < to; r++) {
          if (isNull(r, c)) {
            throw new IllegalArgumentException(
                "column " + f.getName() + " is not nullable, got null");
          }
        }
      }
    }
  }

  /**
   * The array holding column {@code col} ({@code String[]}, {@code long[]}, {@code int[]}, {@code
   * double[]} or {@code boolean[]}, at least {@link #size} long), for writers that read it in
   * place.
   */
  Object data(int col) {
    return data[col];
  }

  /** The null flags of column {@code col}, or null when it holds no null. */
  boolean[] nulls(int col) {
    return nulls[col];
  }

  private static Instant instant(long micros) {
    return Instant.ofEpochSecond(
        Math.floorDiv(micros, 1_000_000L), Math.floorMod(micros, 1_000_000L) * 1000);
  }

  private int capacity() {
    return kinds.length == 0 ? size : java.lang.reflect.Array.getLength(data[0]);
  }

  private void ensureCapacity(int want) {
    int cap = capacity();
    if (want <= cap) {
      return;
    }
    int grown = (int) Math.min(Integer.MAX_VALUE - 8, Math.max(want, cap * 2L));
    for (int c = 0; c < data.length; c++) {
      data[c] = copyOf(data[c], grown);
      if (nulls[c] != null) {
        nulls[c] = Arrays.copyOf(nulls[c], grown);
      }
    }
  }

  private static Object copyOf(Object a, int n) {
    if (a instanceof String[] s) {
      return Arrays.copyOf(s, n);
    } else if (a instanceof long[] l) {
      return Arrays.copyOf(l, n);
    } else if (a instanceof int[] i) {
      return Arrays.copyOf(i, n);
    } else if (a instanceof double[] d) {
      return Arrays.copyOf(d, n);
    }
    return Arrays.copyOf((boolean[]) a, n);
  }

  private static Object newArray(int kind, int n) {
    return switch (kind) {
      case STRING -> new String[n];
      case LONG -> new long[n];
      case INT -> new int[n];
      case DOUBLE -> new double[n];
      default -> new boolean[n];
    };
  }

  private static int kindOf(StructField f) {
    DataType t = f.getDataType();
    if (t instanceof StringType) {
      return STRING;
    } else if (t instanceof LongType || t instanceof TimestampType) {
      return LONG;
    } else if (t instanceof IntegerType || t instanceof DateType) {
      return INT;
    } else if (t instanceof DoubleType || t instanceof FloatType) {
      return DOUBLE;
    } else if (t instanceof BooleanType) {
      return BOOLEAN;
    }
    throw new IllegalArgumentException(
        "column " + f.getName() + " has type " + t + ", which columnar tables do not hold");
  }

  /** A Kernel view of rows {@code [offset, offset + length)} of one column. */
  private final class Vector implements ColumnVector {
    private final int col;
    private final int offset;
    private final int length;

    Vector(int col, int offset, int length) {
      this.col = col;
      this.offset = offset;
      this.length = length;
    }

    @Override
    public DataType getDataType() {
      return schema.at(col).getDataType();
    }

    @Override
    public int getSize() {
      return length;
    }

    @Override
    public void close() {}

    @Override
    public boolean isNullAt(int rowId) {
      return isNull(offset + rowId, col);
    }

    @Override
    public boolean getBoolean(int rowId) {
      return Columns.this.getBoolean(offset + rowId, col);
    }

    @Override
    public int getInt(int rowId) {
      return Columns.this.getInt(offset + rowId, col);
    }

    @Override
    public long getLong(int rowId) {
      return Columns.this.getLong(offset + rowId, col);
    }

    @Override
    public float getFloat(int rowId) {
      return (float) Columns.this.getDouble(offset + rowId, col);
    }

    @Override
    public double getDouble(int rowId) {
      return Columns.this.getDouble(offset + rowId, col);
    }

    @Override
    public String getString(int rowId) {
      return Columns.this.getString(offset + rowId, col);
    }
  }
}
