package dev.frip.lakehouse.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.frip.lakehouse.SchemaMismatchException;
import io.delta.kernel.defaults.engine.DefaultEngine;
import io.delta.kernel.engine.Engine;
import io.delta.kernel.types.BooleanType;
import io.delta.kernel.types.DateType;
import io.delta.kernel.types.DoubleType;
import io.delta.kernel.types.FloatType;
import io.delta.kernel.types.IntegerType;
import io.delta.kernel.types.LongType;
import io.delta.kernel.types.StringType;
import io.delta.kernel.types.StructType;
import io.delta.kernel.types.TimestampType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DeltaTableTest {

  @TempDir Path dir;

  private final Configuration conf = new Configuration();
  private final Engine engine = DefaultEngine.create(conf);
  private static final LocalDate D1 = LocalDate.parse("2026-02-25");
  private static final LocalDate D2 = LocalDate.parse("2026-02-26");

  private static final StructType SCHEMA =
      new StructType()
          .add("id", StringType.STRING, false)
          .add("amount", LongType.LONG, true)
          .add("score", DoubleType.DOUBLE, true)
          .add("ratio", FloatType.FLOAT, true)
          .add("n", IntegerType.INTEGER, true)
          .add("flag", BooleanType.BOOLEAN, true)
          .add("at", TimestampType.TIMESTAMP, true)
          .add("event_date", DateType.DATE, false);

  private DeltaTable table(StructType schema) {
    return new DeltaTable(engine, dir.resolve("t").toString(), schema, "event_date", 0, conf);
  }

  private static Object[] row(String id, long amount, LocalDate d) {
    return new Object[] {
      id, amount, 0.5, 0.25f, 3, true, Instant.parse("2026-02-25T12:00:00.000001Z"), d
    };
  }

  private static List<Object[]> rows(Object[]... rs) {
    return java.util.Arrays.asList(rs);
  }

  private List<Object[]> readAll(DeltaTable t) {
    List<Object[]> out = new ArrayList<>();
    t.scan(null, SCHEMA.fieldNames(), out::add);
    return out;
  }

  @Test
  void appendsAcrossPartitionsInOneCommitAndReadsEveryTypeBack() {
    DeltaTable t = table(SCHEMA);
    long v = t.append(rows(row("a", 1, D1), row("b", 2, D2)), Map.of());
    assertThat(v).isEqualTo(1); // version 0 created the table
    List<Object[]> rows = readAll(t);
    assertThat(rows).hasSize(2);
    Object[] a = rows.stream().filter(r -> r[0].equals("a")).findFirst().orElseThrow();
    assertThat(a)
        .containsExactly(
            "a", 1L, 0.5, 0.25f, 3, true, Instant.parse("2026-02-25T12:00:00.000001Z"), D1);
  }

  @Test
  void replacingAPartitionIsAtomicAndIdempotent() {
    DeltaTable t = table(SCHEMA);
    t.append(rows(row("a", 1, D1), row("b", 2, D1), row("c", 3, D2)), Map.of());

    t.replacePartition(D1, rows(row("x", 9, D1)));
    long v = t.replacePartition(D1, rows(row("x", 9, D1)));

    List<Object[]> d1 = new ArrayList<>();
    t.scan(DeltaTable.dateEquals("event_date", D1), List.of("id", "amount"), d1::add);
    assertThat(d1).hasSize(1);
    assertThat(d1.get(0)).containsExactly("x", 9L);
    assertThat(readAll(t)).extracting(r -> r[0]).containsExactlyInAnyOrder("x", "c");
    assertThat(t.version()).isEqualTo(v);
  }

  @Test
  void deletesOnlyThePartitionsFilesThatTheLatestVersionNoLongerReferences() throws Exception {
    DeltaTable t = table(SCHEMA);
    assertThat(t.deleteUnreferencedFiles(D1, conf)).isZero(); // no table yet
    t.append(rows(row("a", 1, D1), row("c", 3, D2)), Map.of());
    t.replacePartition(D1, columns(4, D1), 2);
    t.replacePartition(D1, columns(6, D1), 2);
    Path d1 = dir.resolve("t").resolve("event_date=" + D1);
    Path d2 = dir.resolve("t").resolve("event_date=" + D2);
    int live = t.fileCount(D1);
    assertThat(parquetFiles(d1)).hasSizeGreaterThan(live); // the first append's and replace's
    List<String> d2Before = parquetFiles(d2);
    long logFiles = Files.list(dir.resolve("t").resolve("_delta_log")).count();

    int deleted = t.deleteUnreferencedFiles(D1, conf);

    assertThat(deleted).isEqualTo(1 + Math.min(Runtime.getRuntime().availableProcessors(), 2));
    assertThat(parquetFiles(d1)).hasSize(live);
    try (var files = Files.list(d1)) { // the checksums of deleted files went with them
      assertThat(files.filter(p -> p.getFileName().toString().endsWith(".crc"))).hasSize(live);
    }
    assertThat(parquetFiles(d2)).isEqualTo(d2Before);
    assertThat(Files.list(dir.resolve("t").resolve("_delta_log")).count()).isEqualTo(logFiles);
    Columns read = t.read(DeltaTable.dateEquals("event_date", D1), SCHEMA);
    assertThat(read.size()).isEqualTo(6);
    assertThat(readAll(t)).hasSize(7);
    assertThat(t.deleteUnreferencedFiles(D1, conf)).isZero(); // nothing left to delete
    assertThat(t.deleteUnreferencedFiles(LocalDate.parse("2026-03-01"), conf)).isZero();
  }

  private static List<String> parquetFiles(Path partition) throws Exception {
    try (var files = Files.list(partition)) {
      return files
          .map(p -> p.getFileName().toString())
          .filter(n -> n.endsWith(".parquet") && !n.startsWith("."))
          .sorted()
          .toList();
    }
  }

  private static Columns columns(int n, LocalDate d) {
    Columns c = Columns.allocate(SCHEMA, n);
    for (int i = 0; i < n; i++) {
      Object[] r = row("c" + i, i, d);
      for (int col = 0; col < r.length; col++) {
        c.set(i, col, i % 3 == 1 && col > 0 && col < 7 ? null : r[col]);
      }
    }
    return c;
  }

  @Test
  void columnarReplaceWritesRangesInParallelAndReadsBackColumnar() {
    DeltaTable t = table(SCHEMA);
    t.append(rows(row("old", 1, D1), row("other", 2, D2)), Map.of());
    Columns written = columns(10, D1);
    t.replacePartition(D1, written, 2);
    assertThat(t.fileCount(D1)).isEqualTo(Math.min(Runtime.getRuntime().availableProcessors(), 5));
    Columns read = t.read(DeltaTable.dateEquals("event_date", D1), SCHEMA);
    assertThat(read.size()).isEqualTo(10);
    List<List<Object>> want = new ArrayList<>();
    List<List<Object>> got = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      want.add(java.util.Arrays.asList(written.row(i)));
      got.add(java.util.Arrays.asList(read.row(i)));
    }
    assertThat(got).containsExactlyInAnyOrderElementsOf(want);
    assertThat(want.get(1)).containsExactly("c1", null, null, null, null, null, null, D1);
    assertThat(want.get(2).get(6)).isEqualTo(Instant.parse("2026-02-25T12:00:00.000001Z"));
    assertThat(readAll(t)).hasSize(11); // D2 untouched
    assertThat(read.select(new int[] {0}).size()).isEqualTo(1);
  }

  @Test
  void pooledColumnsShareOneInstancePerValueAcrossFilesAndTables() {
    DeltaTable t = table(SCHEMA);
    t.append(rows(row("u1", 1, D1), row("u2", 2, D1)), Map.of());
    t.append(rows(row("u1", 3, D2), row("u2", 4, D2), row("u3", 5, D2)), Map.of());
    DeltaTable other =
        new DeltaTable(engine, dir.resolve("o").toString(), SCHEMA, "event_date", 0, conf);
    other.replacePartition(D1, columns(3, D1), 1);
    StringPool pool = new StringPool();
    Columns read = t.read(null, SCHEMA, Map.of("id", pool));
    Columns plain = t.read(null, SCHEMA);
    Columns more = other.read(null, SCHEMA, Map.of("id", pool));

    assertThat(read.size()).isEqualTo(5);
    for (int r = 0; r < read.size(); r++) {
      assertThat(read.row(r)).containsExactly(plain.row(r)); // same rows, same order
      assertThat(read.getString(r, 0)).isSameAs(pool.intern(new String(read.getString(r, 0))));
    }
    assertThat(pool.size()).isEqualTo(3 + 3); // u1..u3, c0..c2
    assertThat(more.getString(0, 0)).isSameAs(pool.intern("c0"));
    // Rows read with Kernel (a file with a deletion vector, or not written by Kernel) are pooled
    // after the read, the same way.
    Columns kernelRead = Columns.allocate(SCHEMA, 3);
    kernelRead.setString(0, 0, new String("u1"));
    kernelRead.setString(1, 0, new String("u9"));
    kernelRead.intern(new StringPool[] {pool, null, null, null, null, null, null, null});
    assertThat(kernelRead.getString(0, 0)).isSameAs(read.getString(0, 0));
    assertThat(kernelRead.getString(1, 0)).isSameAs(pool.intern(new String("u9")));
    assertThat(kernelRead.getString(2, 0)).isNull(); // never set: stays null
  }

  @Test
  void columnarReplaceRefusesAnotherPartitionANullInARequiredColumnAndAnotherSchema() {
    DeltaTable t = table(SCHEMA);
    assertThatThrownBy(() -> t.replacePartition(D2, columns(2, D1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("event_date=2026-02-25 in a replace of partition 2026-02-26");
    Columns missingId = columns(2, D1);
    missingId.setString(1, 0, null);
    assertThatThrownBy(() -> t.replacePartition(D1, missingId))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("column id is not nullable");
    StructType other = new StructType().add("id", StringType.STRING, false);
    assertThatThrownBy(() -> t.replacePartition(D1, Columns.allocate(other, 0)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("rows have schema");
    assertThat(t.version()).isEqualTo(0);
  }

  @Test
  void columnarReadOfAMissingTableIsEmptyAndAWrongTypeIsNamed() {
    DeltaTable t = table(SCHEMA);
    assertThat(t.read(null, SCHEMA).size()).isZero();
    t.append(rows(row("a", 1, D1)), Map.of());
    StructType wrong = new StructType().add("amount", StringType.STRING, true);
    assertThatThrownBy(() -> t.read(null, wrong))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("column amount")
        .hasMessageContaining("expected string");
    StructType array =
        new StructType()
            .add("tags", new io.delta.kernel.types.ArrayType(StringType.STRING, true), true);
    assertThatThrownBy(() -> Columns.allocate(array, 1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("column tags");
  }

  @Test
  void replaceRefusesRowsOfAnotherPartition() {
    DeltaTable t = table(SCHEMA);
    assertThatThrownBy(() -> t.replacePartition(D1, rows(row("x", 9, D2))))
        .hasMessageContaining("event_date=2026-02-26")
        .hasMessageContaining("partition 2026-02-25");
  }

  @Test
  void partitionPredicatePrunesFiles() {
    DeltaTable t = table(SCHEMA);
    t.append(rows(row("a", 1, D1), row("b", 2, D2)), Map.of());
    List<Object[]> rows = new ArrayList<>();
    t.scan(DeltaTable.dateBetween("event_date", D2, D2.plusDays(3)), List.of("id"), rows::add);
    assertThat(rows).extracting(r -> r[0]).containsExactly("b");
  }

  @Test
  void incompatibleSchemaIsRefusedNamingTheColumnsAndNothingIsWritten() throws Exception {
    table(SCHEMA).append(rows(row("a", 1, D1)), Map.of());
    StructType changed =
        new StructType()
            .add("id", StringType.STRING, false)
            .add("amount", IntegerType.INTEGER, true)
            .add("extra", StringType.STRING, true)
            .add("event_date", DateType.DATE, false);
    long before = table(SCHEMA).version();

    assertThatThrownBy(() -> table(changed).append(rows(new Object[] {"z", 1, "e", D1}), Map.of()))
        .isInstanceOf(SchemaMismatchException.class)
        .hasMessageContaining("column amount: table has long, write has integer")
        .hasMessageContaining("column extra (string) is not in the table")
        .hasMessageContaining("column score (double) is missing from the write")
        .hasMessageContaining("Nothing was written");
    assertThat(table(SCHEMA).version()).isEqualTo(before);
    assertThat(readAll(table(SCHEMA))).hasSize(1);
  }

  @Test
  void partitioningMismatchIsRefused() {
    table(SCHEMA).append(rows(row("a", 1, D1)), Map.of());
    DeltaTable unpartitioned = new DeltaTable(engine, dir.resolve("t").toString(), SCHEMA, null, 0);
    assertThatThrownBy(unpartitioned::ensureCreated)
        .isInstanceOf(SchemaMismatchException.class)
        .hasMessageContaining("partition columns: table has [event_date], write has []");
  }

  @Test
  void wrongValueTypeNamesTheColumn() {
    DeltaTable t = table(SCHEMA);
    Object[] bad = row("a", 1, D1);
    bad[4] = "three";
    assertThatThrownBy(() -> t.append(List.<Object[]>of(bad), Map.of()))
        .hasMessageContaining("column n has type integer, cannot store a String");
  }

  @Test
  void txnVersionIsCheckedForEveryAppId() {
    DeltaTable t = table(SCHEMA);
    t.append(rows(row("a", 1, D1)), Map.of("app-1", 5L, "app-2", 7L));
    assertThat(t.transactionVersion("app-2")).contains(7L);
    Map<String, Long> stale = new java.util.LinkedHashMap<>();
    stale.put("app-1", 6L);
    stale.put("app-2", 7L);
    assertThatThrownBy(() -> t.append(rows(row("b", 1, D1)), stale))
        .isInstanceOf(io.delta.kernel.exceptions.ConcurrentWriteException.class)
        .hasMessageContaining("app-2");
    assertThat(readAll(t)).hasSize(1);
  }

  @Test
  void readingAMissingTableYieldsNothing() {
    DeltaTable t = DeltaTable.forReading(engine, dir.resolve("none").toString());
    assertThat(t.columns()).isEmpty();
    assertThat(t.version()).isEqualTo(-1);
    List<Object[]> rows = new ArrayList<>();
    t.scan(null, List.of("id"), rows::add);
    assertThat(rows).isEmpty();
    assertThat(Files.exists(dir.resolve("none"))).isFalse();
  }

  @Test
  void unknownColumnInProjectionIsNamed() {
    DeltaTable t = table(SCHEMA);
    t.append(rows(row("a", 1, D1)), Map.of());
    assertThatThrownBy(() -> t.scan(null, List.of("nope"), r -> {}))
        .hasMessageContaining("column nope is not in table");
  }
}
