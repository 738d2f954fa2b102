package dev.frip.apps;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.frip.core.FeatureSchema;
import dev.frip.scoring.FraudScorer;
import dev.frip.scoring.InvalidModelException;
import dev.frip.scoring.ModelRegistry;
import dev.frip.scoring.ModelSource;
import dev.frip.scoring.XGBoostModel;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.BindException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import ml.dmlc.xgboost4j.java.Booster;
import ml.dmlc.xgboost4j.java.DMatrix;
import ml.dmlc.xgboost4j.java.XGBoost;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The HTTP scoring service over real HTTP on 127.0.0.1. */
class ScoringServerTest {

  static final List<String> NAMES = List.of("amount", "txn_1h", "new_device", "noise");

  @TempDir Path dir;
  final HttpClient http = HttpClient.newHttpClient();
  final ObjectMapper json = new ObjectMapper();

  private Path model() throws Exception {
    return model(dir.resolve("m.json"));
  }

  /** A small binary:logistic model over {@link #NAMES}, saved to {@code file}. */
  static Path model(Path file) throws Exception {
    Random rnd = new Random(4);
    int rows = 400;
    float[] x = new float[rows * 4];
    float[] y = new float[rows];
    for (int r = 0; r < rows; r++) {
      for (int f = 0; f < 4; f++) {
        x[r * 4 + f] = (float) rnd.nextGaussian();
      }
      y[r] = x[r * 4] + 0.5 * x[r * 4 + 1] > 0.8 ? 1 : 0;
    }
    DMatrix d = new DMatrix(x, rows, 4, Float.NaN);
    d.setLabel(y);
    Map<String, Object> p = new HashMap<>();
    p.put("objective", "binary:logistic");
    p.put("max_depth", 3);
    p.put("nthread", 1);
    Booster b = XGBoost.train(d, p, 10, new HashMap<>(), null, null);
    b.setFeatureNames(NAMES.toArray(new String[0]));
    b.saveModel(file.toString());
    return file;
  }

