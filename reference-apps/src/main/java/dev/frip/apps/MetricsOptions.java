package dev.frip.apps;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import picocli.CommandLine.Option;

/**
 * The {@code --metrics-port} and {@code --metrics-host} flags of the long-running commands: off by
 * default; with a port, the command serves its meters at {@code /metrics} (see {@code
 * monitoring/README.md} for the ports the sample Prometheus configuration scrapes).
 */
final class MetricsOptions {

  @Option(
      names = "--metrics-port",
      paramLabel = "PORT",
      description =
          "Serve Prometheus metrics at /metrics on this port (0 picks a free one; default: off).")
  Integer port;

  @Option(
      names = "--metrics-host",
      paramLabel = "HOST",
      description = "Address the metrics endpoint binds (default: 127.0.0.1).")
  String host = "127.0.0.1";

  /**
   * Starts the endpoint and prints where it is, or returns null when {@code --metrics-port} was not
   * given.
   */
  MetricsServer start(PrintWriter out, String command) {
    if (port == null) {
      return null;
    }
    if (port < 0 || port > 65_535) {
      throw new IllegalArgumentException("--metrics-port was " + port + ", must be 0 to 65535");
    }
    try {
      MetricsServer server = new MetricsServer(host, port);
      out.printf("%s: metrics at %s%n", command, server.url());
      out.flush();
      return server;
    } catch (IOException e) {
      throw new UncheckedIOException(
          "--metrics-port " + port + " on " + host + " could not be bound: " + e.getMessage(), e);
    }
  }
}
