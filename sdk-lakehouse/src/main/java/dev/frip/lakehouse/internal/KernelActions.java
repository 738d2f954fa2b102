package dev.frip.lakehouse.internal;

import io.delta.kernel.data.Row;
import io.delta.kernel.defaults.engine.fileio.InputFile;
import io.delta.kernel.defaults.internal.parquet.ParquetStatsReader;
import io.delta.kernel.expressions.Column;
import io.delta.kernel.internal.InternalScanFileUtils;
import io.delta.kernel.internal.actions.AddFile;
import io.delta.kernel.internal.actions.SetTransaction;
import io.delta.kernel.internal.actions.SingleAction;
import io.delta.kernel.internal.data.ScanStateRow;
import io.delta.kernel.statistics.DataFileStatistics;
import io.delta.kernel.types.StructType;
import io.delta.kernel.utils.FileStatus;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The only place that touches Delta Kernel's {@code internal} packages. Kernel 4.4.0's public API
 * has no way to (a) commit more than one {@code txn} action, (b) generate {@code remove} actions,
 * (c) turn an {@code add} into a {@code dataChange=false} re-add, (d) read a scan file's status and
 * physical schema, or (e) read a Parquet file's statistics the way Kernel's writer does; Kernel's
 * own examples use these same classes. The Kernel version is pinned in the root pom and every
 * method here is exercised by the module's tests, so an upgrade that moves them fails the build,
 * not production.
 */
final class KernelActions {

  private KernelActions() {}

  /** A {@code txn} action row for the commit's data actions. */
  static Row txn(String appId, long version, long nowMillis) {
    return SingleAction.createTxnSingleAction(
        new SetTransaction(appId, version, Optional.of(nowMillis)).toRow());
  }

  /** A {@code remove} action for the file of a scan-file row (from {@code Scan.getScanFiles}). */
  static Row removeOf(Row scanFile, boolean dataChange, long nowMillis) {
    AddFile add = addOf(scanFile);
    return SingleAction.createRemoveFileSingleAction(
        add.toRemoveFileRow(dataChange, Optional.of(nowMillis)));
  }

  /** Rewrites an {@code add} action row with {@code dataChange=false} (compaction output). */
  static Row withoutDataChange(Row addAction) {
    Row addRow = addAction.getStruct(SingleAction.ADD_FILE_ORDINAL);
    return SingleAction.createAddFileSingleAction(new RewrittenAdd(addRow).notDataChange());
  }

  /** Reaches AddFile's protected field override. */
  private static final class RewrittenAdd extends AddFile {
    RewrittenAdd(Row row) {
      super(row);
    }

    Row notDataChange() {
      return toRowWithOverriddenValue("dataChange", false);
    }
  }

  static AddFile addOf(Row scanFile) {
    return new AddFile(scanFile.getStruct(scanFile.getSchema().indexOf("add")));
  }

  static FileStatus fileStatus(Row scanFile) {
    return InternalScanFileUtils.getAddFileStatus(scanFile);
  }

  /** True when the scan file's rows are masked by a deletion vector. */
  static boolean hasDeletionVector(Row scanFile) {
    return InternalScanFileUtils.getDeletionVectorDescriptorFromRow(scanFile) != null;
  }

  static Map<String, String> partitionValues(Row scanFile) {
    return InternalScanFileUtils.getPartitionValues(scanFile);
  }

  /**
   * The statistics Kernel's default Parquet writer gives a file it wrote: read from the footer,
   * merged across row groups, for {@code statsColumns} of {@code dataSchema}.
   */
  static DataFileStatistics statistics(
      InputFile file, StructType dataSchema, List<Column> statsColumns) throws IOException {
    return ParquetStatsReader.readDataFileStatistics(file, dataSchema, statsColumns);
  }

  static StructType physicalReadSchema(Row scanState) {
    return ScanStateRow.getPhysicalDataReadSchema(scanState);
  }
}
