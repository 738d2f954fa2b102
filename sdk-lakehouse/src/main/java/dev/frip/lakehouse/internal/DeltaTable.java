package dev.frip.lakehouse.internal;

import dev.frip.lakehouse.SchemaMismatchException;
import io.delta.kernel.DataWriteContext;
import io.delta.kernel.Operation;
import io.delta.kernel.Scan;
import io.delta.kernel.Snapshot;
import io.delta.kernel.Table;
import io.delta.kernel.Transaction;
import io.delta.kernel.TransactionBuilder;
import io.delta.kernel.TransactionCommitResult;
import io.delta.kernel.data.ArrayValue;
import io.delta.kernel.data.ColumnVector;
import io.delta.kernel.data.ColumnarBatch;
import io.delta.kernel.data.FilteredColumnarBatch;
import io.delta.kernel.data.Row;
import io.delta.kernel.engine.Engine;
import io.delta.kernel.engine.FileReadResult;
import io.delta.kernel.exceptions.CheckpointAlreadyExistsException;
import io.delta.kernel.exceptions.TableNotFoundException;
import io.delta.kernel.expressions.Column;
import io.delta.kernel.expressions.Literal;
import io.delta.kernel.expressions.Predicate;
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
import io.delta.kernel.utils.CloseableIterable;
import io.delta.kernel.utils.CloseableIterator;
import io.delta.kernel.utils.DataFileStatus;
import io.delta.kernel.utils.FileStatus;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Consumer;
import java.util.stream.IntStream;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One Delta table written and read through Delta Kernel: created on first use with a fixed schema
 * and an optional {@code DateType} partition column, appended in one commit per batch across
 * partitions, a partition replaced atomically, small files compacted, a checkpoint every N commits.
 *
 * <p>Rows are {@code Object[]} in schema order holding Java domain values ({@link Instant} for
 * timestamps, {@link LocalDate} for dates). Every write first checks that the table's schema is the
 * writer's, and refuses with {@link SchemaMismatchException} otherwise.
 */
public final class DeltaTable {

  private static final Logger LOG = LoggerFactory.getLogger(DeltaTable.class);

  /** Rows per Parquet file below which a columnar partition is not split for parallel writes. */
  static final int MIN_ROWS_PER_PARALLEL_FILE = 250_000;

  static final String ENGINE_INFO = "frip-sdk-lakehouse/0.1.0";

  private final Engine engine;
  private final String path;
  private final StructType schema;
  private final String partitionColumn;
  private final int partitionOrdinal;
  private final int checkpointInterval;
  private final ColumnsParquetWriter columnsWriter;
  private final ColumnsParquetReader columnsReader;

  /**
   * @param partitionColumn name of a {@code DateType} column to partition by, or {@code null}
   * @param checkpointInterval write a checkpoint at every version divisible by this (0 = never)
   */
  public DeltaTable(
      Engine engine,
      String path,
      StructType schema,
      String partitionColumn,
      int checkpointInterval) {
    this(engine, path, schema, partitionColumn, checkpointInterval, null);
  }

  /**
   * As {@link #DeltaTable(Engine, String, StructType, String, int)}, writing columnar partitions
   * ({@link #replacePartition(LocalDate, Columns)}) with FRIP's column-by-column Parquet writer
   * configured by {@code hadoopConf}, which must be the configuration {@code engine} was created
   * with (same codec, dictionary and file size settings as Kernel's writer), and reading columnar
   * ({@link #read}) data files without deletion vectors column by column. Without it (null) every
   * file is written and read by Kernel's row-by-row writer and reader.
   */
  public DeltaTable(
      Engine engine,
      String path,
      StructType schema,
      String partitionColumn,
      int checkpointInterval,
      Configuration hadoopConf) {
    this.columnsWriter = hadoopConf == null ? null : new ColumnsParquetWriter(hadoopConf);
    this.columnsReader = hadoopConf == null ? null : new ColumnsParquetReader(hadoopConf);
    this.engine = engine;
    this.path = path;
    this.schema = schema;
    this.partitionColumn = partitionColumn;
    this.partitionOrdinal =
        partitionColumn == null || schema == null ? -1 : schema.indexOf(partitionColumn);
    if (partitionColumn != null
        && schema != null
        && (partitionOrdinal < 0
            || !(schema.at(partitionOrdinal).getDataType() instanceof DateType))) {
      throw new IllegalArgumentException(
          "partition column " + partitionColumn + " must be a date column of " + schema);
    }
    this.checkpointInterval = checkpointInterval;
  }

