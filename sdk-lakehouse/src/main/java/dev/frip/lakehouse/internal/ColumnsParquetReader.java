package dev.frip.lakehouse.internal;

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
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.parquet.column.ColumnDescriptor;
import org.apache.parquet.column.ColumnReader;
import org.apache.parquet.column.impl.ColumnReadStoreImpl;
import org.apache.parquet.column.page.PageReadStore;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.hadoop.util.HadoopInputFile;
import org.apache.parquet.io.api.Binary;
import org.apache.parquet.io.api.Converter;
import org.apache.parquet.io.api.GroupConverter;
import org.apache.parquet.io.api.PrimitiveConverter;
import org.apache.parquet.schema.LogicalTypeAnnotation;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.PrimitiveType;
import org.apache.parquet.schema.PrimitiveType.PrimitiveTypeName;
import org.apache.parquet.schema.Type;

/**
 * Reads one Parquet data file of a flat Delta table straight into a {@link Columns} table, column
 * by column, with parquet-mr's column readers: no record assembly and no Kernel column vectors in
 * between. Partition columns (absent from the file) take the file's partition value. Repeated
 * strings of a column share one {@code String} (decoded once), as {@link Columns#append} shares
 * them; a column given a {@link StringPool} takes its strings from the pool instead, without limit.
 *
 * <p>Only files whose columns have exactly the physical types Kernel's writer gives the read types
 * are read this way; {@link #read} returns empty for any other file, and the caller reads it with
 * Kernel instead.
 */
final class ColumnsParquetReader {

  /** Distinct values up to which a string column shares one copy per value. */
  private static final int SHARED_STRINGS = 1 << 16;

  private final Configuration conf;

  ColumnsParquetReader(Configuration conf) {
    this.conf = conf;
  }

  /**
   * Reads all rows of the file at {@code path}, projected to {@code readSchema}; columns named in
   * {@code partitionValues} (serialized dates, or null) are filled from there. Empty when a column
   * is missing from the file or stored with another physical type.
   *
   * @param pools per read column, the pool its strings come from, or null (the array too)
   */
  Optional<Columns> read(
      String path, StructType readSchema, Map<String, String> partitionValues, StringPool[] pools) {
    try (ParquetFileReader r =
        ParquetFileReader.open(HadoopInputFile.fromPath(new Path(path), conf))) {
      MessageType fileSchema = r.getFooter().getFileMetaData().getSchema();
      int n = readSchema.length();
      List<Type> projected = new ArrayList<>();
      int[] fileColumn = new int[n];
      for (int c = 0; c < n; c++) {
        StructField f = readSchema.at(c);
        if (partitionValues.containsKey(f.getName())) {
          if (!(f.getDataType() instanceof DateType)) {
            return Optional.empty();
          }
          fileColumn[c] = -1;
          continue;
        }
        if (!fileSchema.containsField(f.getName())) {
          return Optional.empty();
        }
        Type t = fileSchema.getType(f.getName());
        if (!t.isPrimitive()
            || t.isRepetition(Type.Repetition.REPEATED)
            || !matches(t.asPrimitiveType(), f.getDataType())) {
          return Optional.empty();
        }
        fileColumn[c] = projected.size();
        projected.add(t);
      }
      MessageType projection = new MessageType(fileSchema.getName(), projected);
      r.setRequestedSchema(projection);
      long total = r.getRecordCount();
      if (total > Integer.MAX_VALUE) {
        return Optional.empty();
      }
      Columns out = Columns.allocate(readSchema, (int) total);
      List<ColumnDescriptor> descriptors = projection.getColumns();
      String createdBy = r.getFooter().getFileMetaData().getCreatedBy();
      @SuppressWarnings("unchecked")
      Map<Binary, String>[] shared = new Map[n];
      for (int c = 0; c < n; c++) {
        if (fileColumn[c] >= 0 && readSchema.at(c).getDataType() instanceof StringType) {
          shared[c] = new HashMap<>();
        }
      }
      int base = 0;
      PageReadStore pages;
      while ((pages = r.readNextRowGroup()) != null) {
        ColumnReadStoreImpl store =
            new ColumnReadStoreImpl(
                pages, new NoConverter(projected.size()), projection, createdBy);
        int rows = (int) pages.getRowCount();
        for (int c = 0; c < n; c++) {
          if (fileColumn[c] >= 0) {
            readColumn(
                store.getColumnReader(descriptors.get(fileColumn[c])),
                out,
                c,
                base,
                rows,
                shared,
                pools == null ? null : pools[c]);
          }
        }
        base += rows;
      }
      for (int c = 0; c < n; c++) {
        if (fileColumn[c] < 0) {
          String v = partitionValues.get(readSchema.at(c).getName());
          for (int row = 0; row < base; row++) {
            if (v == null) {
              out.setNull(row, c);
            } else {
              out.setInt(row, c, (int) LocalDate.parse(v).toEpochDay());
            }
          }
        }
      }
      return Optional.of(out);
    } catch (IOException e) {
      throw new UncheckedIOException("reading Parquet file " + path, e);
    }
  }

