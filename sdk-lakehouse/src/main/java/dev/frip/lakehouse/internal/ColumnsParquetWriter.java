package dev.frip.lakehouse.internal;

import io.delta.kernel.defaults.engine.fileio.FileIO;
import io.delta.kernel.defaults.engine.hadoopio.HadoopFileIO;
import io.delta.kernel.expressions.Column;
import io.delta.kernel.statistics.DataFileStatistics;
import io.delta.kernel.types.BooleanType;
import io.delta.kernel.types.DataType;
import io.delta.kernel.types.DateType;
import io.delta.kernel.types.DoubleType;
import io.delta.kernel.types.FieldMetadata;
import io.delta.kernel.types.FloatType;
import io.delta.kernel.types.IntegerType;
import io.delta.kernel.types.LongType;
import io.delta.kernel.types.StringType;
import io.delta.kernel.types.StructField;
import io.delta.kernel.types.StructType;
import io.delta.kernel.types.TimestampType;
import io.delta.kernel.utils.DataFileStatus;
import io.delta.kernel.utils.FileStatus;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.parquet.column.ColumnDescriptor;
import org.apache.parquet.column.ColumnWriteStore;
import org.apache.parquet.column.ColumnWriter;
import org.apache.parquet.column.ParquetProperties;
import org.apache.parquet.hadoop.CodecFactory;
import org.apache.parquet.hadoop.ColumnChunkPageWriteStore;
import org.apache.parquet.hadoop.ParquetFileWriter;
import org.apache.parquet.hadoop.ParquetOutputFormat;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.apache.parquet.hadoop.util.HadoopOutputFile;
import org.apache.parquet.io.api.Binary;
import org.apache.parquet.schema.LogicalTypeAnnotation;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.PrimitiveType.PrimitiveTypeName;
import org.apache.parquet.schema.Type;
import org.apache.parquet.schema.Type.Repetition;
import org.apache.parquet.schema.Types;

/**
 * Writes a row range of a {@link Columns} table to Parquet files column by column, straight from
 * its primitive arrays, with parquet-mr's column writers: the same files Kernel's default Parquet
 * writer makes (same Parquet schema, encodings, codec, page and row group settings from the Hadoop
 * configuration, same file naming and rolling at Kernel's target file size), without its row-by-row
 * record assembly. Unlike Kernel's, it leaves out the footer metadata no Delta or Spark reader
 * uses: size statistics, and min/max statistics of the columns Delta does not index (beyond {@code
 * delta.dataSkippingNumIndexedCols}). Each file's statistics are read back from its footer with
 * Kernel's own reader ({@link KernelActions#statistics}), so the {@code add} actions carry exactly
 * the statistics Kernel's writer would give them.
 *
 * <p>Only flat schemas of the types {@link Columns} holds, without field ids, are written this way;
 * {@link #supports} tells the caller when to use Kernel's writer instead.
 */
final class ColumnsParquetWriter {

  /** Kernel's setting for the size at which a file is rolled (same key, same default). */
  static final String TARGET_FILE_SIZE_CONF =
      "delta.kernel.default.parquet.writer.targetMaxFileSize";

  private static final long DEFAULT_TARGET_FILE_SIZE = 128L * 1024 * 1024;

  /** Rows written column by column before the row count is advanced and sizes are checked. */
  private static final int CHUNK = 4096;

  private final Configuration conf;
  private final FileIO fileIO;
  private final long targetFileSize;
  private final boolean encodePages;

  ColumnsParquetWriter(Configuration conf) {
    this(conf, true);
  }

  /**
   * {@code encodePages}: encode the pages here ({@link ColumnChunkEncoder}) where the settings
   * allow it; {@code false} always uses parquet-mr's column writers (for tests comparing both).
   */
  ColumnsParquetWriter(Configuration conf, boolean encodePages) {
    this.conf = conf;
    this.encodePages = encodePages;
    this.fileIO = new HadoopFileIO(conf);
    this.targetFileSize = conf.getLong(TARGET_FILE_SIZE_CONF, DEFAULT_TARGET_FILE_SIZE);
    if (targetFileSize <= 0) {
      throw new IllegalArgumentException(
          TARGET_FILE_SIZE_CONF + " must be positive, was " + targetFileSize);
    }
  }