  /** The table's location. */
  public String path() {
    return path;
  }

  /** The writer's schema. */
  public StructType schema() {
    return schema;
  }

  /** The latest snapshot, or empty when the table does not exist yet. */
  public Optional<Snapshot> snapshot() {
    try {
      return Optional.of(Table.forPath(engine, path).getLatestSnapshot(engine));
    } catch (TableNotFoundException e) {
      return Optional.empty();
    }
  }

  /** The latest committed version, or -1 when the table does not exist. */
  public long version() {
    return snapshot().map(Snapshot::getVersion).orElse(-1L);
  }

  /** The last version committed for a transaction id ({@code txn.appId}), if any. */
  public Optional<Long> transactionVersion(String appId) {
    return snapshot().flatMap(s -> s.getLatestTransactionVersion(engine, appId));
  }

  /** The last committed versions of several transaction ids, read from one snapshot. */
  public Map<String, Long> transactionVersions(List<String> appIds) {
    Map<String, Long> out = new LinkedHashMap<>();
    snapshot()
        .ifPresent(
            s -> {
              for (String id : appIds) {
                s.getLatestTransactionVersion(engine, id).ifPresent(v -> out.put(id, v));
              }
            });
    return out;
  }

  /** Creates the table (empty, version 0) when it does not exist; checks its schema otherwise. */
  public Snapshot ensureCreated() {
    Optional<Snapshot> existing = snapshot();
    if (existing.isPresent()) {
      checkSchema(existing.get());
      return existing.get();
    }
    TransactionBuilder b =
        Table.forPath(engine, path)
            .createTransactionBuilder(engine, ENGINE_INFO, Operation.CREATE_TABLE)
            .withSchema(engine, schema);
    if (partitionColumn != null) {
      b = b.withPartitionColumns(engine, List.of(partitionColumn));
    }
    try {
      b.build(engine).commit(engine, CloseableIterable.emptyIterable());
      LOG.info("created Delta table {}", path);
    } catch (RuntimeException e) {
      // Another writer may have created it first; that is fine if its schema is ours.
      if (snapshot().isEmpty()) {
        throw e;
      }
    }
    Snapshot s = snapshot().orElseThrow();
    checkSchema(s);
    return s;
  }

  /**
   * Appends rows in one commit, with one {@code txn} action per entry of {@code txns} (appId to
   * version). Returns the committed version, or the current version when there is nothing to do.
   *
   * @throws io.delta.kernel.exceptions.ConcurrentWriteException when another writer committed since
   *     the snapshot was read, or a txn id is already at or beyond its version
   */
  public long append(List<Object[]> rows, Map<String, Long> txns) {
    return append(rows, txns, () -> {});
  }

  /**
   * As {@link #append(List, Map)}, running {@code beforeCommit} after the Parquet files are written
   * and before the Delta commit (a test hook for crash tests).
   */
  public long append(List<Object[]> rows, Map<String, Long> txns, Runnable beforeCommit) {
    if (rows.isEmpty() && txns.isEmpty()) {
      return version();
    }
    Snapshot snap = ensureCreated();
    Transaction txn = newTransaction(txns, snap);
    List<Row> actions = new ArrayList<>();
    writeData(txn, rows, actions, false);
    addExtraTxns(txns, snap, actions);
    beforeCommit.run();
    return commit(txn, actions);
  }

  /**
   * Replaces every row of one partition with {@code rows} in one commit: removes the partition's
   * current files and adds the new ones, so readers see either the old or the new partition.
   */
  public long replacePartition(LocalDate date, List<Object[]> rows) {
    requirePartitioned();
    Snapshot snap = ensureCreated();
    List<Row> actions = new ArrayList<>();
    long now = System.currentTimeMillis();
    forEachScanFile(
        snap, partitionEquals(date), f -> actions.add(KernelActions.removeOf(f, true, now)));
    for (Object[] r : rows) {
      if (!date.equals(r[partitionOrdinal])) {
        throw new IllegalArgumentException(
            "row for "
                + partitionColumn
                + "="
                + r[partitionOrdinal]
                + " in a replace of partition "
                + date);
      }
    }
    Transaction txn = newTransaction(Map.of(), snap);
    writeData(txn, rows, actions, false);
    if (actions.isEmpty()) {
      return snap.getVersion();
    }
    return commit(txn, actions);
  }

