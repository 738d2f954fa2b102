package dev.frip.apps;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.frip.core.EventStream;
import dev.frip.core.FeatureCatalog;
import dev.frip.core.GeneratedEvent;
import dev.frip.core.GeneratorConfig;
import dev.frip.core.Topics;
import dev.frip.core.WorldGenerator;
import dev.frip.embedded.EmbeddedKafka;
import dev.frip.kafka.SchemaRegistryServer;
import dev.frip.kafka.TopicAdmin;
import dev.frip.lakehouse.GoldJob;
import dev.frip.lakehouse.Lakehouse;
import dev.frip.lakehouse.TrainingFeaturesJob;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.avro.specific.SpecificRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code frip ingest}, {@code silver}, {@code gold}, {@code features} and {@code compact} end to
 * end.
 */
class LakehouseCommandsTest {

  private static EmbeddedKafka kafka;
  private static SchemaRegistryServer registry;

  @TempDir Path dir;

  @BeforeAll
  static void start() {
    kafka = EmbeddedKafka.start();
    registry = SchemaRegistryServer.builder().port(0).inMemoryStorage().start();
    try (TopicAdmin admin =
        TopicAdmin.builder().bootstrapServers(kafka.bootstrapServers()).build()) {
      admin.ensure(Topics.SEED);
    }
  }

  @AfterAll
  static void stop() {
    registry.close();
    kafka.stop();
  }

  private static long field(SpecificRecord r, String name) {
    return ((Number) r.get(r.getSchema().getField(name).pos())).longValue();
  }

  @Test
  void ingestThenSilverThenGoldGivesTheGmvOfTheProducedPayments() {
    GenerateCommandTest.Run gen =
        GenerateCommandTest.run(
            "generate",
            "--seed",
            "5",
            "--days",
            "1",
            "--users",
            "100",
            "--bootstrap",
            kafka.bootstrapServers(),
            "--registry-url",
            registry.url());
    assertThat(gen.exit()).as(gen.err()).isZero();

    // GMV per event date, as GoldJob defines it: authorized payments' amount_minor.
    Map<LocalDate, Long> gmv = new TreeMap<>();
    long produced = 0;
    try (EventStream events =
        WorldGenerator.create(GeneratorConfig.builder().seed(5).days(1).users(100).build())
            .stream()) {
      while (events.hasNext()) {
        GeneratedEvent e = events.next();
        produced++;
        if (e.topic().name().equals(Topics.PAYMENTS.name())
            && "AUTHORIZED"
                .equals(e.value().get(e.value().getSchema().getField("status").pos()).toString())) {
          LocalDate d = LocalDate.ofInstant(Instant.ofEpochMilli(e.eventTime()), ZoneOffset.UTC);
          gmv.merge(d, field(e.value(), "amount_minor"), Long::sum);
        }
      }
    }
    LocalDate day =
        gmv.entrySet().stream().max(Map.Entry.comparingByValue()).orElseThrow().getKey();
    String lake = dir.resolve("lake").toString();

    GenerateCommandTest.Run ingest =
        GenerateCommandTest.run(
            "ingest",
            "--bootstrap",
            kafka.bootstrapServers(),
            "--registry-url",
            registry.url(),
            "--lakehouse",
            lake,
            "--until-idle");
    assertThat(ingest.exit()).as(ingest.err()).isZero();
    assertThat(ingest.out()).contains("read " + produced + ", written " + produced + ", skipped 0");

    GenerateCommandTest.Run again =
        GenerateCommandTest.run(
            "ingest",
            "--bootstrap",
            kafka.bootstrapServers(),
            "--registry-url",
            registry.url(),
            "--lakehouse",
            lake,
            "--group",
            "another-group",
            "--until-idle");
    assertThat(again.exit()).as(again.err()).isZero();
    assertThat(again.out()).contains("read 0, written 0");

    GenerateCommandTest.Run silver =
        GenerateCommandTest.run("silver", "--date", day.toString(), "--lakehouse", lake);
    assertThat(silver.exit()).as(silver.out() + silver.err()).isZero();
    assertThat(silver.out()).contains("published");

    GenerateCommandTest.Run gold =
        GenerateCommandTest.run("gold", "--date", day.toString(), "--lakehouse", lake);
    assertThat(gold.exit()).as(gold.out() + gold.err()).isZero();
    assertThat(gold.out()).contains("gold daily_revenue " + day + ": published");
    // The generator writes only well-formed refunds: all of them are netted.
    assertThat(gold.out())
        .containsPattern("gold refunds " + day + ": (\\d+) read, \\1 netted, 0 quarantined");

    Lakehouse lh = Lakehouse.local(Path.of(lake));
    long goldGmv =
        lh.scan(lh.goldPath(GoldJob.DAILY_REVENUE)).on(day).rows().stream()
            .mapToLong(r -> (Long) r.get("gmv_minor"))
            .sum();
    assertThat(goldGmv).isPositive().isEqualTo(gmv.get(day));

    GenerateCommandTest.Run features =
        GenerateCommandTest.run("features", "--date", day.toString(), "--lakehouse", lake);
    assertThat(features.exit()).as(features.out() + features.err()).isZero();
    long silverRows = lh.scan(lh.silverPath()).on(day).count();
    assertThat(features.out())
        .contains(
            "features "
                + day
                + ": published, "
                + silverRows
                + " rows of "
                + silverRows
                + " silver payments (quarantined 0), "
                + FeatureCatalog.VERSION);
    // Silver exists for this day only: the look-back before it is where history starts, not a gap.
    assertThat(features.err())
        .contains("features " + day + ": history starts on " + day)
        .doesNotContain("warning");
    List<Map<String, Object>> training =
        lh.scan(lh.goldPath(TrainingFeaturesJob.TABLE))
            .on(day)
            .columns("payment_id", "amount", "user_txn_count_24h", "feature_version")
            .rows();
    assertThat(training).hasSize((int) silverRows);
    assertThat(training)
        .allSatisfy(
            r -> {
              assertThat((Double) r.get("user_txn_count_24h")).isGreaterThanOrEqualTo(1.0);
              assertThat((Double) r.get("amount")).isPositive();
            });
    GenerateCommandTest.Run featuresAgain =
        GenerateCommandTest.run("features", "--date", day.toString(), "--lakehouse", lake);
    assertThat(featuresAgain.exit()).as(featuresAgain.err()).isZero();
    assertThat(lh.scan(lh.goldPath(TrainingFeaturesJob.TABLE)).count()).isEqualTo(silverRows);

    GenerateCommandTest.Run compact =
        GenerateCommandTest.run(
            "compact", "--table", "bronze.payments", "--date", day.toString(), "--lakehouse", lake);
    assertThat(compact.exit()).as(compact.err()).isZero();
    assertThat(compact.out()).contains("compact bronze.payments " + day + ": ").contains("-> 1,");
    long paymentsAfter = lh.scan(lh.bronzePath(Topics.PAYMENTS)).count();
    long paymentsProduced = 0;
    try (EventStream events =
        WorldGenerator.create(GeneratorConfig.builder().seed(5).days(1).users(100).build())
            .stream()) {
      while (events.hasNext()) {
        if (events.next().topic().name().equals(Topics.PAYMENTS.name())) {
          paymentsProduced++;
        }
      }
    }
    assertThat(paymentsAfter).isEqualTo(paymentsProduced);
  }