  /** True when every field of the physical schema can be written from a {@link Columns} table. */
  static boolean supports(StructType physical) {
    for (StructField f : physical.fields()) {
      DataType t = f.getDataType();
      boolean flat =
          t instanceof StringType
              || t instanceof LongType
              || t instanceof TimestampType
              || t instanceof IntegerType
              || t instanceof DateType
              || t instanceof DoubleType
              || t instanceof FloatType
              || t instanceof BooleanType;
      if (!flat || !FieldMetadata.empty().equals(f.getMetadata())) {
        return false;
      }
    }
    return true;
  }

  /**
   * Writes rows {@code [from, to)} of {@code rows}, projected to the columns of {@code physical}
   * (found by name), into new files under {@code directory}; returns one status per file. The
   * caller has checked that required columns hold no null ({@link Columns#requireNonNullable}).
   */
  List<DataFileStatus> write(
      String directory,
      Columns rows,
      int from,
      int to,
      StructType physical,
      List<Column> statsColumns) {
    MessageType schema = parquetSchema(physical);
    int n = physical.length();
    int[] source = new int[n];
    for (int c = 0; c < n; c++) {
      source[c] = rows.schema().indexOf(physical.at(c).getName());
      if (source[c] < 0) {
        throw new IllegalArgumentException(
            "column " + physical.at(c).getName() + " is not in " + rows.schema());
      }
      // The encoder takes a value's width from the source array: a long column written into an
      // INT32 chunk would be silently wrong, so the types must agree, not only the names.
      if (!rows.schema().at(source[c]).getDataType().equivalent(physical.at(c).getDataType())) {
        throw new IllegalArgumentException(
            "column "
                + physical.at(c).getName()
                + " is "
                + rows.schema().at(source[c]).getDataType()
                + " in the rows but "
                + physical.at(c).getDataType()
                + " in the file schema");
      }
    }
    ParquetProperties.Builder settings =
        ParquetProperties.builder()
            .withPageSize(ParquetOutputFormat.getPageSize(conf))
            .withDictionaryPageSize(ParquetOutputFormat.getDictionaryPageSize(conf))
            .withDictionaryEncoding(ParquetOutputFormat.getEnableDictionary(conf))
            .withWriterVersion(ParquetOutputFormat.getWriterVersion(conf))
            .withPageRowCountLimit(
                conf.getInt(
                    ParquetOutputFormat.PAGE_ROW_COUNT_LIMIT,
                    ParquetProperties.DEFAULT_PAGE_ROW_COUNT_LIMIT))
            // Optional metadata no Delta or Spark reader uses, collected value by value.
            .withSizeStatisticsEnabled(false);
    // Min/max/null counts only where the add action's statistics need them (Delta indexes the
    // first columns only, 32 by default); the others' would cost a comparison per value.
    Set<String> indexed = new HashSet<>();
    for (Column c : statsColumns) {
      indexed.add(c.getNames()[0]);
    }
    for (StructField f : physical.fields()) {
      if (!indexed.contains(f.getName())) {
        settings.withStatisticsEnabled(f.getName(), false);
      }
    }
    ParquetProperties props = settings.build();
    CompressionCodecName codec = ParquetOutputFormat.getCompression(conf);
    long rowGroupSize = ParquetOutputFormat.getLongBlockSize(conf);
    int maxPadding =
        conf.getInt(ParquetOutputFormat.MAX_PADDING_BYTES, ParquetWriter.MAX_PADDING_SIZE_DEFAULT);
    CodecFactory codecs = new CodecFactory(conf, props.getPageSizeThreshold());
    List<DataFileStatus> out = new ArrayList<>();
    try {
      int at = from;
      int fileNumber = 0;
      while (at < to) {
        String file =
            new Path(directory, String.format("%s-%03d.parquet", UUID.randomUUID(), fileNumber++))
                .toString();
        int start = at;
        at =
            writeFile(
                file,
                rows,
                source,
                at,
                to,
                schema,
                props,
                codecs.getCompressor(codec),
                rowGroupSize,
                maxPadding);
        out.add(status(file, physical, statsColumns, at - start));
      }
    } catch (IOException e) {
      throw new UncheckedIOException("writing Parquet files to " + directory, e);
    } finally {
      codecs.release();
    }
    return out;
  }

