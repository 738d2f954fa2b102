package dev.frip.apps;

import picocli.CommandLine.Option;

/**
 * The {@code --bootstrap} flag, falling back to the seed's {@code KAFKA_BOOTSTRAP_SERVERS}; a
 * missing value is a usage error naming both.
 */
final class KafkaOptions {

  @Option(
      names = "--bootstrap",
      paramLabel = "HOST:PORT",
      description = "Kafka bootstrap servers (default: $KAFKA_BOOTSTRAP_SERVERS).")
  String bootstrap;

  /** The bootstrap servers from the flag or the environment. */
  String servers() {
    String servers = bootstrap != null ? bootstrap : System.getenv("KAFKA_BOOTSTRAP_SERVERS");
    if (servers == null || servers.isBlank()) {
      throw new IllegalArgumentException(
          "--bootstrap is required: pass --bootstrap HOST:PORT or set KAFKA_BOOTSTRAP_SERVERS");
    }
    return servers;
  }
}
