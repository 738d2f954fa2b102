package dev.frip.lakehouse.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.delta.kernel.Scan;
import io.delta.kernel.data.FilteredColumnarBatch;
import io.delta.kernel.data.Row;
import io.delta.kernel.defaults.engine.DefaultEngine;
import io.delta.kernel.engine.Engine;
import io.delta.kernel.types.BooleanType;
import io.delta.kernel.types.DateType;
import io.delta.kernel.types.DoubleType;
import io.delta.kernel.types.FieldMetadata;
import io.delta.kernel.types.FloatType;
import io.delta.kernel.types.IntegerType;
import io.delta.kernel.types.LongType;
import io.delta.kernel.types.StringType;
import io.delta.kernel.types.StructType;
import io.delta.kernel.types.TimestampType;
import io.delta.kernel.utils.CloseableIterator;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.apache.hadoop.conf.Configuration;
import org.apache.parquet.column.Encoding;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.hadoop.metadata.BlockMetaData;
import org.apache.parquet.hadoop.metadata.ColumnChunkMetaData;
import org.apache.parquet.hadoop.metadata.ParquetMetadata;
import org.apache.parquet.hadoop.util.HadoopInputFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The column-by-column Parquet writer and reader against Kernel's row-by-row ones: the same
 * partition written both ways must read back cell for cell as written, through either reader, with
 * the same Parquet schema, codec and encodings, and the same per-file statistics in the Delta log.
 */
class ColumnsParquetWriterTest {

  @TempDir Path dir;

  private static final LocalDate D = LocalDate.parse("2026-03-02");

  private static final StructType SCHEMA =
      new StructType()
          .add("id", StringType.STRING, false)
          .add("note", StringType.STRING, true)
          .add("currency", StringType.STRING, true)
          .add("amount", LongType.LONG, true)
          .add("score", DoubleType.DOUBLE, true)
          .add("ratio", FloatType.FLOAT, true)
          .add("n", IntegerType.INTEGER, true)
          .add("flag", BooleanType.BOOLEAN, true)
          .add("at", TimestampType.TIMESTAMP, true)
          .add("born", DateType.DATE, true)
          .add("always_null", StringType.STRING, true)
          .add("count", LongType.LONG, false)
          .add("event_date", DateType.DATE, false);

  private static final String[] NOTES = {
    "", "héllo wörld", "日本語テキスト", "emoji 🚀", "a\u0000b", "plain"
  };
  private static final double[] DOUBLES = {
    0.0, -0.0, Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, 1e-300, -42.5
  };
  private static final String[] CURRENCIES = {"EUR", "USD", "GBP"};

  private static Configuration conf() {
    Configuration conf = new Configuration();
    conf.set("parquet.compression", "SNAPPY");
    return conf;
  }

  /** Rows of every type with nulls, NaN, infinities, signed zeros, empty and unicode strings. */
  private static Columns rows(int n) {
    Columns c = Columns.allocate(SCHEMA, n);
    for (int i = 0; i < n; i++) {
      c.setString(i, 0, "id-" + i);
      c.setString(i, 1, i % 7 == 0 ? null : NOTES[i % NOTES.length] + (i % 5 == 0 ? "" : i));
      c.setString(i, 2, i % 11 == 3 ? null : CURRENCIES[i % CURRENCIES.length]);
      if (i % 13 == 1) {
        c.setNull(i, 3);
      } else {
        c.setLong(i, 3, (i % 2 == 0 ? -1L : 1L) * i * 1_000_003L);
      }
      if (i % 17 == 2) {
        c.setNull(i, 4);
      } else {
        c.setDouble(i, 4, i % 3 == 0 ? DOUBLES[i % DOUBLES.length] : i / 7.0);
      }
      if (i % 19 == 4) {
        c.setNull(i, 5);
      } else {
        c.setDouble(i, 5, i % 4 == 0 ? (float) DOUBLES[i % DOUBLES.length] : (float) (i * 0.25));
      }
      if (i % 23 == 5) {
        c.setNull(i, 6);
      } else {
        c.setInt(i, 6, i % 2 == 0 ? Integer.MIN_VALUE + i : Integer.MAX_VALUE - i);
      }
      if (i % 29 == 6) {
        c.setNull(i, 7);
      } else {
        c.setBoolean(i, 7, i % 3 == 0);
      }
      if (i % 31 == 7) {
        c.setNull(i, 8);
      } else {
        // Before and after the epoch, microsecond precision.
        c.setLong(i, 8, (i % 2 == 0 ? -1L : 1L) * (1_700_000_000_000_000L + i * 1_000_001L));
      }
      if (i % 37 == 8) {
        c.setNull(i, 9);
      } else {
        c.setInt(i, 9, -3000 + i % 40_000);
      }
      c.setNull(i, 10);
      c.setLong(i, 11, i);
      c.setInt(i, 12, (int) D.toEpochDay());
    }
    return c;
  }