  /**
   * Writes rows from {@code from} into one file until its size reaches the target; returns the end.
   */
  private int writeFile(
      String file,
      Columns rows,
      int[] source,
      int from,
      int to,
      MessageType schema,
      ParquetProperties props,
      CodecFactory.BytesCompressor compressor,
      long rowGroupSize,
      int maxPadding)
      throws IOException {
    List<ColumnDescriptor> columns = schema.getColumns();
    ParquetFileWriter w =
        new ParquetFileWriter(
            HadoopOutputFile.fromPath(new Path(file), conf),
            schema,
            ParquetFileWriter.Mode.CREATE,
            rowGroupSize,
            maxPadding,
            null,
            props);
    w.start();
    int at = from;
    int rowGroupOrdinal = 0;
    boolean fileFull = false;
    ColumnChunkEncoder[] encoders = encoders(columns, props, rows, source);
    while (at < to && !fileFull) {
      ColumnChunkPageWriteStore pages =
          new ColumnChunkPageWriteStore(
              compressor,
              schema,
              props.getAllocator(),
              props.getColumnIndexTruncateLength(),
              props.getPageWriteChecksumEnabled(),
              null,
              rowGroupOrdinal++);
      ParquetProperties groupProps = plainWhereDistinct(props, columns, rows, source, at, to);
      ColumnWriteStore store = null;
      ColumnWriter[] writers = null;
      if (encoders != null) {
        for (int c = 0; c < encoders.length; c++) {
          encoders[c].startChunk(pages.getPageWriter(columns.get(c)), groupProps, at);
        }
      } else {
        store = groupProps.newColumnWriteStore(schema, pages, pages);
        writers = new ColumnWriter[columns.size()];
        for (int c = 0; c < writers.length; c++) {
          writers[c] = store.getColumnWriter(columns.get(c));
        }
      }
      long nextRowGroupSize = Math.min(w.getNextRowGroupSize(), rowGroupSize);
      int groupStart = at;
      while (at < to) {
        int end = Math.min(to, at + CHUNK);
        long buffered = 0;
        if (encoders != null) {
          for (ColumnChunkEncoder e : encoders) {
            e.write(at, end);
            buffered += e.bufferedSize();
          }
        } else {
          for (int c = 0; c < writers.length; c++) {
            writeColumn(
                writers[c], columns.get(c).getMaxDefinitionLevel(), rows, source[c], at, end);
          }
          for (int r = at; r < end; r++) {
            store.endRecord();
          }
          buffered = store.getBufferedSize();
        }
        at = end;
        if (w.getPos() + buffered >= targetFileSize) {
          fileFull = true;
          break;
        }
        if (buffered > nextRowGroupSize) {
          break;
        }
      }
      w.startBlock(at - groupStart);
      if (encoders != null) {
        for (ColumnChunkEncoder e : encoders) {
          e.finishChunk();
        }
      } else {
        store.flush();
      }
      pages.flushToFileWriter(w);
      w.endBlock();
      if (store != null) {
        store.close();
      }
      pages.close();
    }
    w.end(Map.of("frip.writer", DeltaTable.ENGINE_INFO));
    return at;
  }

