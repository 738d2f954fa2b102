package dev.frip.lakehouse.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.delta.kernel.types.DoubleType;
import io.delta.kernel.types.IntegerType;
import io.delta.kernel.types.LongType;
import io.delta.kernel.types.StringType;
import io.delta.kernel.types.StructType;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.apache.parquet.column.ColumnDescriptor;
import org.apache.parquet.column.ParquetProperties;
import org.junit.jupiter.api.Test;

class DistinctSampleTest {

  private static final StructType SCHEMA =
      new StructType()
          .add("s", StringType.STRING, true)
          .add("l", LongType.LONG, true)
          .add("i", IntegerType.INTEGER, true)
          .add("d", DoubleType.DOUBLE, true);

  @Test
  void countsDistinctNonNullValuesExactlyAgainstAHashSet() {
    Random random = new Random(11);
    int n = 20_000;
    Columns rows = Columns.allocate(SCHEMA, n);
    double[] specials = {0.0, -0.0, Double.NaN, Double.POSITIVE_INFINITY, 1e-300};
    for (int r = 0; r < n; r++) {
      int k = random.nextInt(3_000);
      rows.setString(r, 0, r % 10 == 0 ? null : (k % 7 == 0 ? "ü-" : "k-") + k);
      if (r % 9 == 0) {
        rows.setNull(r, 1);
      } else {
        rows.setLong(r, 1, k * 1_000_003L - 5);
      }
      rows.setInt(r, 2, k % 100 - 50);
      rows.setDouble(r, 3, k % 11 == 0 ? specials[k % specials.length] : k / 3.0);
    }
    for (int c = 0; c < SCHEMA.length(); c++) {
      for (int[] range : new int[][] {{0, n}, {5, 17}, {1_000, 9_000}, {7, 7}}) {
        Set<Object> want = new HashSet<>();
        int values = 0;
        for (int r = range[0]; r < range[1]; r++) {
          Object v = rows.value(r, c);
          if (v != null) {
            values++;
            want.add(v instanceof Double d ? Double.doubleToRawLongBits(d) : v);
          }
        }
        DistinctSample got = DistinctSample.of(rows, c, range[0], range[1]);
        assertThat(got.values()).as("column %d %d..%d", c, range[0], range[1]).isEqualTo(values);
        assertThat(got.distinct())
            .as("column %d %d..%d", c, range[0], range[1])
            .isEqualTo(want.size());
      }
    }
  }

  @Test
  void averageBytesIsTheUtf8LengthOfAsciiValuesAndAnUpperBoundOtherwise() {
    Columns rows = Columns.allocate(SCHEMA, 4);
    rows.setString(0, 0, "abcd");
    rows.setString(1, 0, "ef");
    rows.setNull(2, 0);
    rows.setString(3, 0, "xyzxyz");
    assertThat(DistinctSample.of(rows, 0, 0, 4).averageBytes()).isEqualTo(4);
    rows.setString(1, 0, "é"); // 2 bytes in UTF-8, counted as at most 3
    assertThat(DistinctSample.of(rows, 0, 0, 4).averageBytes()).isEqualTo((4 + 3 + 6) / 3);
  }

  @Test
  void expectedDistinctIsAllRowsWithoutRepeatsAndTheDomainWithMany() {
    assertThat(new DistinctSample(1000, 1000, 0).expectedDistinct(50_000)).isEqualTo(50_000);
    // 16,384 uniform draws from 1,000 values: every value seen, the domain is the limit.
    assertThat(new DistinctSample(16_384, 1_000, 0).expectedDistinct(1_000_000))
        .isLessThan(140_000);
    // Draws from a domain of 200,000: about n^2 / 2D = 671 repeats in 16,384.
    double estimate = new DistinctSample(16_384, 16_384 - 671, 0).expectedDistinct(1_000_000);
    assertThat(estimate).isCloseTo(200_000 * (1 - Math.exp(-5)), within(10_000.0));
  }

  @Test
  void onlyColumnsWhoseDictionaryWouldOverflowAreWrittenPlain() {
    int n = 200_000;
    StructType schema =
        new StructType()
            .add("id", StringType.STRING, false) // unique: 200k x (4 + 9) bytes
            .add("at", LongType.LONG, false) // unique: 200k x 8 bytes = 1.6 MB, under 2x 1 MB
            .add("code", StringType.STRING, true) // 50 values
            .add("small", IntegerType.INTEGER, true) // unique: 200k x 4 bytes
            .add("wide", LongType.LONG, true); // unique, but only its first rows are sampled
    Columns rows = Columns.allocate(schema, n);
    for (int r = 0; r < n; r++) {
      rows.setString(r, 0, String.format("id-%06d", r));
      rows.setLong(r, 1, 1_700_000_000_000_000L + r * 977L);
      rows.setString(r, 2, "c" + r % 50);
      rows.setInt(r, 3, r);
      rows.setLong(r, 4, r < 2_000 ? r % 3 : r);
    }
    List<ColumnDescriptor> columns = ColumnsParquetWriter.parquetSchema(schema).getColumns();
    int[] source = {0, 1, 2, 3, 4};
    ParquetProperties props = ParquetProperties.builder().build();
    ParquetProperties chosen =
        ColumnsParquetWriter.plainWhereDistinct(props, columns, rows, source, 0, n);
    assertThat(columns.stream().map(chosen::isDictionaryEnabled))
        .containsExactly(false, true, true, true, true);
    // A smaller limit: the timestamps' 1.6 MB now overflow it twice over.
    ParquetProperties smaller =
        ParquetProperties.builder().withDictionaryPageSize(512 * 1024).build();
    assertThat(
            columns.stream()
                .map(
                    ColumnsParquetWriter.plainWhereDistinct(smaller, columns, rows, source, 0, n)
                        ::isDictionaryEnabled))
        .containsExactly(false, false, true, true, true);
    // Dictionary encoding turned off by the configuration stays off; nothing is turned on.
    ParquetProperties off = ParquetProperties.builder().withDictionaryEncoding(false).build();
    assertThat(ColumnsParquetWriter.plainWhereDistinct(off, columns, rows, source, 0, n))
        .isSameAs(off);
    // Too few rows to judge: left to parquet-mr.
    assertThat(ColumnsParquetWriter.plainWhereDistinct(props, columns, rows, source, 0, 500))
        .isSameAs(props);
  }
}