  @Test
  void aLargePartitionReadsBackCellForCellWithKernelsSchemaEncodingsAndStatistics()
      throws Exception {
    int n = 300_000; // above MIN_ROWS_PER_PARALLEL_FILE per processor on two cores
    Columns written = rows(n);
    Engine engine = DefaultEngine.create(conf());
    DeltaTable direct =
        new DeltaTable(engine, dir.resolve("direct").toString(), SCHEMA, "event_date", 0, conf());
    DeltaTable kernel =
        new DeltaTable(engine, dir.resolve("kernel").toString(), SCHEMA, "event_date", 0);
    direct.replacePartition(D, written);
    kernel.replacePartition(D, written);
    int slices =
        Math.max(
            1,
            Math.min(
                Runtime.getRuntime().availableProcessors(),
                n / DeltaTable.MIN_ROWS_PER_PARALLEL_FILE));
    assertThat(direct.fileCount(D)).isEqualTo(slices);

    // Read back column by column, and Kernel's files both column by column and through Kernel.
    Columns read = direct.read(DeltaTable.dateEquals("event_date", D), SCHEMA);
    assertSameCells(written, read);
    assertSameCells(written, kernel.read(DeltaTable.dateEquals("event_date", D), SCHEMA));
    assertSameCells(
        written,
        DeltaTable.forReading(engine, kernel.path(), conf())
            .read(DeltaTable.dateEquals("event_date", D), SCHEMA));

    List<Row> directFiles = scanFiles(engine, direct);
    List<Row> kernelFiles = scanFiles(engine, kernel);
    assertThat(statsOf(direct)).hasSize(slices).isEqualTo(statsOf(kernel));
    assertThat(statsOf(direct).get(0))
        .contains("\"numRecords\":")
        .contains("\"minValues\":{\"id\":\"id-")
        .contains("\"nullCount\":{\"id\":0,\"note\":");

    ParquetMetadata ours = footer(directFiles.get(0));
    ParquetMetadata theirs = footer(kernelFiles.get(0));
    assertThat(ours.getFileMetaData().getSchema()).isEqualTo(theirs.getFileMetaData().getSchema());
    assertThat(chunkShapes(ours)).isEqualTo(chunkShapes(theirs));
  }