  /** True when Kernel's writer stores {@code type} as this Parquet column. */
  private static boolean matches(PrimitiveType p, DataType type) {
    PrimitiveTypeName name = p.getPrimitiveTypeName();
    LogicalTypeAnnotation a = p.getLogicalTypeAnnotation();
    if (type instanceof StringType) {
      return name == PrimitiveTypeName.BINARY
          && (a == null || a.equals(LogicalTypeAnnotation.stringType()));
    } else if (type instanceof LongType) {
      return name == PrimitiveTypeName.INT64 && a == null;
    } else if (type instanceof TimestampType) {
      return name == PrimitiveTypeName.INT64
          && a instanceof LogicalTypeAnnotation.TimestampLogicalTypeAnnotation ts
          && ts.getUnit() == LogicalTypeAnnotation.TimeUnit.MICROS;
    } else if (type instanceof IntegerType) {
      return name == PrimitiveTypeName.INT32 && a == null;
    } else if (type instanceof DateType) {
      return name == PrimitiveTypeName.INT32
          && a instanceof LogicalTypeAnnotation.DateLogicalTypeAnnotation;
    } else if (type instanceof DoubleType) {
      return name == PrimitiveTypeName.DOUBLE && a == null;
    } else if (type instanceof FloatType) {
      return name == PrimitiveTypeName.FLOAT && a == null;
    } else if (type instanceof BooleanType) {
      return name == PrimitiveTypeName.BOOLEAN && a == null;
    }
    return false;
  }

  /** Reads one column chunk of {@code rows} values into rows {@code base..} of column {@code c}. */
  private static void readColumn(
      ColumnReader cr,
      Columns out,
      int c,
      int base,
      int rows,
      Map<Binary, String>[] shared,
      StringPool pool) {
    int maxDef = cr.getDescriptor().getMaxDefinitionLevel();
    Object data = out.data(c);
    if (data instanceof String[] s) {
      for (int i = 0; i < rows; i++, cr.consume()) {
        if (cr.getCurrentDefinitionLevel() < maxDef) {
          out.setNull(base + i, c);
        } else if (pool != null) {
          s[base + i] = pool.intern(cr.getBinary().toStringUsingUTF8());
        } else {
          s[base + i] = string(cr.getBinary(), shared, c);
        }
      }
    } else if (data instanceof long[] l) {
      for (int i = 0; i < rows; i++, cr.consume()) {
        if (cr.getCurrentDefinitionLevel() < maxDef) {
          out.setNull(base + i, c);
        } else {
          l[base + i] = cr.getLong();
        }
      }
    } else if (data instanceof int[] v) {
      for (int i = 0; i < rows; i++, cr.consume()) {
        if (cr.getCurrentDefinitionLevel() < maxDef) {
          out.setNull(base + i, c);
        } else {
          v[base + i] = cr.getInteger();
        }
      }
    } else if (data instanceof double[] d) {
      boolean isFloat =
          cr.getDescriptor().getPrimitiveType().getPrimitiveTypeName() == PrimitiveTypeName.FLOAT;
      for (int i = 0; i < rows; i++, cr.consume()) {
        if (cr.getCurrentDefinitionLevel() < maxDef) {
          out.setNull(base + i, c);
        } else {
          d[base + i] = isFloat ? cr.getFloat() : cr.getDouble();
        }
      }
    } else {
      boolean[] b = (boolean[]) data;
      for (int i = 0; i < rows; i++, cr.consume()) {
        if (cr.getCurrentDefinitionLevel() < maxDef) {
          out.setNull(base + i, c);
        } else {
          b[base + i] = cr.getBoolean();
        }
      }
    }
  }

  /**
   * The string of a value, shared with earlier equal values of the column while it has at most
   * {@value #SHARED_STRINGS} distinct values (then every value is decoded on its own).
   */
  private static String string(Binary b, Map<Binary, String>[] shared, int c) {
    Map<Binary, String> m = shared[c];
    if (m == null) {
      return b.toStringUsingUTF8();
    }
    String s = m.get(b);
    if (s == null) {
      s = b.toStringUsingUTF8();
      if (m.size() >= SHARED_STRINGS) {
        shared[c] = null;
      } else {
        // A copy: the value may be a view of a page buffer that is reused.
        m.put(Binary.fromConstantByteArray(b.getBytes()), s);
      }
    }
    return s;
  }

  /** Column readers need a converter tree; values are read with the getters, never converted. */
  private static final class NoConverter extends GroupConverter {
    private final int fields;

    NoConverter(int fields) {
      this.fields = fields;
    }

    @Override
    public Converter getConverter(int fieldIndex) {
      if (fieldIndex < 0 || fieldIndex >= fields) {
        throw new IndexOutOfBoundsException(fieldIndex);
      }
      return new PrimitiveConverter() {};
    }

    @Override
    public void start() {}

    @Override
    public void end() {}
  }
}