  /**
   * One page encoder per column when {@link #encodePages} is on and every column's settings allow
   * it ({@link ColumnChunkEncoder#supports}); otherwise {@code null}, for parquet-mr's writers.
   */
  private ColumnChunkEncoder[] encoders(
      List<ColumnDescriptor> columns, ParquetProperties props, Columns rows, int[] source) {
    if (!encodePages) {
      return null;
    }
    ColumnChunkEncoder[] out = new ColumnChunkEncoder[columns.size()];
    for (int c = 0; c < out.length; c++) {
      ColumnDescriptor column = columns.get(c);
      if (!ColumnChunkEncoder.supports(props, column)) {
        return null;
      }
      boolean asFloat = column.getPrimitiveType().getPrimitiveTypeName() == PrimitiveTypeName.FLOAT;
      out[c] = new ColumnChunkEncoder(column, props, rows, source[c], asFloat);
    }
    return out;
  }

  /**
   * {@code props}, with dictionary encoding turned off for the columns whose dictionary would
   * overflow in the row group starting at row {@code from}: parquet-mr would fill the dictionary
   * with their values up to its size limit, then re-encode them all as plain values and write the
   * rest plain (ids, microsecond timestamps, amounts). The first {@link #SAMPLE} rows decide
   * (Java's values, not the encoded bytes: equal values encode equally). A column is written plain
   * only when at least 95% of the sampled values are distinct (so its domain is at least about ten
   * times the sample) and the dictionary the remaining rows would need, estimated from the sampled
   * repeats, is more than twice the limit; otherwise parquet-mr decides as before. Either way the
   * values written are the same.
   */
  static ParquetProperties plainWhereDistinct(
      ParquetProperties props,
      List<ColumnDescriptor> columns,
      Columns rows,
      int[] source,
      int from,
      int to) {
    int sampleEnd = Math.min(to, from + SAMPLE);
    ParquetProperties.Builder plain = null;
    for (int c = 0; c < columns.size(); c++) {
      ColumnDescriptor column = columns.get(c);
      if (!props.isDictionaryEnabled(column)) {
        continue;
      }
      long entryBytes = entryBytes(column.getPrimitiveType().getPrimitiveTypeName());
      if (entryBytes == 0) {
        continue;
      }
      DistinctSample sample = DistinctSample.of(rows, source[c], from, sampleEnd);
      if (sample.values() < MIN_SAMPLE || sample.distinct() < 0.95 * sample.values()) {
        continue;
      }
      if (entryBytes < 0) {
        entryBytes = 4 + sample.averageBytes();
      }
      long nonNull = (long) ((double) (to - from) * sample.values() / (sampleEnd - from));
      double dictionaryBytes = sample.expectedDistinct(nonNull) * entryBytes;
      if (dictionaryBytes > 2.0 * props.getDictionaryPageSizeThreshold()) {
        if (plain == null) {
          plain = ParquetProperties.copy(props);
        }
        plain.withDictionaryEncoding(column.getPath()[0], false);
      }
    }
    return plain == null ? props : plain.build();
  }

  /** Rows sampled per column and row group by {@link #plainWhereDistinct}. */
  static final int SAMPLE = 16_384;

  /** Non-null sampled values below which a column is left to parquet-mr. */
  private static final int MIN_SAMPLE = 1024;

  /**
   * The bytes parquet-mr counts per dictionary entry of this type: -1 for binary (4 + length), 0
   * for booleans, which have no dictionary.
   */
  private static long entryBytes(PrimitiveTypeName type) {
    return switch (type) {
      case BINARY -> -1;
      case INT64, DOUBLE -> 8;
      case INT32, FLOAT -> 4;
      default -> 0;
    };
  }