  @Test
  void columnsDeltaDoesNotIndexCarryNoStatisticsAndTheAddActionsAreKernels() throws Exception {
    // 40 columns: Delta indexes the first 32 by default.
    StructType wide = new StructType();
    for (int c = 0; c < 40; c++) {
      wide = wide.add("c" + c, c % 2 == 0 ? LongType.LONG : StringType.STRING, true);
    }
    wide = wide.add("event_date", DateType.DATE, false);
    Columns written = Columns.allocate(wide, 1000);
    for (int r = 0; r < 1000; r++) {
      for (int c = 0; c < 40; c++) {
        if ((r + c) % 9 == 0) {
          written.setNull(r, c);
        } else if (c % 2 == 0) {
          written.setLong(r, c, (long) r * (c + 1) - 500);
        } else {
          written.setString(r, c, "v" + (r * 7 % 113) + "-" + c);
        }
      }
      written.setInt(r, 40, (int) D.toEpochDay());
    }
    Engine engine = DefaultEngine.create(conf());
    DeltaTable direct =
        new DeltaTable(engine, dir.resolve("wide").toString(), wide, "event_date", 0, conf());
    DeltaTable kernel =
        new DeltaTable(engine, dir.resolve("wide-kernel").toString(), wide, "event_date", 0);
    direct.replacePartition(D, written);
    kernel.replacePartition(D, written);

    assertThat(statsOf(direct)).hasSize(1).isEqualTo(statsOf(kernel));
    assertThat(statsOf(direct).get(0)).contains("\"c31\":").doesNotContain("\"c32\":");
    BlockMetaData ours = footer(scanFiles(engine, direct).get(0)).getBlocks().get(0);
    BlockMetaData theirs = footer(scanFiles(engine, kernel).get(0)).getBlocks().get(0);
    for (int c = 0; c < 40; c++) {
      ColumnChunkMetaData chunk = ours.getColumns().get(c);
      assertThat(chunk.getStatistics().isEmpty()).as("c%d", c).isEqualTo(c >= 32);
      assertThat(chunk.getSizeStatistics()).as("c%d", c).isNull();
      assertThat(theirs.getColumns().get(c).getSizeStatistics()).isNotNull();
      if (c < 32) {
        assertThat(chunk.getStatistics()).isEqualTo(theirs.getColumns().get(c).getStatistics());
      }
    }
    Columns read = direct.read(DeltaTable.dateEquals("event_date", D), wide);
    for (int r = 0; r < 1000; r++) {
      assertThat(read.row(r)).containsExactly(written.row(r));
    }
  }

  @Test
  void columnsWhoseDictionaryWouldOverflowAreWrittenPlainFromTheStartAsKernelsEndUp()
      throws Exception {
    // One file of 100k rows: the ids' dictionary would need 4.4 MB (parquet-mr's limit is 1 MB),
    // so ours skips it and Kernel's fills it, falls back and rewrites them plain; the codes keep
    // theirs. Same encodings, same cells, same statistics.
    StructType schema =
        new StructType()
            .add("id", StringType.STRING, false)
            .add("at", TimestampType.TIMESTAMP, false)
            .add("code", StringType.STRING, true)
            .add("event_date", DateType.DATE, false);
    int n = 100_000;
    Columns written = Columns.allocate(schema, n);
    for (int r = 0; r < n; r++) {
      written.setString(r, 0, String.format("payment-%032d", (long) r * 7_919));
      written.setLong(r, 1, 1_772_400_000_000_000L + r * 863_999L);
      written.setString(r, 2, r % 13 == 0 ? null : "code-" + r % 40);
      written.setInt(r, 3, (int) D.toEpochDay());
    }
    Engine engine = DefaultEngine.create(conf());
    DeltaTable direct =
        new DeltaTable(engine, dir.resolve("ids").toString(), schema, "event_date", 0, conf());
    DeltaTable kernel =
        new DeltaTable(engine, dir.resolve("ids-kernel").toString(), schema, "event_date", 0);
    direct.replacePartition(D, written);
    kernel.replacePartition(D, written);

    ParquetMetadata ours = footer(scanFiles(engine, direct).get(0));
    ParquetMetadata theirs = footer(scanFiles(engine, kernel).get(0));
    assertThat(chunkShapes(ours)).isEqualTo(chunkShapes(theirs));
    List<ColumnChunkMetaData> chunks = ours.getBlocks().get(0).getColumns();
    assertThat(chunks.get(0).hasDictionaryPage()).isFalse();
    assertThat(chunks.get(0).getEncodings()).doesNotContain(Encoding.PLAIN_DICTIONARY);
    assertThat(chunks.get(2).hasDictionaryPage()).isTrue();
    assertThat(statsOf(direct)).isEqualTo(statsOf(kernel));
    Columns read = direct.read(DeltaTable.dateEquals("event_date", D), schema);
    assertThat(read.size()).isEqualTo(n);
    for (int r = 0; r < n; r++) {
      assertThat(read.row(r)).containsExactly(written.row(r));
    }
  }