  private HttpResponse<String> post(ScoringServer s, String body) throws Exception {
    return http.send(
        HttpRequest.newBuilder(URI.create(s.url() + "/v1/score"))
            .POST(HttpRequest.BodyPublishers.ofString(body))
            .header("Content-Type", "application/json")
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private HttpResponse<String> get(ScoringServer s, String path) throws Exception {
    return http.send(
        HttpRequest.newBuilder(URI.create(s.url() + path)).GET().build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private static ScoringServer start(ModelRegistry registry) throws Exception {
    return new ScoringServer(
        "127.0.0.1",
        0,
        2,
        meters -> FraudScorer.builder().models(registry).meterRegistry(meters).build());
  }

  @Test
  void withoutAModelHealthIsDegradedAndTheRulesDecide() throws Exception {
    try (ScoringServer s = start(ModelRegistry.at(dir.resolve("empty")))) {
      assertThat(s.url()).startsWith("http://127.0.0.1:");
      HttpResponse<String> health = get(s, "/health");
      assertThat(health.statusCode()).isEqualTo(503);
      assertThat(json.readTree(health.body()).get("status").asText()).isEqualTo("DEGRADED");
      HttpResponse<String> r = post(s, "{\"features\": {\"amount\": 1.0}}");
      assertThat(r.statusCode()).isEqualTo(200);
      assertThat(json.readTree(r.body()).get("fallback").asBoolean()).isTrue();
      assertThat(json.readTree(r.body()).get("model_version").asText()).isEqualTo("rules");
    }
  }

  @Test
  void scoresByFeatureNameLikeTheModelAndExposesPrometheusMetrics() throws Exception {
    ModelRegistry registry = ModelRegistry.at(dir.resolve("registry"));
    String v = registry.publish(model(), FeatureSchema.of("serve-test-1", NAMES), Map.of());
    registry.promote(v);
    XGBoostModel m = registry.current().model();
    try (ScoringServer s = start(registry)) {
      HttpResponse<String> health = get(s, "/health");
      assertThat(health.statusCode()).isEqualTo(200);
      assertThat(json.readTree(health.body()).get("model_version").asText()).isEqualTo(v);

      HttpResponse<String> r =
          post(
              s,
              "{\"payment_id\": \"p-1\", \"features\": {\"noise\": 0.1, \"amount\": 2.5,"
                  + " \"txn_1h\": 1, \"new_device\": null}}");
      assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
      JsonNode d = json.readTree(r.body());
      float expected = m.predict(new float[] {2.5f, 1f, Float.NaN, 0.1f});
      assertThat(d.get("score").asDouble()).isEqualTo((double) expected);
      assertThat(d.get("payment_id").asText()).isEqualTo("p-1");
      assertThat(d.get("model_version").asText()).isEqualTo(v);
      assertThat(d.get("fallback").asBoolean()).isFalse();
      assertThat(d.get("action").asText()).isIn("ALLOW", "REVIEW", "BLOCK");
      assertThat(d.get("reasons").isArray()).isTrue();

      String metrics = get(s, "/metrics").body();
      assertThat(metrics)
          .contains("frip_scorer_decisions_total")
          .contains("frip_http_requests_seconds_count{path=\"/v1/score\",status=\"200\"} 1");
    }
  }

  @Test
  void badRequestsGetAClearErrorNamingTheField() throws Exception {
    ModelRegistry registry = ModelRegistry.at(dir.resolve("registry"));
    registry.promote(registry.publish(model(), FeatureSchema.of("serve-test-1", NAMES), Map.of()));
    try (ScoringServer s = start(registry)) {
      Map<String, String> cases =
          Map.of(
              "{not json", "body is not JSON",
              "[1, 2]", "JSON object with a \"features\" object",
              "{\"amount\": 1}", "field \"features\" is missing",
              "{\"features\": {\"amount\": \"high\"}}", "feature \"amount\" must be a number",
              "{\"features\": {\"amout\": 1}}", "feature 'amout' is not in schema serve-test-1",
              "{\"payment_id\": 7, \"features\": {}}", "field \"payment_id\" must be a string");
      for (Map.Entry<String, String> c : cases.entrySet()) {
        HttpResponse<String> r = post(s, c.getKey());
        assertThat(r.statusCode()).as(c.getKey()).isEqualTo(400);
        assertThat(json.readTree(r.body()).get("error").asText())
            .as(c.getKey())
            .contains(c.getValue());
      }
      HttpResponse<String> big =
          post(s, "{\"features\": {}, \"pad\": \"" + "x".repeat(70_000) + "\"}");
      assertThat(big.statusCode()).isEqualTo(413);
      assertThat(get(s, "/v1/score").statusCode()).isEqualTo(405);
      assertThat(get(s, "/nothing-here").statusCode()).isEqualTo(404);
      assertThat(get(s, "/health/extra").statusCode()).isEqualTo(404);
    }
  }

  @Test
  void aBodyIsReadWholeOrRefusedNamingWhatIsWrong() throws Exception {
    try (ScoringServer s = start(ModelRegistry.at(dir.resolve("empty")))) {
      Map<String, List<String>> cases = new java.util.LinkedHashMap<>();
      cases.put(
          "{\"payment_id\": \"a\", \"features\": {\"amount\": 1}}"
              + "{\"payment_id\": \"b\", \"features\": {\"amount\": 2}}",
          List.of("body is not JSON: more follows the first JSON value"));
      cases.put("{\"features\": {\"amount\": 1}} trailing", List.of("body is not JSON"));
      cases.put(
          "{\"features\": {\"amount\": 1}} 7",
          List.of("body is not JSON: more follows the first JSON value"));
      cases.put(
          "{\"features\": {\"amount\": 1, \"amount\": 5000}}",
          List.of("body is not JSON", "Duplicate field 'amount'"));
      cases.put(
          "{\"features\": {}, \"features\": {\"amount\": 5000}}",
          List.of("Duplicate field 'features'"));
      cases.put(
          "{\"features\": {\"amount\": 1e309}}",
          List.of("feature \"amount\" must be a finite number"));
      cases.put(
          "{\"features\": {\"txn_1h\": -1e309}}",
          List.of("feature \"txn_1h\" must be a finite number"));
      cases.put(
          "{\"features\": {\"amount\": 1" + "0".repeat(400) + "}}",
          List.of("feature \"amount\" must be a finite number"));
      for (Map.Entry<String, List<String>> c : cases.entrySet()) {
        String shown = c.getKey().length() > 80 ? c.getKey().substring(0, 80) : c.getKey();
        HttpResponse<String> r = post(s, c.getKey());
        assertThat(r.statusCode()).as(shown + " -> " + r.body()).isEqualTo(400);
        assertThat(json.readTree(r.body()).get("error").asText()).as(shown).contains(c.getValue());
      }
      // Whitespace after the object is not more input.
      assertThat(post(s, "{\"features\": {\"amount\": 1}}\r\n  \n").statusCode()).isEqualTo(200);
    }
  }

  @Test
  void aPortThatCannotBeBoundClosesTheScorerItBuilt() throws Exception {
    AtomicInteger polls = new AtomicInteger();
    ModelSource registry =
        () -> {
          polls.incrementAndGet();
          throw new InvalidModelException("no model in this test");
        };
    try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
      assertThatThrownBy(
              () ->
                  new ScoringServer(
                      "127.0.0.1",
                      taken.getLocalPort(),
                      1,
                      meters ->
                          FraudScorer.builder()
                              .models(registry)
                              .refreshEvery(Duration.ofMillis(20))
                              .meterRegistry(meters)
                              .build()))
          .isInstanceOf(BindException.class);
    }
    Thread.sleep(200); // a poll under way when the scorer closed may still count
    int afterClose = polls.get();
    Thread.sleep(300);
    assertThat(polls.get()).as("the scorer's refresh thread still polls").isEqualTo(afterClose);
  }

  @Test
  void aStopLetsTheRequestInFlightFinishAndWaitsForIt() throws Exception {
    ScoringServer s = start(ModelRegistry.at(dir.resolve("empty")));
    Thread hook = ServeCommand.shutdownHook(s, new CountDownLatch(1));
    try (Socket client = new Socket("127.0.0.1", s.port())) {
      client.setSoTimeout(10_000);
      byte[] body =
          "{\"payment_id\": \"slow\", \"features\": {\"amount\": 1.0}}"
              .getBytes(StandardCharsets.UTF_8);
      OutputStream out = client.getOutputStream();
      out.write(
          ("POST /v1/score HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                  + "Content-Length: "
                  + body.length
                  + "\r\n\r\n")
              .getBytes(StandardCharsets.US_ASCII));
      out.write(body, 0, body.length / 2);
      out.flush();
      awaitTrue(() -> s.inFlight() == 1, "the request to reach a handler");

      hook.start(); // what SIGTERM runs
      awaitTrue(() -> !accepts(s.port()), "the server to refuse new connections");
      assertThat(hook.isAlive()).as("the hook waits for the request in flight").isTrue();

      out.write(body, body.length / 2, body.length - body.length / 2);
      out.flush();
      BufferedReader in =
          new BufferedReader(
              new InputStreamReader(client.getInputStream(), StandardCharsets.UTF_8));
      assertThat(in.readLine()).isEqualTo("HTTP/1.1 200 OK");
      StringBuilder response = new StringBuilder();
      for (String line = in.readLine(); line != null; line = in.readLine()) {
        response.append(line).append('\n');
      }
      assertThat(response).contains("\"payment_id\":\"slow\"").contains("\"score\":");
    } finally {
      hook.join(10_000);
      assertThat(hook.isAlive()).as("the hook returns once the server is stopped").isFalse();
      s.close();
    }
  }

  @Test
  void aStopWaitsForARequestThatNeverEndsNoLongerThanTheGracePeriod() throws Exception {
    ModelRegistry registry = ModelRegistry.at(dir.resolve("empty"));
    ScoringServer s =
        new ScoringServer(
            "127.0.0.1",
            0,
            2,
            Duration.ofSeconds(1),
            meters -> FraudScorer.builder().models(registry).meterRegistry(meters).build());
    try (Socket client = new Socket("127.0.0.1", s.port())) {
      client.setSoTimeout(10_000);
      client
          .getOutputStream()
          .write(
              "POST /v1/score HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 100\r\n\r\n{"
                  .getBytes(StandardCharsets.US_ASCII));
      awaitTrue(() -> s.inFlight() == 1, "the request to reach a handler");
      long started = System.nanoTime();
      s.close(); // returns: the request that never ends is cut off after the grace period
      // It was given the grace period first (a lower bound only: a loaded machine may take longer).
      assertThat(Duration.ofNanos(System.nanoTime() - started))
          .isGreaterThanOrEqualTo(Duration.ofMillis(900));
      assertThat(s.inFlight()).isZero();
    }
  }

  private static boolean accepts(int port) {
    try (Socket probe = new Socket("127.0.0.1", port)) {
      return true;
    } catch (ConnectException refused) {
      return false;
    } catch (java.io.IOException e) {
      return true;
    }
  }

  private static void awaitTrue(java.util.function.BooleanSupplier condition, String what)
      throws InterruptedException {
    long deadline = System.nanoTime() + 10_000_000_000L;
    while (!condition.getAsBoolean()) {
      assertThat(System.nanoTime()).as("waiting for " + what).isLessThan(deadline);
      Thread.sleep(20);
    }
  }
}