  /** Writes rows {@code [from, to)} of one column (values are never null in a required column). */
  private static void writeColumn(
      ColumnWriter w, int maxDef, Columns rows, int col, int from, int to) {
    boolean[] nulls = rows.nulls(col);
    Object data = rows.data(col);
    if (data instanceof String[] s) {
      // Rows often repeat the previous row's instance (values read from dictionary pages, constants
      // such as the reporting currency): its bytes are encoded once. A constant Binary never
      // changes, so the writer may keep it (dictionary, statistics) however often it is written.
      String last = null;
      Binary bytes = null;
      for (int r = from; r < to; r++) {
        if (nulls != null && nulls[r]) {
          w.writeNull(0, 0);
        } else {
          String v = s[r];
          if (v != last) {
            bytes = Binary.fromConstantByteArray(v.getBytes(StandardCharsets.UTF_8));
            last = v;
          }
          w.write(bytes, 0, maxDef);
        }
      }
    } else if (data instanceof long[] l) {
      for (int r = from; r < to; r++) {
        if (nulls != null && nulls[r]) {
          w.writeNull(0, 0);
        } else {
          w.write(l[r], 0, maxDef);
        }
      }
    } else if (data instanceof int[] v) {
      for (int r = from; r < to; r++) {
        if (nulls != null && nulls[r]) {
          w.writeNull(0, 0);
        } else {
          w.write(v[r], 0, maxDef);
        }
      }
    } else if (data instanceof double[] d) {
      boolean asFloat = rows.schema().at(col).getDataType() instanceof FloatType;
      for (int r = from; r < to; r++) {
        if (nulls != null && nulls[r]) {
          w.writeNull(0, 0);
        } else if (asFloat) {
          w.write((float) d[r], 0, maxDef);
        } else {
          w.write(d[r], 0, maxDef);
        }
      }
    } else {
      boolean[] b = (boolean[]) data;
      for (int r = from; r < to; r++) {
        if (nulls != null && nulls[r]) {
          w.writeNull(0, 0);
        } else {
          w.write(b[r], 0, maxDef);
        }
      }
    }
  }

  /** The Parquet schema Kernel's default writer gives these types. */
  static MessageType parquetSchema(StructType physical) {
    List<Type> types = new ArrayList<>();
    for (StructField f : physical.fields()) {
      Repetition rep = f.isNullable() ? Repetition.OPTIONAL : Repetition.REQUIRED;
      DataType t = f.getDataType();
      Type type;
      if (t instanceof StringType) {
        type =
            Types.primitive(PrimitiveTypeName.BINARY, rep)
                .as(LogicalTypeAnnotation.stringType())
                .named(f.getName());
      } else if (t instanceof LongType) {
        type = Types.primitive(PrimitiveTypeName.INT64, rep).named(f.getName());
      } else if (t instanceof TimestampType) {
        type =
            Types.primitive(PrimitiveTypeName.INT64, rep)
                .as(
                    LogicalTypeAnnotation.timestampType(
                        true, LogicalTypeAnnotation.TimeUnit.MICROS))
                .named(f.getName());
      } else if (t instanceof IntegerType) {
        type = Types.primitive(PrimitiveTypeName.INT32, rep).named(f.getName());
      } else if (t instanceof DateType) {
        type =
            Types.primitive(PrimitiveTypeName.INT32, rep)
                .as(LogicalTypeAnnotation.dateType())
                .named(f.getName());
      } else if (t instanceof DoubleType) {
        type = Types.primitive(PrimitiveTypeName.DOUBLE, rep).named(f.getName());
      } else if (t instanceof FloatType) {
        type = Types.primitive(PrimitiveTypeName.FLOAT, rep).named(f.getName());
      } else if (t instanceof BooleanType) {
        type = Types.primitive(PrimitiveTypeName.BOOLEAN, rep).named(f.getName());
      } else {
        throw new IllegalArgumentException(
            "column " + f.getName() + " has type " + t + ", which is not written column by column");
      }
      types.add(type);
    }
    return new MessageType("DefaultKernelSchema", types);
  }

  /** The file's status with the statistics Kernel's writer would collect, read from its footer. */
  private DataFileStatus status(
      String file, StructType physical, List<Column> statsColumns, long rowCount)
      throws IOException {
    FileStatus fs = fileIO.getFileStatus(file);
    String resolved = fileIO.resolvePath(file);
    DataFileStatistics stats =
        statsColumns.isEmpty()
            ? new DataFileStatistics(rowCount, Map.of(), Map.of(), Map.of(), Optional.empty())
            : KernelActions.statistics(
                fileIO.newInputFile(resolved, fs.getSize()), physical, statsColumns);
    return new DataFileStatus(resolved, fs.getSize(), fs.getModificationTime(), Optional.of(stats));
  }
}