  /**
   * As {@link #replacePartition(LocalDate, List)} for rows held column by column. A large partition
   * is written as several Parquet files in parallel, one row range per available processor (at
   * least {@value #MIN_ROWS_PER_PARALLEL_FILE} rows each).
   */
  public long replacePartition(LocalDate date, Columns rows) {
    return replacePartition(date, rows, MIN_ROWS_PER_PARALLEL_FILE);
  }

  /** As {@link #replacePartition(LocalDate, Columns)} with the given minimum rows per file. */
  long replacePartition(LocalDate date, Columns rows, int minRowsPerFile) {
    requirePartitioned();
    if (!rows.schema().equals(schema)) {
      throw new IllegalArgumentException(
          "rows have schema " + rows.schema() + ", table " + path + " has " + schema);
    }
    Snapshot snap = ensureCreated();
    List<Row> actions = new ArrayList<>();
    long now = System.currentTimeMillis();
    forEachScanFile(
        snap, partitionEquals(date), f -> actions.add(KernelActions.removeOf(f, true, now)));
    int day = (int) date.toEpochDay();
    for (int r = 0; r < rows.size(); r++) {
      if (rows.isNull(r, partitionOrdinal) || rows.getInt(r, partitionOrdinal) != day) {
        throw new IllegalArgumentException(
            "row for "
                + partitionColumn
                + "="
                + rows.value(r, partitionOrdinal)
                + " in a replace of partition "
                + date);
      }
    }
    Transaction txn = newTransaction(Map.of(), snap);
    if (rows.size() > 0) {
      int slices =
          Math.max(
              1,
              Math.min(Runtime.getRuntime().availableProcessors(), rows.size() / minRowsPerFile));
      int[] bounds = new int[slices + 1];
      for (int i = 0; i <= slices; i++) {
        bounds[i] = (int) ((long) rows.size() * i / slices);
      }
      rows.requireNonNullable(0, rows.size());
      Row state = txn.getTransactionState(engine);
      Map<String, Literal> pv = partitionValues(date);
      StructType physical = physicalSchema(state, rows, pv);
      if (columnsWriter != null && ColumnsParquetWriter.supports(physical)) {
        DataWriteContext ctx = Transaction.getWriteContext(engine, state, pv);
        List<List<DataFileStatus>> written =
            IntStream.range(0, slices)
                .parallel()
                .mapToObj(
                    i ->
                        columnsWriter.write(
                            ctx.getTargetDirectory(),
                            rows,
                            bounds[i],
                            bounds[i + 1],
                            physical,
                            ctx.getStatisticsColumns()))
                .toList();
        addActions(state, ctx, written, actions, false);
      } else {
        List<ColumnarBatch> batches = new ArrayList<>(slices);
        for (int i = 0; i < slices; i++) {
          batches.add(rows.batch(bounds[i], bounds[i + 1]));
        }
        writePartition(state, date, batches, actions, false);
      }
    }
    if (actions.isEmpty()) {
      return snap.getVersion();
    }
    return commit(txn, actions);
  }

  /**
   * Rewrites one partition's files into as few files as the Parquet writer makes, in one commit of
   * {@code remove} + {@code add} actions with {@code dataChange=false}. Returns the version, or the
   * current one when the partition has fewer than two files.
   */
  public long compactPartition(LocalDate date) {
    requirePartitioned();
    Snapshot snap = ensureCreated();
    List<Row> removes = new ArrayList<>();
    long now = System.currentTimeMillis();
    forEachScanFile(
        snap, partitionEquals(date), f -> removes.add(KernelActions.removeOf(f, false, now)));
    if (removes.size() < 2) {
      return snap.getVersion();
    }
    List<Object[]> rows = new ArrayList<>();
    scan(snap, partitionEquals(date), schema.fieldNames(), rows::add);
    Transaction txn = newTransaction(Map.of(), snap);
    List<Row> actions = new ArrayList<>(removes);
    writeData(txn, rows, actions, true);
    return commit(txn, actions);
  }