  @Test
  void usageErrorsNameTheFlag() {
    String lake = dir.resolve("lake").toString();
    GenerateCommandTest.Run badDate =
        GenerateCommandTest.run("silver", "--date", "yesterday", "--lakehouse", lake);
    assertThat(badDate.exit()).isEqualTo(Frip.EXIT_USAGE);
    assertThat(badDate.err()).contains("--date was 'yesterday'");

    GenerateCommandTest.Run badFraction =
        GenerateCommandTest.run(
            "silver",
            "--date",
            "2026-01-01",
            "--lakehouse",
            lake,
            "--max-quarantined-fraction",
            "1.5");
    assertThat(badFraction.exit()).isEqualTo(Frip.EXIT_USAGE);
    assertThat(badFraction.err()).contains("--max-quarantined-fraction was 1.5, must be in [0, 1]");

    // Keys in the URI are refused, and never printed.
    GenerateCommandTest.Run keys =
        GenerateCommandTest.run(
            "silver",
            "--date",
            "2026-01-01",
            "--lakehouse",
            "s3a://AKIAEXAMPLE:TopSecret123@lake/");
    assertThat(keys.exit()).isEqualTo(Frip.EXIT_USAGE);
    assertThat(keys.err()).contains("--lakehouse: root 's3a://***@lake/' carries credentials");
    assertThat(keys.out() + keys.err())
        .doesNotContain("TopSecret123")
        .doesNotContain("AKIAEXAMPLE");

    GenerateCommandTest.Run goldNoDate = GenerateCommandTest.run("gold", "--lakehouse", lake);
    assertThat(goldNoDate.exit()).isEqualTo(Frip.EXIT_USAGE);
    assertThat(goldNoDate.err()).contains("--date");

    GenerateCommandTest.Run noSilver =
        GenerateCommandTest.run("features", "--date", "2026-01-01", "--lakehouse", lake);
    assertThat(noSilver.exit()).isEqualTo(1);
    assertThat(noSilver.err()).contains("silver has no payments for 2026-01-01");

    GenerateCommandTest.Run badTable =
        GenerateCommandTest.run(
            "compact", "--table", "bronze.nope", "--date", "2026-01-01", "--lakehouse", lake);
    assertThat(badTable.exit()).isEqualTo(Frip.EXIT_USAGE);
    assertThat(badTable.err()).contains("--table was 'bronze.nope'");

    GenerateCommandTest.Run badLake =
        GenerateCommandTest.run("gold", "--date", "2026-01-01", "--lakehouse", "ftp://x/");
    assertThat(badLake.exit()).isEqualTo(Frip.EXIT_USAGE);
    assertThat(badLake.err()).contains("--lakehouse");

    assumeTrue(System.getenv("KAFKA_BOOTSTRAP_SERVERS") == null);
    GenerateCommandTest.Run noKafka = GenerateCommandTest.run("ingest", "--lakehouse", lake);
    assertThat(noKafka.exit()).isEqualTo(Frip.EXIT_USAGE);
    assertThat(noKafka.err()).contains("--bootstrap is required");
    assumeTrue(System.getenv("SCHEMA_REGISTRY_URL") == null);
    GenerateCommandTest.Run noRegistry =
        GenerateCommandTest.run(
            "ingest", "--lakehouse", lake, "--bootstrap", kafka.bootstrapServers());
    assertThat(noRegistry.exit()).isEqualTo(Frip.EXIT_USAGE);
    assertThat(noRegistry.err()).contains("--registry-url is required");
  }
}