  @Test
  void filesRollAtTheTargetSizeAndRowGroupsAtTheBlockSize() throws Exception {
    Configuration conf = conf();
    conf.setLong(ColumnsParquetWriter.TARGET_FILE_SIZE_CONF, 600_000);
    conf.setInt("parquet.block.size", 100_000);
    conf.set("parquet.enable.dictionary", "false"); // plain pages, as bronze writes them
    Engine engine = DefaultEngine.create(conf);
    DeltaTable t =
        new DeltaTable(engine, dir.resolve("rolled").toString(), SCHEMA, "event_date", 0, conf);
    Columns written = rows(40_000);
    t.replacePartition(D, written, 40_000);
    assertThat(t.fileCount(D)).isGreaterThan(1);
    List<Row> files = scanFiles(engine, t);
    assertThat(footer(files.get(0)).getBlocks()).hasSizeGreaterThan(1);
    assertSameCells(written, t.read(DeltaTable.dateEquals("event_date", D), SCHEMA));
    long records = 0;
    for (String s : statsOf(t)) {
      records += Long.parseLong(s.replaceAll(".*\"numRecords\":(\\d+).*", "$1"));
    }
    assertThat(records).isEqualTo(40_000);
  }

  @Test
  void theReaderLeavesFilesOfOtherColumnsOrTypesToKernelAndReadsNullPartitionValues()
      throws Exception {
    Engine engine = DefaultEngine.create(conf());
    DeltaTable t =
        new DeltaTable(engine, dir.resolve("t").toString(), SCHEMA, "event_date", 0, conf());
    t.replacePartition(D, rows(100));
    String file = KernelActions.fileStatus(scanFiles(engine, t).get(0)).getPath();
    ColumnsParquetReader reader = new ColumnsParquetReader(conf());
    StructType missing = new StructType().add("absent", LongType.LONG, true);
    assertThat(reader.read(file, missing, Map.of(), null)).isEmpty();
    StructType otherType = new StructType().add("n", LongType.LONG, true);
    assertThat(reader.read(file, otherType, Map.of(), null)).isEmpty();
    StructType stringPartition = new StructType().add("event_date", StringType.STRING, true);
    assertThat(reader.read(file, stringPartition, Map.of("event_date", "x"), null)).isEmpty();
    StructType some =
        new StructType().add("count", LongType.LONG, false).add("event_date", DateType.DATE, true);
    Map<String, String> nullPartition = new HashMap<>();
    nullPartition.put("event_date", null);
    Columns read = reader.read(file, some, nullPartition, null).orElseThrow();
    assertThat(read.size()).isEqualTo(100);
    assertThat(read.row(7)).containsExactly(7L, null);
  }

  @Test
  void aNullInARequiredColumnIsRefusedNamingItAndNothingIsCommitted() {
    Engine engine = DefaultEngine.create(conf());
    DeltaTable t =
        new DeltaTable(engine, dir.resolve("t").toString(), SCHEMA, "event_date", 0, conf());
    Columns bad = rows(10);
    bad.setNull(4, 11);
    assertThatThrownBy(() -> t.replacePartition(D, bad))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("column count is not nullable, got null");
    assertThat(t.fileCount(D)).isZero();
  }

  @Test
  void onlyFlatColumnsWithoutFieldIdsAreWrittenColumnByColumn() {
    assertThat(ColumnsParquetWriter.supports(SCHEMA)).isTrue();
    FieldMetadata id = FieldMetadata.builder().putLong("parquet.field.id", 1L).build();
    assertThat(ColumnsParquetWriter.supports(new StructType().add("a", LongType.LONG, true, id)))
        .isFalse();
    assertThat(
            ColumnsParquetWriter.supports(
                new StructType()
                    .add("a", new io.delta.kernel.types.ArrayType(LongType.LONG, true), true)))
        .isFalse();
    assertThatThrownBy(
            () ->
                ColumnsParquetWriter.parquetSchema(
                    new StructType().add("b", io.delta.kernel.types.BinaryType.BINARY, true)))
        .hasMessageContaining("column b");
    Configuration bad = new Configuration();
    bad.setLong(ColumnsParquetWriter.TARGET_FILE_SIZE_CONF, 0);
    assertThatThrownBy(() -> new ColumnsParquetWriter(bad))
        .hasMessageContaining(ColumnsParquetWriter.TARGET_FILE_SIZE_CONF);
  }

