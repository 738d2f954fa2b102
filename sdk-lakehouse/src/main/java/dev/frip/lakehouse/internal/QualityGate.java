package dev.frip.lakehouse.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.frip.core.quality.ExpectationResult;
import dev.frip.core.quality.ExpectationSuite;
import dev.frip.core.quality.RowSet;
import dev.frip.core.quality.Severity;
import dev.frip.core.quality.SuiteResult;
import io.delta.kernel.engine.Engine;
import io.delta.kernel.types.DateType;
import io.delta.kernel.types.StringType;
import io.delta.kernel.types.StructType;
import io.delta.kernel.types.TimestampType;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.IntFunction;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs an expectation suite on a partition before it is published: writes the JSON result, puts
 * every offending row in the dataset's quarantine table (one row per broken rule, replacing that
 * date's quarantine partition so re-runs stay idempotent), and tells the caller which rows may be
 * published, or that nothing may.
 */
public final class QualityGate {

  private static final Logger LOG = LoggerFactory.getLogger(QualityGate.class);
  private static final ObjectMapper JSON = new ObjectMapper();

  /** The quarantine table's schema. */
  public static final StructType QUARANTINE_SCHEMA =
      new StructType()
          .add("dataset", StringType.STRING, false)
          .add("rule", StringType.STRING, false)
          .add("severity", StringType.STRING, false)
          .add("row_json", StringType.STRING, false)
          .add("run_id", StringType.STRING, false)
          .add("detected_at", TimestampType.TIMESTAMP, false)
          .add("event_date", DateType.DATE, false);

  private final Engine engine;
  private final Configuration hadoopConf;
  private final int checkpointInterval;

  public QualityGate(Engine engine, Configuration hadoopConf, int checkpointInterval) {
    this.engine = engine;
    this.hadoopConf = hadoopConf;
    this.checkpointInterval = checkpointInterval;
  }

  /** The gate's decision. */
  public record Decision(
      SuiteResult result, List<Object[]> publishable, int quarantined, String resultPath) {
    /** True when the partition may be published. */
    public boolean publish() {
      return result.publishable();
    }
  }

  /**
   * An input row turned away before the suite ran (it never became a row of {@code rows}); it goes
   * to quarantine beside the suite's offenders.
   *
   * @param rule why, e.g. {@code "offline features: merchant_id is null"}
   * @param rowJson the input row as JSON ({@link #rowJson})
   */
  public record Rejected(String rule, String rowJson) {}

  /**
   * Checks {@code rows} (values in {@code columns} order) and records the outcome.
   *
   * @param quarantinePath the dataset's quarantine table
   * @param resultsDir directory for the JSON results of this dataset
   */
  public Decision check(
      String dataset,
      LocalDate date,
      List<String> columns,
      List<Object[]> rows,
      ExpectationSuite suite,
      Instant runAt,
      String quarantinePath,
      String resultsDir) {
    return check(dataset, date, columns, rows, List.of(), suite, runAt, quarantinePath, resultsDir);
  }

  /**
   * As {@link #check(String, LocalDate, List, List, ExpectationSuite, Instant, String, String)},
   * also quarantining {@code rejected} input rows (severity QUARANTINE: they do not block
   * publication; the suite's row-count rule is where a caller reconciles them).
   */
  public Decision check(
      String dataset,
      LocalDate date,
      List<String> columns,
      List<Object[]> rows,
      List<Rejected> rejected,
      ExpectationSuite suite,
      Instant runAt,
      String quarantinePath,
      String resultsDir) {
    Outcome o =
        gate(
            dataset,
            date,
            columns,
            RowSet.of(columns, rows),
            rows::get,
            rejected,
            suite,
            runAt,
            quarantinePath,
            resultsDir);
    List<Object[]> publishable = new ArrayList<>(o.kept().length);
    for (int i : o.kept()) {
      publishable.add(rows.get(i));
    }
    return new Decision(o.result(), publishable, o.quarantined(), o.resultPath());
  }

  /**
   * The gate's decision on a columnar partition.
   *
   * @param publishable the rows that may be published (none when blocked)
   */
  public record ColumnarDecision(
      SuiteResult result, Columns publishable, int quarantined, String resultPath) {
    /** True when the partition may be published. */
    public boolean publish() {
      return result.publishable();
    }
  }

  /**
   * As {@link #check(String, LocalDate, List, List, ExpectationSuite, Instant, String, String)} for
   * rows held column by column; the suite reads values in place.
   */
  public ColumnarDecision check(
      String dataset,
      LocalDate date,
      Columns rows,
      ExpectationSuite suite,
      Instant runAt,
      String quarantinePath,
      String resultsDir) {
    return check(dataset, date, rows, List.of(), suite, runAt, quarantinePath, resultsDir);
  }

