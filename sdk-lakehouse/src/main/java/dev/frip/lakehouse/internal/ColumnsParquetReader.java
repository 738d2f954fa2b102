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
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.parquet.HadoopReadOptions;
import org.apache.parquet.column.ColumnDescriptor;
import org.apache.parquet.column.ColumnReader;
import org.apache.parquet.column.Dictionary;
import org.apache.parquet.column.impl.ColumnReadStoreImpl;
import org.apache.parquet.column.page.PageReadStore;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.hadoop.metadata.BlockMetaData;
import org.apache.parquet.hadoop.metadata.ColumnChunkMetaData;
import org.apache.parquet.hadoop.metadata.ColumnPath;
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
 * them: values of dictionary-encoded pages are decoded once per dictionary entry of the column
 * chunk, looked up by dictionary id (no hashing); values of plain pages are shared through a map
 * while the column repeats them. A column given a {@link StringPool} takes its strings from the
 * pool instead, without limit.
 *
 * <p>Only files whose columns have exactly the physical types Kernel's writer gives the read types
 * are read this way; {@link #read} returns empty for any other file, and the caller reads it with
 * Kernel instead.
 */
final class ColumnsParquetReader {

  /** Distinct plain-encoded values up to which a string column shares one copy per value. */
  private static final int SHARED_STRINGS = 1 << 16;

  /**
   * Plain-encoded values after which a column whose values are mostly distinct (at least half)
   * stops sharing them: an id column, where sharing would only cost a map entry per value.
   */
  private static final int SHARING_TRIAL = 1024;

  private final Configuration conf;

  /**
   * Whether chunks {@link PageColumnReader} supports are decoded by it (else all by parquet-mr).
   */
  private final boolean pageDecoding;

  ColumnsParquetReader(Configuration conf) {
    this(conf, true);
  }

  ColumnsParquetReader(Configuration conf, boolean pageDecoding) {
    this.conf = conf;
    this.pageDecoding = pageDecoding;
  }

  /** A column's strings from its bytes: shared while it repeats them, or from its pool. */
  private static PageColumnReader.Strings strings(PlainStrings plain, StringPool pool) {
    return new PageColumnReader.Strings() {
      @Override
      public String plain(byte[] bytes, int offset, int length) {
        return pool != null ? pool.intern(bytes, offset, length) : plain.of(bytes, offset, length);
      }

      @Override
      public String dictionaryEntry(byte[] bytes, int offset, int length) {
        return pool != null
            ? pool.intern(bytes, offset, length)
            : new String(bytes, offset, length, StandardCharsets.UTF_8);
      }
    };
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
    // Options from this configuration: open(InputFile) alone builds them from a new Hadoop
    // Configuration, parsing its default resources again for every file. Built per file, since
    // they hold the codec factory, whose decompressors must not be shared between threads.
    try (ParquetFileReader r =
        ParquetFileReader.open(
            HadoopInputFile.fromPath(new Path(path), conf),
            HadoopReadOptions.builder(conf).build())) {
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
      PlainStrings[] plain = new PlainStrings[projected.size()];
      StringPool[] filePools = new StringPool[projected.size()];
      for (int c = 0; c < n; c++) {
        if (fileColumn[c] >= 0 && readSchema.at(c).getDataType() instanceof StringType) {
          plain[fileColumn[c]] = new PlainStrings();
          filePools[fileColumn[c]] = pools == null ? null : pools[c];
        }
      }
      PageColumnReader.Strings[] strings = new PageColumnReader.Strings[projected.size()];
      for (int f = 0; f < strings.length; f++) {
        strings[f] = plain[f] == null ? null : strings(plain[f], filePools[f]);
      }
      int base = 0;
      int group = 0;
      PageReadStore pages;
      List<BlockMetaData> blocks = r.getRowGroups();
      while ((pages = r.readNextRowGroup()) != null) {
        // readNextRowGroup passes over row groups without rows (valid, and written by e.g.
        // pyarrow); so must the metadata that picks the decoder, or it describes another group.
        while (group < blocks.size() && blocks.get(group).getRowCount() == 0) {
          group++;
        }
        Map<ColumnPath, ColumnChunkMetaData> chunks = new HashMap<>();
        if (group < blocks.size() && blocks.get(group).getRowCount() == pages.getRowCount()) {
          for (ColumnChunkMetaData chunk : blocks.get(group).getColumns()) {
            chunks.put(chunk.getPath(), chunk);
          }
        } // else: no metadata, so parquet-mr's column readers decode this group
        group++;
        ColumnConverters converters = new ColumnConverters(plain, filePools);
        ColumnReadStoreImpl store =
            new ColumnReadStoreImpl(pages, converters, projection, createdBy);
        int rows = (int) pages.getRowCount();
        for (int c = 0; c < n; c++) {
          int f = fileColumn[c];
          if (f < 0) {
            continue;
          }
          ColumnDescriptor d = descriptors.get(f);
          ColumnChunkMetaData chunk = chunks.get(ColumnPath.get(d.getPath()));
          if (pageDecoding && chunk != null && PageColumnReader.supports(chunk, d)) {
            PageColumnReader.read(pages.getPageReader(d), d, out, c, base, rows, strings[f]);
          } else {
            readColumn(store.getColumnReader(d), converters.strings[f], out, c, base, rows);
          }
        }
        base += rows;
      }
      for (int c = 0; c < n; c++) {
        if (fileColumn[c] < 0) {
          String v = partitionValues.get(readSchema.at(c).getName());
          if (v == null) {
            for (int row = 0; row < base; row++) {
              out.setNull(row, c);
            }
          } else {
            Arrays.fill((int[]) out.data(c), 0, base, (int) LocalDate.parse(v).toEpochDay());
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
      ColumnReader cr, StringConverter strings, Columns out, int c, int base, int rows) {
    int maxDef = cr.getDescriptor().getMaxDefinitionLevel();
    Object data = out.data(c);
    if (data instanceof String[] s) {
      for (int i = 0; i < rows; i++, cr.consume()) {
        if (cr.getCurrentDefinitionLevel() < maxDef) {
          out.setNull(base + i, c);
        } else {
          cr.writeCurrentValueToConverter();
          s[base + i] = strings.value;
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
   * Sharing of one string column's plain-encoded values, across the file's row groups: while the
   * column has at most {@value #SHARED_STRINGS} distinct values, and unless its first {@value
   * #SHARING_TRIAL} values were mostly distinct.
   */
  private static final class PlainStrings {
    private Map<Binary, String> shared = new HashMap<>();
    private int seen;

    String of(Binary b) {
      Map<Binary, String> m = shared;
      if (m == null) {
        return b.toStringUsingUTF8();
      }
      String s = m.get(b);
      if (s == null) {
        s = b.toStringUsingUTF8();
        if (m.size() >= SHARED_STRINGS) {
          shared = null;
        } else {
          // A copy: the value may be a view of a page buffer that is reused.
          m.put(Binary.fromConstantByteArray(b.getBytes()), s);
        }
      }
      if (++seen == SHARING_TRIAL && m.size() * 2 >= seen) {
        shared = null;
      }
      return s;
    }

    /** {@link #of(Binary)} for the UTF-8 bytes {@code b[offset, offset + length)}. */
    String of(byte[] b, int offset, int length) {
      if (shared == null) {
        return new String(b, offset, length, StandardCharsets.UTF_8);
      }
      return of(Binary.fromReusedByteArray(b, offset, length));
    }
  }

  /**
   * Receives the current value of a string column: from a dictionary-encoded page by id, each entry
   * of the chunk's dictionary decoded once; from a plain page through {@link PlainStrings}, or, for
   * a pooled column, from the pool straight from the page's bytes.
   */
  private static final class StringConverter extends PrimitiveConverter {
    private final PlainStrings plain;
    private final StringPool pool;
    private Dictionary dictionary;
    private String[] decoded;
    String value;

    StringConverter(PlainStrings plain, StringPool pool) {
      this.plain = plain;
      this.pool = pool;
    }

    @Override
    public boolean hasDictionarySupport() {
      return true;
    }

    @Override
    public void setDictionary(Dictionary dictionary) {
      this.dictionary = dictionary;
      this.decoded = new String[dictionary.getMaxId() + 1];
    }

    @Override
    public void addValueFromDictionary(int id) {
      String s = decoded[id];
      if (s == null) {
        s =
            pool == null
                ? dictionary.decodeToBinary(id).toStringUsingUTF8()
                : pooled(dictionary.decodeToBinary(id));
        decoded[id] = s;
      }
      value = s;
    }

    @Override
    public void addBinary(Binary b) {
      value = pool == null ? plain.of(b) : pooled(b);
    }

    private String pooled(Binary b) {
      ByteBuffer buf = b.toByteBuffer();
      if (!buf.hasArray()) {
        return pool.intern(b.toStringUsingUTF8());
      }
      return pool.intern(buf.array(), buf.arrayOffset() + buf.position(), buf.remaining());
    }
  }

  /**
   * The converter tree column readers need: a {@link StringConverter} for each string column, whose
   * values are read through it; the other columns are read with the getters, never converted.
   */
  private static final class ColumnConverters extends GroupConverter {
    final StringConverter[] strings;

    ColumnConverters(PlainStrings[] plain, StringPool[] pools) {
      strings = new StringConverter[plain.length];
      for (int f = 0; f < plain.length; f++) {
        if (plain[f] != null) {
          strings[f] = new StringConverter(plain[f], pools[f]);
        }
      }
    }

    @Override
    public Converter getConverter(int fieldIndex) {
      if (fieldIndex < 0 || fieldIndex >= strings.length) {
        throw new IndexOutOfBoundsException(fieldIndex);
      }
      return strings[fieldIndex] != null ? strings[fieldIndex] : new PrimitiveConverter() {};
    }

    @Override
    public void start() {}

    @Override
    public void end() {}
  }
}
