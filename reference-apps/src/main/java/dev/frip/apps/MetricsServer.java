package dev.frip.apps;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;

/**
 * {@code GET /metrics} in the Prometheus text format for a process that serves nothing else ({@code
 * frip score-stream}, {@code frip ingest}), on the JDK's HTTP server with one thread. {@link
 * ScoringServer} serves the same page through {@link #scrape}.
 */
final class MetricsServer implements AutoCloseable {

  /** The content type of the Prometheus text format. */
  static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

  private final PrometheusMeterRegistry meters;
  private final HttpServer server;

  /**
   * Starts serving a new registry.
   *
   * @param host the address to bind, e.g. 127.0.0.1
   * @param port the port, 0 for a free one
   */
  MetricsServer(String host, int port) throws IOException {
    this.meters = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    this.server = HttpServer.create(new InetSocketAddress(host, port), 16);
    server.createContext("/", this::handle);
    server.start();
  }

  /** The registry the process's components register their meters in. */
  PrometheusMeterRegistry registry() {
    return meters;
  }

  /** Where Prometheus scrapes, e.g. {@code http://127.0.0.1:9464/metrics}. */
  String url() {
    return "http://" + server.getAddress().getHostString() + ":" + port() + "/metrics";
  }

  /** The bound port (useful with port 0). */
  int port() {
    return server.getAddress().getPort();
  }

  /** The page Prometheus scrapes from {@code meters}. */
  static byte[] scrape(PrometheusMeterRegistry meters) {
    return meters.scrape().getBytes(StandardCharsets.UTF_8);
  }

  private void handle(HttpExchange ex) throws IOException {
    int status;
    byte[] body;
    String type = CONTENT_TYPE;
    if (!ex.getRequestURI().getPath().equals("/metrics")) {
      status = 404;
      body =
          ("no such endpoint: " + ex.getRequestURI().getPath() + "; try /metrics\n")
              .getBytes(StandardCharsets.UTF_8);
    } else if (!ex.getRequestMethod().equals("GET")) {
      status = 405;
      ex.getResponseHeaders().set("Allow", "GET");
      body =
          ("/metrics accepts GET, not " + ex.getRequestMethod() + "\n")
              .getBytes(StandardCharsets.UTF_8);
    } else {
      status = 200;
      body = scrape(meters);
    }
    if (status != 200) {
      type = "text/plain; charset=utf-8";
    }
    ex.getResponseHeaders().set("Content-Type", type);
    ex.sendResponseHeaders(status, body.length);
    try (OutputStream out = ex.getResponseBody()) {
      out.write(body);
    }
  }

  /** Stops serving and closes the registry. */
  @Override
  public void close() {
    server.stop(0);
    meters.close();
  }
}
