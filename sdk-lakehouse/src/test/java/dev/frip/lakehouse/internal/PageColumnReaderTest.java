package dev.frip.lakehouse.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.delta.kernel.expressions.Column;
import io.delta.kernel.types.DateType;
import io.delta.kernel.types.DoubleType;
import io.delta.kernel.types.FloatType;
import io.delta.kernel.types.IntegerType;
import io.delta.kernel.types.LongType;
import io.delta.kernel.types.StringType;
import io.delta.kernel.types.StructType;
import io.delta.kernel.types.TimestampType;
import io.delta.kernel.utils.DataFileStatus;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.hadoop.conf.Configuration;
import org.apache.parquet.bytes.HeapByteBufferAllocator;
import org.apache.parquet.column.values.rle.RunLengthBitPackingHybridEncoder;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.hadoop.metadata.ColumnChunkMetaData;
import org.apache.parquet.hadoop.util.HadoopInputFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The page decoder against parquet-mr's: its RLE / bit-packed runs against parquet-mr's encoder,
 * and whole files of every supported type, with nulls, dictionaries that hold and ones that fall
 * back, in both page formats, read cell for cell as parquet-mr's column readers read them.
 */
class PageColumnReaderTest {

  @TempDir Path dir;

  private static final StructType SCHEMA =
      new StructType()
          .add("id", StringType.STRING, false)
          .add("code", StringType.STRING, true)
          .add("text", StringType.STRING, true)
          .add("amount", LongType.LONG, true)
          .add("at", TimestampType.TIMESTAMP, false)
          .add("n", IntegerType.INTEGER, true)
          .add("day", DateType.DATE, true)
          .add("score", DoubleType.DOUBLE, true)
          .add("ratio", FloatType.FLOAT, true)
          .add("few", DoubleType.DOUBLE, true);

  @Test
  void hybridRunsDecodeAsParquetMrEncodesThem() throws IOException {
    Random random = new Random(5);
    for (int w = 0; w <= 32; w++) {
      int bitWidth = w;
      int n = 1 + random.nextInt(3_000);
      int[] values = new int[n];
      long bound = 1L << bitWidth;
      for (int i = 0; i < n; i++) {
        boolean repeat = i > 0 && random.nextInt(4) != 0;
        values[i] = repeat ? values[i - 1] : (int) (random.nextLong() & (bound - 1));
        if (random.nextInt(50) == 0) {
          for (int k = i + 1; k < Math.min(n, i + 40); k++) {
            values[k] = values[i]; // a long run
          }
          i = Math.min(n, i + 40) - 1;
        }
      }
      byte[] encoded;
      try (RunLengthBitPackingHybridEncoder e =
          new RunLengthBitPackingHybridEncoder(
              bitWidth, 64, 64 * 1024, HeapByteBufferAllocator.getInstance())) {
        for (int v : values) {
          e.writeInt(v);
        }
        encoded = e.toBytes().toByteArray();
      }
      int[] decoded = new int[n];
      PageColumnReader.decodeHybrid(encoded, 0, encoded.length, bitWidth, decoded, n, "c");
      assertThat(decoded).as("bit width %d", bitWidth).isEqualTo(values);
      if (encoded.length > 1) {
        byte[] cut = Arrays.copyOf(encoded, encoded.length / 2);
        assertThatThrownBy(
                () -> PageColumnReader.decodeHybrid(cut, 0, cut.length, bitWidth, decoded, n, "c"))
            .as("bit width %d, truncated", bitWidth)
            .isInstanceOf(IOException.class)
            .hasMessageContaining("column c");
      }
    }
  }

  @Test
  void filesOfBothPageVersionsReadAsParquetMrReadsThem() throws Exception {
    for (String version : List.of("v1", "v2")) {
      for (boolean dictionary : List.of(true, false)) {
        Configuration conf = new Configuration();
        conf.set("parquet.writer.version", version);
        conf.setBoolean("parquet.enable.dictionary", dictionary);
        conf.setInt("parquet.page.size", 16 * 1024); // many pages per chunk
        conf.set("parquet.compression", "SNAPPY");
        Columns written = rows(40_000, new Random(version.hashCode() + (dictionary ? 1 : 0)));
        List<String> files = write(conf, written, version + "-" + dictionary);
        int decodedHere = 0;
        for (String file : files) {
          decodedHere += supportedChunks(file);
          Columns mr =
              new ColumnsParquetReader(conf, false).read(file, SCHEMA, Map.of(), null).get();
          Columns pages = new ColumnsParquetReader(conf).read(file, SCHEMA, Map.of(), null).get();
          assertThat(pages.size()).isEqualTo(mr.size());
          for (int r = 0; r < mr.size(); r++) {
            assertThat(pages.row(r))
                .as("%s %s row %d", version, dictionary, r)
                .containsExactly(mr.row(r));
          }
        }
        // v1 pages: every column here; v2: parquet-mr's delta encodings are left to it.
        assertThat(decodedHere).as("%s %s", version, dictionary).isPositive();
        if (version.equals("v1")) {
          assertThat(decodedHere).isEqualTo(files.size() * SCHEMA.length());
        }
      }
    }
  }