  /** A table to read only: no writer schema. */
  public static DeltaTable forReading(Engine engine, String path) {
    return forReading(engine, path, null);
  }

  /**
   * A table to read only, its columnar reads ({@link #read}) column by column with {@code
   * hadoopConf}, the configuration {@code engine} was created with (null: through Kernel).
   */
  public static DeltaTable forReading(Engine engine, String path, Configuration hadoopConf) {
    return new DeltaTable(engine, path, null, null, 0, hadoopConf);
  }

  private Predicate partitionEquals(LocalDate date) {
    return dateEquals(partitionColumn, date);
  }

  /** A predicate selecting one date partition. */
  public static Predicate dateEquals(String column, LocalDate date) {
    return new Predicate("=", new Column(column), Literal.ofDate((int) date.toEpochDay()));
  }

  /** A predicate selecting date partitions in {@code [from, to]}. */
  public static Predicate dateBetween(String column, LocalDate from, LocalDate to) {
    return new io.delta.kernel.expressions.And(
        new Predicate(">=", new Column(column), Literal.ofDate((int) from.toEpochDay())),
        new Predicate("<=", new Column(column), Literal.ofDate((int) to.toEpochDay())));
  }

  /** The column names of the existing table, or empty when it does not exist. */
  public List<String> columns() {
    return snapshot().map(s -> s.getSchema().fieldNames()).orElse(List.of());
  }

  /** Number of data files in a partition (for compaction decisions and tests). */
  public int fileCount(LocalDate date) {
    requirePartitioned();
    Optional<Snapshot> snap = snapshot();
    if (snap.isEmpty()) {
      return 0;
    }
    int[] n = {0};
    forEachScanFile(snap.get(), partitionEquals(date), f -> n[0]++);
    return n[0];
  }

