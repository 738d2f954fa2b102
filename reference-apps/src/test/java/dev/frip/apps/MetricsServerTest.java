package dev.frip.apps;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.Counter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The standalone {@code /metrics} endpoint over real HTTP, and the flags that start it. */
class MetricsServerTest {

  @TempDir Path dir;
  final HttpClient http = HttpClient.newHttpClient();

  private HttpResponse<String> send(HttpRequest.Builder r) throws Exception {
    return http.send(r.build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void servesTheRegistryOnLoopbackAndOnlyAtGetMetrics() throws Exception {
    try (MetricsServer server = new MetricsServer("127.0.0.1", 0)) {
      Counter.builder("frip.test.things").register(server.registry()).increment(3);
      assertThat(server.url()).startsWith("http://127.0.0.1:").endsWith("/metrics");

      HttpResponse<String> ok = send(HttpRequest.newBuilder(URI.create(server.url())));
      assertThat(ok.statusCode()).isEqualTo(200);
      assertThat(ok.headers().firstValue("Content-Type")).contains(MetricsServer.CONTENT_TYPE);
      assertThat(ok.body()).contains("frip_test_things_total 3.0");

      HttpResponse<String> post =
          send(
              HttpRequest.newBuilder(URI.create(server.url()))
                  .POST(HttpRequest.BodyPublishers.noBody()));
      assertThat(post.statusCode()).isEqualTo(405);
      assertThat(post.headers().firstValue("Allow")).contains("GET");

      HttpResponse<String> other =
          send(
              HttpRequest.newBuilder(
                  URI.create("http://127.0.0.1:" + server.port() + "/v1/score")));
      assertThat(other.statusCode()).isEqualTo(404);
      assertThat(other.body()).contains("/v1/score").contains("/metrics");
    }
  }

  @Test
  void aBadMetricsPortIsAUsageErrorNamingTheFlag() {
    GenerateCommandTest.Run r =
        GenerateCommandTest.run(
            "ingest",
            "--bootstrap",
            "127.0.0.1:1",
            "--registry-url",
            "http://127.0.0.1:1",
            "--lakehouse",
            dir.resolve("lake").toString(),
            "--metrics-port",
            "70000");
    assertThat(r.exit()).isEqualTo(2);
    assertThat(r.err()).contains("--metrics-port was 70000");
  }
}