  @Test
  void aPoolGivesTheStringsOfPlainAndDictionaryPages() throws Exception {
    Configuration conf = new Configuration();
    Columns written = rows(5_000, new Random(3));
    String file = write(conf, written, "pooled").get(0);
    StringPool[] pools = new StringPool[SCHEMA.length()];
    pools[0] = new StringPool();
    pools[1] = pools[0];
    Columns read = new ColumnsParquetReader(conf).read(file, SCHEMA, Map.of(), pools).get();
    for (int r = 0; r < read.size(); r++) {
      assertThat(read.getString(r, 0)).isSameAs(pools[0].intern(written.getString(r, 0)));
      String code = read.getString(r, 1);
      assertThat(code).isEqualTo(written.getString(r, 1));
      if (code != null) {
        assertThat(code).isSameAs(pools[0].intern(code));
      }
    }
  }

  private static Columns rows(int n, Random random) {
    Columns c = Columns.allocate(SCHEMA, n);
    String[] texts = {"", "héllo", "日本語", "emoji 🚀", "a\u0000b"};
    for (int r = 0; r < n; r++) {
      c.setString(r, 0, "payment-" + random.nextLong());
      c.setString(r, 1, r % 9 == 0 ? null : "code-" + random.nextInt(30));
      c.setString(r, 2, r % 4 == 0 ? null : texts[r % texts.length] + random.nextInt());
      if (r % 7 == 0) {
        c.setNull(r, 3);
      } else {
        c.setLong(r, 3, random.nextLong());
      }
      c.setLong(r, 4, 1_772_400_000_000_000L + r * 1_000_003L);
      if (r % 5 == 0) {
        c.setNull(r, 5);
      } else {
        c.setInt(r, 5, random.nextInt(100) - 50);
      }
      c.setInt(r, 6, 20_000 + random.nextInt(10));
      if (r % 3 == 0) {
        c.setNull(r, 7);
      } else {
        c.setDouble(r, 7, r % 11 == 0 ? Double.NaN : random.nextGaussian());
      }
      c.setDouble(r, 8, (float) random.nextGaussian());
      c.setDouble(r, 9, r % 2 == 0 ? -0.0 : 0.25 * random.nextInt(8));
    }
    return c;
  }

  private List<String> write(Configuration conf, Columns rows, String name) {
    List<Column> stats = new ArrayList<>();
    for (int c = 0; c < SCHEMA.length(); c++) {
      stats.add(new Column(SCHEMA.at(c).getName()));
    }
    List<String> files = new ArrayList<>();
    for (DataFileStatus s :
        new ColumnsParquetWriter(conf)
            .write(dir.resolve(name).toString(), rows, 0, rows.size(), SCHEMA, stats)) {
      files.add(s.getPath());
    }
    return files;
  }

  private static int supportedChunks(String file) throws IOException {
    try (ParquetFileReader r =
        ParquetFileReader.open(
            HadoopInputFile.fromPath(new org.apache.hadoop.fs.Path(file), new Configuration()))) {
      int supported = 0;
      var schema = r.getFooter().getFileMetaData().getSchema();
      for (ColumnChunkMetaData chunk : r.getRowGroups().get(0).getColumns()) {
        if (PageColumnReader.supports(
            chunk, schema.getColumnDescription(chunk.getPath().toArray()))) {
          supported++;
        }
      }
      return supported;
    }
  }

  @Test
  void aFileWithAnEmptyRowGroupReadsWhole() throws Exception {
    // Written by pyarrow 25.0.1 (script in the commit that added it): row groups of 300, 0 and 300
    // rows, delta encodings, which this decoder leaves to parquet-mr. parquet-mr skips the empty
    // group; the chunk metadata used to pick the decoder must skip it too.
    String file =
        Path.of(getClass().getResource("/parquet/empty-row-group.parquet").toURI()).toString();
    StructType schema =
        new StructType()
            .add("s", StringType.STRING, true)
            .add("l", LongType.LONG, true)
            .add("d", DoubleType.DOUBLE, true);
    Configuration conf = new Configuration();
    Columns mr = new ColumnsParquetReader(conf, false).read(file, schema, Map.of(), null).get();
    Columns pages = new ColumnsParquetReader(conf).read(file, schema, Map.of(), null).get();
    assertThat(mr.size()).isEqualTo(600);
    assertThat(pages.size()).isEqualTo(600);
    for (int r = 0; r < mr.size(); r++) {
      assertThat(pages.row(r)).as("row %d", r).containsExactly(mr.row(r));
    }
    assertThat(mr.row(301)).containsExactly("u1-é", -1_000_000_000_000L, 0.5);
  }
}
