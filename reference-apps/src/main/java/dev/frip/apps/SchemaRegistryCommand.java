package dev.frip.apps;

import dev.frip.embedded.EmbeddedKafka;
import dev.frip.kafka.CompatibilityLevel;
import dev.frip.kafka.SchemaRegistryServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code frip schema-registry}: the Confluent-REST-compatible registry service, state in the
 * compacted {@code _schemas} topic. Without a Kafka cluster it starts an embedded broker whose data
 * stays in {@code --data-dir}, so a restart keeps every id.
 */
@Command(
    name = "schema-registry",
    mixinStandardHelpOptions = true,
    description = "Runs the schema registry service (Confluent REST subset) until stopped.")
final class SchemaRegistryCommand implements Callable<Integer> {

  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Option(names = "--port", description = "HTTP port (default ${DEFAULT-VALUE}).")
  int port = 8081;

  @Option(names = "--host", description = "Address to bind (default ${DEFAULT-VALUE}).")
  String host = "127.0.0.1";

  @Option(
      names = "--bootstrap",
      paramLabel = "HOST:PORT",
      description =
          "Kafka cluster for the _schemas topic (default: $KAFKA_BOOTSTRAP_SERVERS, else an"
              + " embedded broker).")
  String bootstrap;

  @Option(
      names = "--data-dir",
      description = "Embedded broker data when no cluster is given (default ${DEFAULT-VALUE}).")
  Path dataDir = Path.of("frip-data", "kafka");

  @Option(
      names = "--compatibility",
      description = "Default compatibility level: ${COMPLETION-CANDIDATES} (default BACKWARD).")
  CompatibilityLevel compatibility = CompatibilityLevel.BACKWARD;

  /** What {@link #start()} brought up, closed in reverse order. */
  record Running(SchemaRegistryServer server, EmbeddedKafka embedded) implements AutoCloseable {
    @Override
    public void close() {
      server.close();
      if (embedded != null) {
        embedded.stop();
      }
    }
  }

  Running start() throws Exception {
    String servers = bootstrap != null ? bootstrap : System.getenv("KAFKA_BOOTSTRAP_SERVERS");
    EmbeddedKafka embedded = null;
    if (servers == null || servers.isBlank()) {
      Files.createDirectories(dataDir);
      embedded = EmbeddedKafka.start(dataDir, Map.of());
      servers = embedded.bootstrapServers();
    }
    try {
      SchemaRegistryServer server =
          SchemaRegistryServer.builder()
              .host(host)
              .port(port)
              .kafkaStorage(servers)
              .defaultCompatibility(compatibility)
              .start();
      return new Running(server, embedded);
    } catch (RuntimeException e) {
      if (embedded != null) {
        embedded.stop();
      }
      throw e;
    }
  }

  @Override
  public Integer call() throws Exception {
    Running running = start();
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  running.close();
                  stopped.countDown();
                }));
    spec.commandLine().getOut().println("schema registry listening on " + running.server().url());
    spec.commandLine().getOut().flush();
    stopped.await();
    return 0;
  }
}
