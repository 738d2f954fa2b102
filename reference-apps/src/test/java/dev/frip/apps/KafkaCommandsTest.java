package dev.frip.apps;

import static org.assertj.core.api.Assertions.assertThat;

import dev.frip.core.Topics;
import dev.frip.core.events.PaymentEvent;
import dev.frip.embedded.EmbeddedKafka;
import dev.frip.kafka.SchemaRegistry;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewPartitions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class KafkaCommandsTest {

  private static EmbeddedKafka kafka;

  @BeforeAll
  static void start() {
    kafka = EmbeddedKafka.start();
  }

  @AfterAll
  static void stop() {
    kafka.stop();
  }

  private static int run(StringWriter out, StringWriter err, String... args) {
    CommandLine cli = new CommandLine(new Frip());
    cli.setOut(new PrintWriter(out, true));
    cli.setErr(new PrintWriter(err, true));
    return cli.execute(args);
  }

  @Test
  void topicsCreatesThenVerifiesThenReportsDrift() throws Exception {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    assertThat(run(out, err, "topics", "--bootstrap", kafka.bootstrapServers())).isZero();
    assertThat(out.toString()).contains("created payments").contains("created payments.dlq");

    StringWriter again = new StringWriter();
    assertThat(run(again, err, "topics", "--bootstrap", kafka.bootstrapServers())).isZero();
    assertThat(again.toString()).contains("verified " + Topics.ALL.size() + " topics");

    try (Admin admin = Admin.create(Map.of("bootstrap.servers", kafka.bootstrapServers()))) {
      admin.createPartitions(Map.of("refunds", NewPartitions.increaseTo(8))).all().get();
      // Metadata reaches the broker's cache shortly after the controller accepts the change.
      for (int i = 0; i < 200; i++) {
        int n =
            admin
                .describeTopics(List.of("refunds"))
                .allTopicNames()
                .get()
                .get("refunds")
                .partitions()
                .size();
        if (n == 8) {
          break;
        }
        Thread.sleep(50);
      }
    }
    StringWriter driftErr = new StringWriter();
    assertThat(run(new StringWriter(), driftErr, "topics", "--bootstrap", kafka.bootstrapServers()))
        .isEqualTo(1);
    assertThat(driftErr.toString()).contains("DRIFT refunds: partitions is 8, spec says 6");
    StringWriter verifyErr = new StringWriter();
    assertThat(
            run(
                new StringWriter(),
                verifyErr,
                "topics",
                "--verify-only",
                "--bootstrap",
                kafka.bootstrapServers()))
        .isEqualTo(1);
    assertThat(verifyErr.toString()).contains("DRIFT refunds");
  }

  @Test
  void topicsWithoutAClusterIsAUsageError() {
    assertThat(Frip.run("topics", "--bootstrap", "")).isEqualTo(Frip.EXIT_USAGE);
  }

  @Test
  void schemaRegistryServesOnLoopbackAndKeepsIdsInKafka() throws Exception {
    SchemaRegistryCommand first = new SchemaRegistryCommand();
    new CommandLine(first).parseArgs("--port", "0", "--bootstrap", kafka.bootstrapServers());
    int id;
    try (SchemaRegistryCommand.Running running = first.start();
        SchemaRegistry client = SchemaRegistry.builder().url(running.server().url()).build()) {
      assertThat(running.server().url()).startsWith("http://127.0.0.1:");
      id = client.register("payments-value", PaymentEvent.getClassSchema());
    }
    SchemaRegistryCommand second = new SchemaRegistryCommand();
    new CommandLine(second).parseArgs("--port", "0", "--bootstrap", kafka.bootstrapServers());
    try (SchemaRegistryCommand.Running running = second.start();
        SchemaRegistry client = SchemaRegistry.builder().url(running.server().url()).build()) {
      assertThat(client.subjects()).containsAll(List.of("payments-value"));
      assertThat(client.latest("payments-value").id()).isEqualTo(id);
    }
  }
}
