package dev.frip.lakehouse;

import static dev.frip.lakehouse.Events.payment;
import static dev.frip.lakehouse.Events.rec;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.frip.core.Topics;
import dev.frip.core.events.Action;
import dev.frip.core.events.Alert;
import dev.frip.core.events.FraudScore;
import dev.frip.core.events.Severity;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BronzeTableWriterTest {

  @TempDir Path dir;

  private static final Instant DAY1 = Instant.parse("2026-02-25T10:15:30.123Z");
  private static final Instant DAY2 = Instant.parse("2026-02-26T00:00:01Z");

  @Test
  void writesTypedColumnsAndKafkaMetadataPartitionedByEventDate() throws Exception {
    Lakehouse lake = Lakehouse.local(dir);
    BronzeTableWriter w = lake.bronzeWriter(Topics.PAYMENTS);

    BronzeCommit c =
        w.write(
            List.of(
                rec(payment("p1", "u1", DAY1, 1250), 0, 10),
                rec(payment("p2", "u2", DAY2, 990), 3, 4)));

    assertThat(c.written()).isEqualTo(2);
    assertThat(c.offsets()).containsEntry(0, 10L).containsEntry(3, 4L);
    assertThat(dir.resolve("bronze/payments/event_date=2026-02-25")).isDirectory();
    assertThat(dir.resolve("bronze/payments/event_date=2026-02-26")).isDirectory();

    List<Map<String, Object>> rows =
        lake.scan(w.tablePath()).on(LocalDate.parse("2026-02-25")).rows();
    assertThat(rows).hasSize(1);
    Map<String, Object> r = rows.get(0);
    assertThat(r.get("payment_id")).isEqualTo("p1");
    assertThat(r.get("amount_minor")).isEqualTo(1250L);
    assertThat(r.get("event_time")).isEqualTo(DAY1);
    assertThat(r.get("status")).isEqualTo("AUTHORIZED");
    assertThat(r.get("event_id")).isEqualTo(Events.id("pay-p1").toString());
    assertThat(r.get("lat")).isNull();
    assertThat(r.get("kafka_topic")).isEqualTo("payments");
    assertThat(r.get("kafka_partition")).isEqualTo(0);
    assertThat(r.get("kafka_offset")).isEqualTo(10L);
    assertThat(r.get("kafka_timestamp")).isEqualTo(Instant.ofEpochMilli(1_700_000_000_010L));
    assertThat(r.get("schema_id")).isEqualTo(7);
    assertThat(r.get("ingested_at")).isInstanceOf(Instant.class);
    assertThat(r.get("event_date")).isEqualTo(LocalDate.parse("2026-02-25"));
  }

  @Test
  void oneCommitCarriesOneTxnPerKafkaPartition() throws Exception {
    Lakehouse lake = Lakehouse.local(dir);
    BronzeTableWriter w = lake.bronzeWriter(Topics.PAYMENTS);

    BronzeCommit c =
        w.write(
            List.of(
                rec(payment("a", "u1", DAY1, 1), 0, 5),
                rec(payment("b", "u1", DAY1, 1), 0, 6),
                rec(payment("c", "u2", DAY2, 1), 2, 40),
                rec(payment("d", "u3", DAY1, 1), 5, 1)));

    assertThat(w.committedOffsets())
        .containsExactlyInAnyOrderEntriesOf(Map.of(0, 6L, 2, 40L, 5, 1L));
    Path commit = dir.resolve("bronze/payments/_delta_log/%020d.json".formatted(c.version()));
    String log = Files.readString(commit);
    assertThat(log.lines().filter(l -> l.startsWith("{\"txn\"")).count()).isEqualTo(3);
    assertThat(log).contains("\"appId\":\"frip-bronze-payments-0\",\"version\":6");
    assertThat(log).contains("\"appId\":\"frip-bronze-payments-2\",\"version\":40");
    assertThat(log).contains("\"appId\":\"frip-bronze-payments-5\",\"version\":1");
  }

  @Test
  void redeliveredRecordsAreSkippedSoRestartsNeverDuplicate() {
    Lakehouse lake = Lakehouse.local(dir);
    List<BronzeRecord> batch = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      batch.add(rec(payment("p" + i, "u" + i, DAY1, 100 + i), i % 2, i));
    }
    lake.bronzeWriter(Topics.PAYMENTS).write(batch.subList(0, 6));

    // A new writer (a restart) gets the whole batch again, as Kafka would redeliver it.
    BronzeTableWriter restarted = Lakehouse.local(dir).bronzeWriter(Topics.PAYMENTS);
    BronzeCommit c = restarted.write(batch);

    assertThat(c.skipped()).isEqualTo(6);
    assertThat(c.written()).isEqualTo(4);
    assertThat(lake.scan(restarted.tablePath()).count()).isEqualTo(10);
    assertThat(restarted.committedOffsets()).containsEntry(0, 8L).containsEntry(1, 9L);
    BronzeCommit again = restarted.write(batch);
    assertThat(again.written()).isZero();
    assertThat(again.version()).isEqualTo(c.version());
  }

  @Test
  void duplicateOffsetsWithinOneBatchAreWrittenOnce() {
    Lakehouse lake = Lakehouse.local(dir);
    BronzeTableWriter w = lake.bronzeWriter(Topics.PAYMENTS);
    BronzeCommit c =
        w.write(
            List.of(
                rec(payment("a", "u1", DAY1, 1), 1, 3), rec(payment("a", "u1", DAY1, 1), 1, 3)));
    assertThat(c.written()).isEqualTo(1);
    assertThat(c.skipped()).isEqualTo(1);
  }

  @Test
  void offsetsSurviveCheckpoints() throws Exception {
    Lakehouse lake = Lakehouse.builder().root(dir.toString()).checkpointInterval(2).build();
    BronzeTableWriter w = lake.bronzeWriter(Topics.PAYMENTS);
    for (int i = 0; i < 5; i++) {
      w.write(List.of(rec(payment("p" + i, "u", DAY1, 1), i % 3, 100 + i)));
    }
    try (Stream<Path> log = Files.list(dir.resolve("bronze/payments/_delta_log"))) {
      assertThat(log.map(p -> p.getFileName().toString()))
          .anyMatch(n -> n.endsWith(".checkpoint.parquet"));
    }
    BronzeTableWriter fresh = Lakehouse.local(dir).bronzeWriter(Topics.PAYMENTS);
    assertThat(fresh.committedOffsets())
        .containsExactlyInAnyOrderEntriesOf(Map.of(0, 103L, 1, 104L, 2, 102L));
  }

  @Test
  void compactionRewritesSmallFilesWithoutChangingRows() throws Exception {
    Lakehouse lake = Lakehouse.local(dir);
    BronzeTableWriter w = lake.bronzeWriter(Topics.PAYMENTS);
    LocalDate day = LocalDate.parse("2026-02-25");
    for (int i = 0; i < 4; i++) {
      w.write(List.of(rec(payment("p" + i, "u", DAY1, i), 0, i)));
    }
    assertThat(w.fileCount(day)).isEqualTo(4);

    long v = w.compact(day);

    assertThat(w.fileCount(day)).isEqualTo(1);
    assertThat(lake.scan(w.tablePath()).on(day).columns("payment_id").rows())
        .extracting(r -> r.get("payment_id"))
        .containsExactlyInAnyOrder("p0", "p1", "p2", "p3");
    String log =
        Files.readString(dir.resolve("bronze/payments/_delta_log/%020d.json".formatted(v)));
    assertThat(log).contains("\"remove\"").contains("\"dataChange\":false");
    assertThat(log).doesNotContain("\"dataChange\":true");
    assertThat(w.committedOffsets()).containsEntry(0, 3L);
  }

  @Test
  void recordOfAnotherTopicIsRefusedNamingIt() {
    BronzeTableWriter w = Lakehouse.local(dir).bronzeWriter(Topics.ORDERS);
    assertThatThrownBy(() -> w.write(List.of(rec(payment("a", "u", DAY1, 1), 0, 1))))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("payments-0@1")
        .hasMessageContaining("orders");
  }

  @Test
  void recordValidationNamesTheCoordinates() {
    assertThatThrownBy(() -> rec(payment("a", "u", DAY1, 1), 6, 1))
        .hasMessageContaining("partition was 6");
    assertThatThrownBy(() -> rec(payment("a", "u", DAY1, 1), 0, -1))
        .hasMessageContaining("offset was -1");
    assertThatThrownBy(
            () -> new BronzeRecord(Topics.ORDERS, 0, 1, 0, 1, payment("a", "u", DAY1, 1)))
        .hasMessageContaining("dev.frip.core.events.PaymentEvent");
  }

  @Test
  void recordMissingARequiredFieldIsQuarantinedWithTheReasonAndItsOffsetAdvances() {
    Lakehouse lake = Lakehouse.local(dir);
    BronzeTableWriter w = lake.bronzeWriter(Topics.PAYMENTS);
    var bad = payment("bad", "u", DAY1, 1);
    bad.put("merchant_id", null);
    List<BronzeRecord> batch =
        List.of(rec(payment("ok", "u", DAY1, 1), 2, 8), rec(bad, 2, 9), rec(bad, 4, 3));

    BronzeCommit c = w.write(batch);

    assertThat(c.written()).isEqualTo(1);
    assertThat(c.quarantined()).isEqualTo(2);
    assertThat(w.committedOffsets()).containsEntry(2, 9L).containsEntry(4, 3L);
    List<Map<String, Object>> q = lake.scan(lake.quarantinePath("bronze_payments")).rows();
    assertThat(q).hasSize(2);
    Map<String, Object> first =
        q.stream().filter(r -> "payments-2@9".equals(r.get("run_id"))).findFirst().orElseThrow();
    assertThat(first.get("dataset")).isEqualTo("bronze.payments");
    assertThat(first.get("rule")).isEqualTo("schema(column merchant_id is null)");
    assertThat((String) first.get("row_json"))
        .contains("\"offset\": 9")
        .contains("\"payment_id\": \"bad\"")
        .contains("\"merchant_id\": null");

    // Redelivery after a crash quarantines nothing twice and writes nothing twice.
    BronzeCommit again = Lakehouse.local(dir).bronzeWriter(Topics.PAYMENTS).write(batch);
    assertThat(again.skipped()).isEqualTo(3);
    assertThat(lake.scan(lake.quarantinePath("bronze_payments")).count()).isEqualTo(2);
  }

  @Test
  void crashBetweenQuarantineAndBronzeCommitsDoesNotDuplicate() {
    Lakehouse lake = Lakehouse.local(dir);
    var bad = payment("bad", "u", DAY1, 1);
    bad.put("merchant_id", null);
    List<BronzeRecord> batch = List.of(rec(bad, 1, 5), rec(payment("ok", "u", DAY1, 1), 1, 6));
    // The quarantine commit happened, the bronze one did not (the process died in between).
    var quarantine =
        new dev.frip.lakehouse.internal.DeltaTable(
            io.delta.kernel.defaults.engine.DefaultEngine.create(
                new org.apache.hadoop.conf.Configuration()),
            lake.quarantinePath("bronze_payments"),
            dev.frip.lakehouse.internal.QualityGate.QUARANTINE_SCHEMA,
            "event_date",
            0);
    quarantine.append(
        List.<Object[]>of(
            new Object[] {
              "bronze.payments",
              "schema(column merchant_id is null)",
              "QUARANTINE",
              "{}",
              "payments-1@5",
              DAY1,
              LocalDate.parse("2026-02-25")
            }),
        Map.of("frip-bronze-quarantine-payments-1", 5L));
    assertThat(lake.bronzeWriter(Topics.PAYMENTS).committedOffsets()).isEmpty();
    BronzeTableWriter restarted = Lakehouse.local(dir).bronzeWriter(Topics.PAYMENTS);

    BronzeCommit c = restarted.write(batch);

    assertThat(c.written()).isEqualTo(1);
    // Every record of the batch is accounted for: the bad one was quarantined before the crash.
    assertThat(c.quarantined()).isZero();
    assertThat(c.skipped()).isEqualTo(1);
    assertThat(c.written() + c.skipped() + c.quarantined()).isEqualTo(batch.size());
    assertThat(lake.scan(lake.quarantinePath("bronze_payments")).count()).isEqualTo(1);
    assertThat(lake.scan(restarted.tablePath()).count()).isEqualTo(1);
  }

  @Test
  void fraudScoresAndAlertsKeepTheirReasonsAsAnArrayColumn() throws Exception {
    Lakehouse lake = Lakehouse.local(dir);
    BronzeTableWriter scores = lake.bronzeWriter(Topics.FRAUD_SCORES);
    FraudScore s1 =
        Events.score("p1", "u1", DAY1, 0.91, Action.BLOCK, List.of("amount_z", "new_device"));
    FraudScore s2 = Events.score("p2", "u2", DAY1, 0.05, Action.ALLOW, List.of());

    assertThat(scores.write(List.of(rec(s1, 0, 0), rec(s2, 1, 0))).written()).isEqualTo(2);

    String log =
        Files.readString(dir.resolve("bronze/fraud_scores/_delta_log/%020d.json".formatted(0)));
    assertThat(log)
        .contains(
            "{\\\"name\\\":\\\"reasons\\\",\\\"type\\\":{\\\"type\\\":\\\"array\\\",\\\"elementType\\\":\\\"string\\\",\\\"containsNull\\\":false}");
    Map<String, Map<String, Object>> rows = new java.util.HashMap<>();
    lake.scan(scores.tablePath())
        .on(LocalDate.parse("2026-02-25"))
        .rows()
        .forEach(r -> rows.put((String) r.get("payment_id"), r));
    assertThat(rows.get("p1").get("reasons")).isEqualTo(List.of("amount_z", "new_device"));
    assertThat(rows.get("p1").get("action")).isEqualTo("BLOCK");
    assertThat(rows.get("p1").get("payment_event_time")).isEqualTo(DAY1);
    assertThat(rows.get("p2").get("reasons")).isEqualTo(List.of());

    Alert alert =
        Alert.newBuilder()
            .setEventId(Events.id("alert-p1"))
            .setEventTime(DAY1)
            .setAlertId("alert-p1")
            .setPaymentId("p1")
            .setUserId("u1")
            .setMerchantId("m1")
            .setSeverity(Severity.HIGH)
            .setAction(Action.BLOCK)
            .setScore(0.91)
            .setModelVersion("20260224T000000Z")
            .setReasons(List.of("amount_z"))
            .setAmountMinor(1250)
            .setCurrency("EUR")
            .build();
    BronzeTableWriter alerts = lake.bronzeWriter(Topics.ALERTS);
    assertThat(alerts.write(List.of(rec(alert, 2, 7))).written()).isEqualTo(1);
    Map<String, Object> a = lake.scan(alerts.tablePath()).rows().get(0);
    assertThat(a.get("reasons")).isEqualTo(List.of("amount_z"));
    assertThat(a.get("severity")).isEqualTo("HIGH");
  }
}