  /**
   * As {@link #check(String, LocalDate, Columns, ExpectationSuite, Instant, String, String)}, also
   * quarantining {@code rejected} input rows, as {@link #check(String, LocalDate, List, List, List,
   * ExpectationSuite, Instant, String, String)} does.
   */
  public ColumnarDecision check(
      String dataset,
      LocalDate date,
      Columns rows,
      List<Rejected> rejected,
      ExpectationSuite suite,
      Instant runAt,
      String quarantinePath,
      String resultsDir) {
    List<String> columns = rows.columnNames();
    Outcome o =
        gate(
            dataset,
            date,
            columns,
            RowSet.of(columns, rows.size(), rows::value),
            rows::row,
            rejected,
            suite,
            runAt,
            quarantinePath,
            resultsDir);
    Columns publishable = o.kept().length == rows.size() ? rows : rows.select(o.kept());
    return new ColumnarDecision(o.result(), publishable, o.quarantined(), o.resultPath());
  }

  /** The suite's result, the rows that may be published (indexes) and what was quarantined. */
  private record Outcome(SuiteResult result, int[] kept, int quarantined, String resultPath) {}

  private Outcome gate(
      String dataset,
      LocalDate date,
      List<String> columns,
      RowSet rowSet,
      IntFunction<Object[]> rowAt,
      List<Rejected> rejected,
      ExpectationSuite suite,
      Instant runAt,
      String quarantinePath,
      String resultsDir) {
    SuiteResult result = suite.run(rowSet, runAt);
    String runId = dataset + "-" + date + "-" + runAt.toEpochMilli();
    List<Object[]> quarantine = new ArrayList<>();
    for (Rejected r : rejected) {
      quarantine.add(
          new Object[] {
            dataset, r.rule(), Severity.QUARANTINE.name(), r.rowJson(), runId, runAt, date
          });
    }
    // One quarantine row per broken rule and offending row, with that rule's own severity (two
    // rules may share a name, e.g. a built-in rule re-added with another severity).
    Map<Integer, String> dropped = new HashMap<>();
    for (ExpectationResult r : result.results()) {
      for (int i : r.failedRows()) {
        String rowJson = dropped.computeIfAbsent(i, k -> rowJson(columns, rowAt.apply(k)));
        quarantine.add(
            new Object[] {dataset, r.rule(), r.severity().name(), rowJson, runId, runAt, date});
      }
    }
    DeltaTable q =
        new DeltaTable(engine, quarantinePath, QUARANTINE_SCHEMA, "event_date", checkpointInterval);
    if (!quarantine.isEmpty() || q.snapshot().isPresent()) {
      q.replacePartition(date, quarantine);
    }
    String path = writeResult(resultsDir, date, runId, result);
    int[] kept;
    if (result.publishable()) {
      kept = new int[rowSet.size() - dropped.size()];
      int k = 0;
      for (int i = 0; i < rowSet.size(); i++) {
        if (dropped.isEmpty() || !dropped.containsKey(i)) {
          kept[k++] = i;
        }
      }
    } else {
      kept = new int[0];
      LOG.warn(
          "quality gate blocked {} for {}: {}",
          dataset,
          date,
          result.failures().stream().map(ExpectationResult::rule).toList());
    }
    return new Outcome(result, kept, dropped.size() + rejected.size(), path);
  }

  private String writeResult(String resultsDir, LocalDate date, String runId, SuiteResult r) {
    Path p = new Path(resultsDir + "/event_date=" + date + "/" + runId + ".json");
    try {
      FileSystem fs = p.getFileSystem(hadoopConf);
      try (OutputStream out = fs.create(p, true)) {
        out.write(r.toJson().getBytes(StandardCharsets.UTF_8));
      }
      return p.toString();
    } catch (IOException e) {
      throw new UncheckedIOException("writing quality result " + p, e);
    }
  }

  /** A row as a JSON object of column name to value (times and dates as ISO strings). */
  public static String rowJson(List<String> columns, Object[] row) {
    Map<String, Object> m = new LinkedHashMap<>();
    for (int i = 0; i < columns.size(); i++) {
      Object v = row[i];
      m.put(columns.get(i), v instanceof Instant || v instanceof LocalDate ? v.toString() : v);
    }
    try {
      return JSON.writeValueAsString(m);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot render a row as JSON", e);
    }
  }
}
