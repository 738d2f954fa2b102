package dev.frip.lakehouse.interop;

import static org.assertj.core.api.Assertions.assertThat;

import dev.frip.core.Topics;
import dev.frip.core.events.PaymentEvent;
import dev.frip.lakehouse.BronzeRecord;
import dev.frip.lakehouse.BronzeTableWriter;
import dev.frip.lakehouse.Events;
import dev.frip.lakehouse.Lakehouse;
import dev.frip.lakehouse.SilverJob;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** delta-spark in local mode reads what FRIP wrote through Delta Kernel. */
class SparkInteropTest {

  @TempDir static Path dir;
  static SparkSession spark;
  static Lakehouse lake;
  static BronzeTableWriter payments;

  private static final Instant T = Instant.parse("2026-02-25T10:00:00Z");

  @BeforeAll
  static void writeWithKernelThenStartSpark() {
    lake = Lakehouse.builder().root(dir.resolve("lake").toString()).checkpointInterval(3).build();
    payments = lake.bronzeWriter(Topics.PAYMENTS);
    for (int b = 0; b < 4; b++) {
      List<BronzeRecord> batch = new ArrayList<>();
      for (int i = 0; i < 30; i++) {
        int n = b * 30 + i;
        PaymentEvent p = Events.payment("p" + n, "u" + (n % 7), T.plusSeconds(3600L * n), 100L * n);
        batch.add(Events.rec(p, n % 6, n));
      }
      payments.write(batch);
    }
    payments.compact(LocalDate.parse("2026-02-26"));
    SilverJob.builder(lake).build().run(LocalDate.parse("2026-02-26"));
    spark =
        SparkSession.builder()
            .master("local[2]")
            .appName("frip-interop")
            .config("spark.ui.enabled", "false")
            .config("spark.driver.host", "127.0.0.1")
            .config("spark.driver.bindAddress", "127.0.0.1")
            .config("spark.sql.shuffle.partitions", "1")
            .config("spark.sql.session.timeZone", "UTC")
            .config("spark.sql.warehouse.dir", dir.resolve("warehouse").toString())
            .config("spark.sql.extensions", "io.delta.sql.DeltaSparkSessionExtension")
            .config(
                "spark.sql.catalog.spark_catalog",
                "org.apache.spark.sql.delta.catalog.DeltaCatalog")
            .getOrCreate();
  }

  @AfterAll
  static void stopSpark() {
    if (spark != null) {
      spark.stop();
    }
  }

  @Test
  void sparkReadsBronzeWithTypesPartitionsAndCheckpoints() {
    Dataset<Row> df = spark.read().format("delta").load(payments.tablePath());
    assertThat(df.count()).isEqualTo(120);
    Row r =
        df.where("payment_id = 'p30'")
            .select("amount_minor", "event_time", "event_date", "kafka_partition", "kafka_offset")
            .first();
    assertThat(r.getLong(0)).isEqualTo(3000L);
    assertThat(r.getTimestamp(1).toInstant()).isEqualTo(T.plusSeconds(3600L * 30));
    assertThat(r.getDate(2).toLocalDate()).isEqualTo(LocalDate.parse("2026-02-26"));
    assertThat(r.getInt(3)).isEqualTo(0);
    assertThat(r.getLong(4)).isEqualTo(30L);
    assertThat(df.where("event_date = DATE'2026-02-26'").count()).isEqualTo(24);
  }

  @Test
  void sparkHonoursEveryTxnIdKernelCommitted() {
    // p-offsets 0..119 went to partitions n % 6, so partition 5 ended at offset 119, written as one
    // of the extra txn actions of the commit. A Spark append with that id and version is skipped.
    Dataset<Row> one = spark.read().format("delta").load(payments.tablePath()).limit(1);
    one.write()
        .format("delta")
        .option("txnAppId", payments.appId(5))
        .option("txnVersion", 119L)
        .mode("append")
        .save(payments.tablePath());
    assertThat(spark.read().format("delta").load(payments.tablePath()).count()).isEqualTo(120);
  }

  @Test
  void sparkReadsSilver() {
    Dataset<Row> silver = spark.read().format("delta").load(lake.silverPath());
    assertThat(silver.count()).isEqualTo(24);
    assertThat(silver.where("is_fraud").count()).isZero();
    assertThat(silver.select("amount_reporting").where("amount_reporting is null").count())
        .isZero();
  }
}