  /**
   * Deletes the Parquet data files in partition {@code date}'s directory that the latest version
   * does not reference (left there by replaces and compactions, kept by Delta for readers of older
   * versions); returns how many. Older versions of the partition can no longer be read afterwards,
   * and files a concurrent writer has not committed yet would be lost: call it only when no reader
   * needs older versions and no one else writes the table.
   */
  public int deleteUnreferencedFiles(LocalDate date, Configuration hadoopConf) {
    requirePartitioned();
    Optional<Snapshot> snap = snapshot();
    if (snap.isEmpty()) {
      return 0;
    }
    Set<String> live = new HashSet<>();
    forEachScanFile(
        snap.get(),
        partitionEquals(date),
        f -> live.add(new Path(KernelActions.fileStatus(f).getPath()).getName()));
    Path dir = new Path(path, partitionColumn + "=" + date);
    int deleted = 0;
    try {
      FileSystem fs = dir.getFileSystem(hadoopConf);
      if (!fs.exists(dir)) {
        return 0;
      }
      for (org.apache.hadoop.fs.FileStatus f : fs.listStatus(dir)) {
        String name = f.getPath().getName();
        if (f.isFile()
            && name.endsWith(".parquet")
            && !name.startsWith(".")
            && !live.contains(name)
            && fs.delete(f.getPath(), false)) {
          deleted++;
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("deleting unreferenced files of " + dir, e);
    }
    return deleted;
  }

  /**
   * Reads the rows matching {@code filter} (partition pruning; may be null for all rows), projected
   * to {@code columns}, in domain values, passing each to {@code sink}.
   */
  public void scan(Predicate filter, List<String> columns, Consumer<Object[]> sink) {
    snapshot().ifPresent(s -> scan(s, filter, columns, sink));
  }

  /**
   * Reads the rows matching {@code filter} (may be null for all rows), projected to the fields of
   * {@code columns}, into a columnar table: no object per row. An absent table reads as no rows; a
   * column the table lacks or holds with another type is an error.
   */
  public Columns read(Predicate filter, StructType columns) {
    return read(filter, columns, Map.of());
  }

  /**
   * As {@link #read(Predicate, StructType)}, with the strings of the columns named in {@code pools}
   * taken from their pool: one instance per distinct value across every file read (and every read
   * given the same pool), for id columns that repeat across files.
   */
  public Columns read(Predicate filter, StructType columns, Map<String, StringPool> pools) {
    Optional<Snapshot> snap = snapshot();
    if (snap.isEmpty()) {
      return Columns.empty(columns, 0);
    }
    StructType readSchema = readSchema(snap.get(), columns.fieldNames());
    for (int c = 0; c < columns.length(); c++) {
      if (!readSchema.at(c).getDataType().equivalent(columns.at(c).getDataType())) {
        throw new IllegalArgumentException(
            "column "
                + columns.at(c).getName()
                + " of table "
                + path
                + " has type "
                + readSchema.at(c).getDataType()
                + ", expected "
                + columns.at(c).getDataType());
      }
    }
    Scan scan = newScan(snap.get(), filter, readSchema);
    Row scanState = scan.getScanState(engine);
    List<Row> files = scanFiles(scan);
    boolean direct = columnsReader != null && columnMappingOff(scanState, readSchema, snap.get());
    StringPool[] byColumn = new StringPool[readSchema.length()];
    for (int c = 0; c < byColumn.length; c++) {
      byColumn[c] = pools.get(readSchema.at(c).getName());
    }
    // Files are read in parallel and concatenated in scan order, as a sequential read would.
    List<Columns> parts =
        files.parallelStream()
            .map(
                f -> {
                  if (direct && !KernelActions.hasDeletionVector(f)) {
                    Optional<Columns> read =
                        columnsReader.read(
                            KernelActions.fileStatus(f).getPath(),
                            readSchema,
                            KernelActions.partitionValues(f),
                            byColumn);
                    if (read.isPresent()) {
                      return read.get();
                    }
                  }
                  Columns part = Columns.empty(readSchema, 1024);
                  readFile(scanState, f, readSchema, part::append);
                  part.intern(byColumn);
                  return part;
                })
            .toList();
    return Columns.concat(readSchema, parts);
  }

  /**
   * True when the data files hold the read columns under their own names (no column mapping): each
   * non-partition column is in Kernel's physical read schema with the same name and type.
   */
  private static boolean columnMappingOff(Row scanState, StructType readSchema, Snapshot snap) {
    StructType physical = KernelActions.physicalReadSchema(scanState);
    List<String> partitions = snap.getPartitionColumnNames();
    for (StructField f : readSchema.fields()) {
      if (partitions.contains(f.getName())) {
        continue;
      }
      int i = physical.indexOf(f.getName());
      if (i < 0 || !physical.at(i).getDataType().equivalent(f.getDataType())) {
        return false;
      }
    }
    return true;
  }

  /** Receives one batch of a scan: a vector per read column, in the order asked for. */
  @FunctionalInterface
  private interface BatchSink {
    void accept(ColumnVector[] vectors, int size, ColumnVector selection);
  }

  private void scan(
      Snapshot snap, Predicate filter, List<String> columns, Consumer<Object[]> sink) {
    StructType readSchema = readSchema(snap, columns);
    scanBatches(
        snap,
        filter,
        readSchema,
        (vectors, size, selection) -> {
          int n = vectors.length;
          for (int r = 0; r < size; r++) {
            if (selection != null && (selection.isNullAt(r) || !selection.getBoolean(r))) {
              continue;
            }
            Object[] row = new Object[n];
            for (int c = 0; c < n; c++) {
              row[c] = value(vectors[c], readSchema.at(c).getDataType(), r);
            }
            sink.accept(row);
          }
        });
  }

  private StructType readSchema(Snapshot snap, List<String> columns) {
    StructType tableSchema = snap.getSchema();
    List<StructField> fields = new ArrayList<>();
    for (String c : columns) {
      int i = tableSchema.indexOf(c);
      if (i < 0) {
        throw new IllegalArgumentException(
            "column "
                + c
                + " is not in table "
                + path
                + "; columns are "
                + tableSchema.fieldNames());
      }
      fields.add(tableSchema.at(i));
    }
    return new StructType(fields);
  }

  private void scanBatches(Snapshot snap, Predicate filter, StructType readSchema, BatchSink sink) {
    Scan scan = newScan(snap, filter, readSchema);
    Row scanState = scan.getScanState(engine);
    for (Row f : scanFiles(scan)) {
      readFile(scanState, f, readSchema, sink);
    }
  }

  private static Scan newScan(Snapshot snap, Predicate filter, StructType readSchema) {
    var sb = snap.getScanBuilder().withReadSchema(readSchema);
    if (filter != null) {
      sb = sb.withFilter(filter);
    }
    return sb.build();
  }

  /** The scan's data files (after partition pruning), in scan order. */
  private List<Row> scanFiles(Scan scan) {
    List<Row> out = new ArrayList<>();
    try (CloseableIterator<FilteredColumnarBatch> files = scan.getScanFiles(engine)) {
      while (files.hasNext()) {
        try (CloseableIterator<Row> rows = files.next().getRows()) {
          rows.forEachRemaining(out::add);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("listing files of Delta table " + path, e);
    }
    return out;
  }

  private void readFile(Row scanState, Row scanFile, StructType readSchema, BatchSink sink) {
    FileStatus status = KernelActions.fileStatus(scanFile);
    try (CloseableIterator<FilteredColumnarBatch> data =
        Scan.transformPhysicalData(
            engine,
            scanState,
            scanFile,
            engine
                .getParquetHandler()
                .readParquetFiles(
                    single(status), KernelActions.physicalReadSchema(scanState), Optional.empty())
                .map(FileReadResult::getData))) {
      while (data.hasNext()) {
        emit(data.next(), readSchema, sink);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("reading Delta table " + path, e);
    }
  }

  private static void emit(FilteredColumnarBatch fb, StructType readSchema, BatchSink sink) {
    ColumnarBatch b = fb.getData();
    int n = readSchema.length();
    ColumnVector[] vectors = new ColumnVector[n];
    for (int c = 0; c < n; c++) {
      vectors[c] = b.getColumnVector(b.getSchema().indexOf(readSchema.at(c).getName()));
    }
    sink.accept(vectors, b.getSize(), fb.getSelectionVector().orElse(null));
  }

  /** Reads one value of a column vector as a Java domain value. */
  static Object value(ColumnVector v, DataType t, int r) {
    if (v.isNullAt(r)) {
      return null;
    }
    if (t instanceof StringType) {
      return v.getString(r);
    } else if (t instanceof LongType) {
      return v.getLong(r);
    } else if (t instanceof IntegerType) {
      return v.getInt(r);
    } else if (t instanceof DoubleType) {
      return v.getDouble(r);
    } else if (t instanceof FloatType) {
      return v.getFloat(r);
    } else if (t instanceof BooleanType) {
      return v.getBoolean(r);
    } else if (t instanceof TimestampType) {
      long micros = v.getLong(r);
      return Instant.ofEpochSecond(
          Math.floorDiv(micros, 1_000_000L), Math.floorMod(micros, 1_000_000L) * 1000);
    } else if (t instanceof DateType) {
      return LocalDate.ofEpochDay(v.getInt(r));
    } else if (t instanceof ArrayType a) {
      ArrayValue array = v.getArray(r);
      ColumnVector elements = array.getElements();
      List<Object> out = new ArrayList<>(array.getSize());
      for (int i = 0; i < array.getSize(); i++) {
        out.add(value(elements, a.getElementType(), i));
      }
      return Collections.unmodifiableList(out);
    }
    throw new UnsupportedOperationException(
        "column type " + t + " is not supported by FRIP readers");
  }

  private Transaction newTransaction(Map<String, Long> txns, Snapshot snap) {
    TransactionBuilder b =
        Table.forPath(engine, path)
            .createTransactionBuilder(engine, ENGINE_INFO, Operation.WRITE)
            .withMaxRetries(0);
    Iterator<Map.Entry<String, Long>> it = txns.entrySet().iterator();
    if (it.hasNext()) {
      Map.Entry<String, Long> first = it.next();
      b = b.withTransactionId(engine, first.getKey(), first.getValue());
    }
    Transaction txn = b.build(engine);
    if (txn.getReadTableVersion() != snap.getVersion()) {
      // Someone committed between our schema check and now: check the schema again.
      checkSchema(snapshot().orElseThrow());
    }
    return txn;
  }

  /**
   * Kernel's builder carries one txn id; the others go in as extra actions. They are checked here
   * against the snapshot the same way Kernel checks the first one.
   */
  private void addExtraTxns(Map<String, Long> txns, Snapshot snap, List<Row> actions) {
    long now = System.currentTimeMillis();
    boolean first = true;
    for (Map.Entry<String, Long> e : txns.entrySet()) {
      if (first) {
        first = false;
        continue;
      }
      Optional<Long> committed = snap.getLatestTransactionVersion(engine, e.getKey());
      if (committed.isPresent() && committed.get() >= e.getValue()) {
        throw new io.delta.kernel.exceptions.ConcurrentTransactionException(
            e.getKey(), e.getValue(), committed.get());
      }
      actions.add(KernelActions.txn(e.getKey(), e.getValue(), now));
    }
  }

  private void writeData(
      Transaction txn, List<Object[]> rows, List<Row> actions, boolean compaction) {
    if (rows.isEmpty()) {
      return;
    }
    Row state = txn.getTransactionState(engine);
    Map<LocalDate, List<Object[]>> byPartition = new TreeMap<>();
    if (partitionColumn == null) {
      byPartition.put(LocalDate.EPOCH, rows);
    } else {
      for (Object[] r : rows) {
        Object p = r[partitionOrdinal];
        if (!(p instanceof LocalDate d)) {
          throw new IllegalArgumentException(
              "partition column " + partitionColumn + " must hold a LocalDate, got " + p);
        }
        byPartition.computeIfAbsent(d, k -> new ArrayList<>()).add(r);
      }
    }
    for (Map.Entry<LocalDate, List<Object[]>> part : byPartition.entrySet()) {
      writePartition(
          state,
          partitionColumn == null ? null : part.getKey(),
          List.of(RowBatch.of(schema, part.getValue())),
          actions,
          compaction);
    }
  }

  /**
   * Writes the batches of one partition (null when the table is not partitioned), each to its own
   * Parquet files, in parallel when there are several, and adds their {@code add} actions in batch
   * order.
   */
  private void writePartition(
      Row state,
      LocalDate partition,
      List<ColumnarBatch> batches,
      List<Row> actions,
      boolean compaction) {
    Map<String, Literal> pv = partitionValues(partition);
    DataWriteContext ctx = Transaction.getWriteContext(engine, state, pv);
    List<List<DataFileStatus>> written =
        IntStream.range(0, batches.size())
            .parallel()
            .mapToObj(i -> writeFiles(state, pv, ctx, batches.get(i)))
            .toList();
    addActions(state, ctx, written, actions, compaction);
  }

  private Map<String, Literal> partitionValues(LocalDate partition) {
    return partition == null
        ? Collections.emptyMap()
        : Map.of(partitionColumn, Literal.ofDate((int) partition.toEpochDay()));
  }

  /**
   * The schema of the data files Kernel expects for these rows (the partition column left out), as
   * Kernel's own logical-to-physical transformation gives it for an empty batch.
   */
  private StructType physicalSchema(Row state, Columns rows, Map<String, Literal> pv) {
    try (CloseableIterator<FilteredColumnarBatch> physical =
        Transaction.transformLogicalData(
            engine,
            state,
            single(new FilteredColumnarBatch(rows.batch(0, 0), Optional.empty())),
            pv)) {
      return physical.next().getData().getSchema();
    } catch (IOException e) {
      throw new UncheckedIOException("writing Parquet files to " + path, e);
    }
  }

  /** Adds the {@code add} actions of written files, in order. */
  private void addActions(
      Row state,
      DataWriteContext ctx,
      List<List<DataFileStatus>> written,
      List<Row> actions,
      boolean compaction) {
    for (List<DataFileStatus> files : written) {
      try (CloseableIterator<Row> adds =
          Transaction.generateAppendActions(engine, state, iterator(files.iterator()), ctx)) {
        while (adds.hasNext()) {
          Row add = adds.next();
          actions.add(compaction ? KernelActions.withoutDataChange(add) : add);
        }
      } catch (IOException e) {
        throw new UncheckedIOException("writing Parquet files to " + path, e);
      }
    }
  }

  private List<DataFileStatus> writeFiles(
      Row state, Map<String, Literal> pv, DataWriteContext ctx, ColumnarBatch batch) {
    CloseableIterator<FilteredColumnarBatch> logical =
        single(new FilteredColumnarBatch(batch, Optional.empty()));
    List<DataFileStatus> out = new ArrayList<>();
    try (CloseableIterator<FilteredColumnarBatch> physical =
            Transaction.transformLogicalData(engine, state, logical, pv);
        CloseableIterator<DataFileStatus> files =
            engine
                .getParquetHandler()
                .writeParquetFiles(
                    ctx.getTargetDirectory(), physical, ctx.getStatisticsColumns())) {
      files.forEachRemaining(out::add);
    } catch (IOException e) {
      throw new UncheckedIOException("writing Parquet files to " + path, e);
    }
    return out;
  }

  private long commit(Transaction txn, List<Row> actions) {
    TransactionCommitResult result =
        txn.commit(engine, CloseableIterable.inMemoryIterable(single(actions)));
    long v = result.getVersion();
    if (checkpointInterval > 0 && v > 0 && v % checkpointInterval == 0) {
      try {
        Table.forPath(engine, path).checkpoint(engine, v);
        LOG.debug("checkpointed {} at version {}", path, v);
      } catch (CheckpointAlreadyExistsException e) {
        LOG.debug("checkpoint of {} at {} already exists", path, v);
      } catch (IOException e) {
        // A missing checkpoint only slows down log replay; the commit itself succeeded.
        LOG.warn("checkpoint of {} at version {} failed: {}", path, v, e.toString());
      }
    }
    return v;
  }

  private void forEachScanFile(Snapshot snap, Predicate filter, Consumer<Row> sink) {
    Scan scan = snap.getScanBuilder().withFilter(filter).build();
    try (CloseableIterator<FilteredColumnarBatch> files = scan.getScanFiles(engine)) {
      while (files.hasNext()) {
        try (CloseableIterator<Row> rows = files.next().getRows()) {
          while (rows.hasNext()) {
            Row f = rows.next();
            // Pruning is by partition value; check it to be exact for removes.
            Map<String, String> pv = KernelActions.partitionValues(f);
            Object want = ((Literal) filter.getChildren().get(1)).getValue();
            String got = pv.get(partitionColumn);
            if (got != null && LocalDate.parse(got).toEpochDay() == ((Integer) want).longValue()) {
              sink.accept(f);
            }
          }
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("listing files of Delta table " + path, e);
    }
  }

  private void requirePartitioned() {
    if (partitionColumn == null) {
      throw new IllegalStateException("table " + path + " is not partitioned");
    }
  }

  /** Refuses to write when the table's schema is not exactly the writer's. */
  void checkSchema(Snapshot snap) {
    List<String> diffs = schemaDifferences(snap.getSchema(), schema);
    List<String> tableParts = snap.getPartitionColumnNames();
    List<String> ours = partitionColumn == null ? List.of() : List.of(partitionColumn);
    if (!tableParts.equals(ours)) {
      diffs.add("partition columns: table has " + tableParts + ", write has " + ours);
    }
    if (!diffs.isEmpty()) {
      throw new SchemaMismatchException(path, diffs);
    }
  }

  static List<String> schemaDifferences(StructType table, StructType write) {
    List<String> diffs = new ArrayList<>();
    Map<String, StructField> t = new LinkedHashMap<>();
    for (StructField f : table.fields()) {
      t.put(f.getName(), f);
    }
    for (StructField w : write.fields()) {
      StructField f = t.remove(w.getName());
      if (f == null) {
        diffs.add("column " + w.getName() + " (" + w.getDataType() + ") is not in the table");
      } else if (!f.getDataType().equivalent(w.getDataType())) {
        diffs.add(
            "column "
                + w.getName()
                + ": table has "
                + f.getDataType()
                + ", write has "
                + w.getDataType());
      } else if (f.isNullable() != w.isNullable()) {
        diffs.add(
            "column "
                + w.getName()
                + ": table has nullable="
                + f.isNullable()
                + ", write has nullable="
                + w.isNullable());
      }
    }
    for (StructField f : t.values()) {
      diffs.add("column " + f.getName() + " (" + f.getDataType() + ") is missing from the write");
    }
    return diffs;
  }

  static <T> CloseableIterator<T> single(T elem) {
    return iterator(List.of(elem).iterator());
  }

  static <T> CloseableIterator<T> single(List<T> elems) {
    return iterator(elems.iterator());
  }

  private static <T> CloseableIterator<T> iterator(Iterator<T> it) {
    return new CloseableIterator<>() {
      @Override
      public boolean hasNext() {
        return it.hasNext();
      }

      @Override
      public T next() {
        return it.next();
      }

      @Override
      public void close() {}
    };
  }
}