  private static void assertSameCells(Columns want, Columns got) {
    assertThat(got.size()).isEqualTo(want.size());
    // Files may be listed in any order: match rows by their unique count column.
    Map<Long, Integer> at = new HashMap<>();
    for (int r = 0; r < got.size(); r++) {
      at.put(got.getLong(r, 11), r);
    }
    for (int r = 0; r < want.size(); r++) {
      int g = at.get(want.getLong(r, 11));
      for (int c = 0; c < SCHEMA.length(); c++) {
        Object w = want.value(r, c);
        Object v = got.value(g, c);
        if (w instanceof Double d && d.isNaN()) {
          assertThat(v).as("row %d column %s", r, SCHEMA.at(c).getName()).isEqualTo(Double.NaN);
        } else {
          assertThat(v).as("row %d column %s", r, SCHEMA.at(c).getName()).isEqualTo(w);
        }
      }
    }
  }

  private static List<Row> scanFiles(Engine engine, DeltaTable t) throws Exception {
    Scan scan = t.snapshot().orElseThrow().getScanBuilder().build();
    List<Row> out = new ArrayList<>();
    try (CloseableIterator<FilteredColumnarBatch> it = scan.getScanFiles(engine)) {
      while (it.hasNext()) {
        try (CloseableIterator<Row> rows = it.next().getRows()) {
          rows.forEachRemaining(out::add);
        }
      }
    }
    return out;
  }

  /** The {@code stats} JSON of every {@code add} action in the table's log, ordered by content. */
  private static List<String> statsOf(DeltaTable t) throws Exception {
    List<String> out = new ArrayList<>();
    Pattern stats = Pattern.compile("\"stats\":\"((?:[^\"\\\\]|\\\\.)*)\"");
    try (Stream<Path> logs = Files.list(Path.of(t.path(), "_delta_log"))) {
      for (Path log : logs.filter(p -> p.toString().endsWith(".json")).toList()) {
        for (String line : Files.readAllLines(log)) {
          Matcher m = stats.matcher(line);
          if (line.startsWith("{\"add\"") && m.find()) {
            out.add(m.group(1).replace("\\\"", "\""));
          }
        }
      }
    }
    out.sort(null);
    return out;
  }

  private static ParquetMetadata footer(Row scanFile) throws Exception {
    org.apache.hadoop.fs.Path p =
        new org.apache.hadoop.fs.Path(KernelActions.fileStatus(scanFile).getPath());
    try (ParquetFileReader r =
        ParquetFileReader.open(HadoopInputFile.fromPath(p, new Configuration()))) {
      return r.getFooter();
    }
  }

  /** Per column of the first row group: codec, encodings, type; what a reader depends on. */
  private static List<String> chunkShapes(ParquetMetadata footer) {
    List<String> out = new ArrayList<>();
    BlockMetaData b = footer.getBlocks().get(0);
    for (ColumnChunkMetaData c : b.getColumns()) {
      List<Encoding> enc = new ArrayList<>(c.getEncodings());
      enc.sort(null);
      out.add(c.getPath() + " " + c.getCodec() + " " + enc + " " + c.getPrimitiveType());
    }
    return out;
  }

  @Test
  void rowsWhoseColumnTypeDiffersFromTheFileSchemaAreRefused() {
    // Same name, another width: an INT32 chunk must never receive the longs of a LONG column.
    StructType rowsSchema = new StructType().add("n", LongType.LONG, true);
    StructType fileSchema =
        new StructType().add("n", io.delta.kernel.types.IntegerType.INTEGER, true);
    Columns rows = Columns.allocate(rowsSchema, 3);
    for (int i = 0; i < 3; i++) {
      rows.setLong(i, 0, 1L << 40 | i);
    }
    assertThatThrownBy(
            () ->
                new ColumnsParquetWriter(conf())
                    .write(dir.resolve("typed").toString(), rows, 0, 3, fileSchema, List.of()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("column n is long in the rows but integer in the file schema");
  }
}
