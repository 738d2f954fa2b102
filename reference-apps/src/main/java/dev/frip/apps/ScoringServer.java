package dev.frip.apps;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.frip.scoring.Decision;
import dev.frip.scoring.FraudScorer;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * The HTTP scoring service: {@code POST /v1/score}, {@code GET /health}, {@code GET /metrics}
 * (Prometheus), on the JDK's HTTP server, bound to 127.0.0.1 unless told otherwise.
 *
 * <p>{@code POST /v1/score} takes {@code {"payment_id": "p1", "features": {"amount": 129.9,
 * "txn_count_1h": 3, ...}}}: features by name (the model's {@link dev.frip.core.FeatureSchema}), a
 * missing or null one is missing (NaN); a number must be finite (within the double range). The body
 * is one JSON object, nothing after it, and no object in it names a field twice. It answers {@code
 * {"payment_id", "score", "action", "model_version", "reasons", "fallback"}}. A malformed request
 * gets 400 with an {@code error} that names the field; the service never answers 5xx for bad input.
 *
 * <p>{@link #close()} is graceful: the service stops accepting connections at once, lets requests
 * in flight finish for up to the grace period, then closes what is left.
 */
final class ScoringServer implements AutoCloseable {

  static final int MAX_BODY = 64 * 1024;

  /** How long {@link #close()} lets requests in flight finish, unless told otherwise. */
  static final Duration DEFAULT_GRACE = Duration.ofSeconds(5);

  /**
   * Reads a body whole or refuses it: a second value or text after the object, and a field named
   * twice (which would otherwise keep the last), are errors rather than silently dropped input.
   */
  private final ObjectMapper json =
      JsonMapper.builder()
          .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
          .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
          .build();

  private final FraudScorer scorer;
  private final PrometheusMeterRegistry meters;
  private final HttpServer server;
  private final ExecutorService executor;
  private final Duration grace;

  /** Exchanges handed to the executor and not finished: requests being read or answered. */
  private final AtomicInteger inFlight = new AtomicInteger();

  private boolean closed;

  /**
   * Starts the service, with the default grace period for requests in flight at {@link #close()}.
   *
   * @param scorerFactory builds the scorer on the service's meter registry
   */
  ScoringServer(
      String host,
      int port,
      int threads,
      Function<PrometheusMeterRegistry, FraudScorer> scorerFactory)
      throws IOException {
    this(host, port, threads, DEFAULT_GRACE, scorerFactory);
  }

  /**
   * Starts the service.
   *
   * @param grace how long {@link #close()} lets requests in flight finish
   * @param scorerFactory builds the scorer on the service's meter registry
   * @throws IOException when {@code host:port} cannot be bound (the scorer is closed then)
   */
  ScoringServer(
      String host,
      int port,
      int threads,
      Duration grace,
      Function<PrometheusMeterRegistry, FraudScorer> scorerFactory)
      throws IOException {
    if (grace.isNegative()) {
      throw new IllegalArgumentException("grace period was " + grace + ", must be 0 or more");
    }
    this.grace = grace;
    this.meters = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    this.scorer = scorerFactory.apply(meters);
    try {
      this.server = HttpServer.create(new InetSocketAddress(host, port), 64);
    } catch (IOException | RuntimeException e) {
      // The scorer may already poll the registry on its own thread: it must not outlive us.
      scorer.close();
      throw e;
    }
    this.executor = Executors.newFixedThreadPool(threads);
    server.setExecutor(
        task -> {
          inFlight.incrementAndGet();
          try {
            executor.execute(
                () -> {
                  try {
                    task.run();
                  } finally {
                    inFlight.decrementAndGet();
                  }
                });
          } catch (RejectedExecutionException e) {
            inFlight.decrementAndGet();
            throw e;
          }
        });
    server.createContext("/v1/score", ex -> handle(ex, "POST", "/v1/score", this::score));
    server.createContext("/health", ex -> handle(ex, "GET", "/health", this::health));
    server.createContext("/metrics", ex -> handle(ex, "GET", "/metrics", this::metrics));
    server.createContext(
        "/", ex -> respond(ex, error(404, "no such endpoint: " + ex.getRequestURI().getPath())));
    server.start();
  }

  /** The bound port (useful with port 0). */
  int port() {
    return server.getAddress().getPort();
  }

  /** Requests being read or answered now. */
  int inFlight() {
    return inFlight.get();
  }

  /** The address clients use, e.g. {@code http://127.0.0.1:8000}. */
  String url() {
    return "http://" + server.getAddress().getHostString() + ":" + port();
  }

  private record Response(int status, String contentType, byte[] body) {}

  @FunctionalInterface
  private interface Handler {
    Response handle(HttpExchange ex) throws IOException;
  }

  private void handle(HttpExchange ex, String method, String path, Handler h) throws IOException {
    Timer.Sample sample = Timer.start(meters);
    Response r;
    try {
      if (!ex.getRequestURI().getPath().equals(path)) {
        r = error(404, "no such endpoint: " + ex.getRequestURI().getPath());
      } else if (!ex.getRequestMethod().equals(method)) {
        ex.getResponseHeaders().set("Allow", method);
        r = error(405, path + " accepts " + method + ", not " + ex.getRequestMethod());
      } else {
        r = h.handle(ex);
      }
    } catch (RuntimeException e) {
      r = error(500, "internal error: " + e.getClass().getSimpleName());
    }
    sample.stop(
        Timer.builder("frip.http.requests")
            .tag("path", path)
            .tag("status", Integer.toString(r.status()))
            .publishPercentileHistogram()
            .register(meters));
    respond(ex, r);
  }

  private Response score(HttpExchange ex) throws IOException {
    byte[] body;
    try (InputStream in = ex.getRequestBody()) {
      body = in.readNBytes(MAX_BODY + 1);
    }
    if (body.length > MAX_BODY) {
      return error(413, "request body is larger than " + MAX_BODY + " bytes");
    }
    JsonNode root;
    try {
      root = json.readTree(body);
    } catch (JsonProcessingException e) {
      String why = e.getOriginalMessage();
      if (why != null && why.startsWith("Trailing token")) {
        // Jackson's wording names its own classes; say what the client sent.
        why =
            "more follows the first JSON value"
                + (e.getLocation() == null
                    ? ""
                    : " (line "
                        + e.getLocation().getLineNr()
                        + ", column "
                        + e.getLocation().getColumnNr()
                        + ")")
                + "; send one object per request";
      }
      return error(400, "body is not JSON: " + why);
    }
    if (root == null || !root.isObject()) {
      return error(400, "body must be a JSON object with a \"features\" object");
    }
    JsonNode features = root.get("features");
    if (features == null || !features.isObject()) {
      return error(400, "field \"features\" is missing or not an object of name: number");
    }
    Map<String, Double> byName = new LinkedHashMap<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = features.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> f = it.next();
      JsonNode v = f.getValue();
      if (v.isNull()) {
        byName.put(f.getKey(), null);
      } else if (v.isNumber()) {
        double d = v.doubleValue();
        if (!Double.isFinite(d)) {
          // 1e309 parses as Infinity: it would score as the largest amount there is.
          return error(
              400,
              "feature \""
                  + f.getKey()
                  + "\" must be a finite number; it is beyond the double range (±1.8e308)");
        }
        byName.put(f.getKey(), d);
      } else if (v.isBoolean()) {
        byName.put(f.getKey(), v.booleanValue() ? 1.0 : 0.0);
      } else {
        return error(
            400, "feature \"" + f.getKey() + "\" must be a number, a boolean or null, not " + v);
      }
    }
    JsonNode id = root.get("payment_id");
    if (id != null && !id.isTextual()) {
      return error(400, "field \"payment_id\" must be a string");
    }
    Decision d;
    try {
      d = scorer.score(byName);
    } catch (IllegalArgumentException e) {
      return error(400, e.getMessage());
    }
    ObjectNode out = json.createObjectNode();
    if (id != null) {
      out.put("payment_id", id.asText());
    }
    out.put("score", d.score());
    out.put("action", d.action().name());
    out.put("model_version", d.modelVersion());
    ArrayNode reasons = out.putArray("reasons");
    d.reasons().forEach(reasons::add);
    out.put("fallback", d.fallback());
    return new Response(200, "application/json", json.writeValueAsBytes(out));
  }

  private Response health(HttpExchange ex) throws IOException {
    boolean model = scorer.activeModel().isPresent();
    ObjectNode out = json.createObjectNode();
    out.put("status", model ? "UP" : "DEGRADED");
    out.put("model_version", scorer.modelVersion());
    if (!model) {
      out.put("detail", "no model loaded: the rules score decides");
    }
    return new Response(model ? 200 : 503, "application/json", json.writeValueAsBytes(out));
  }

  private Response metrics(HttpExchange ex) {
    return new Response(200, MetricsServer.CONTENT_TYPE, MetricsServer.scrape(meters));
  }

  private Response error(int status, String message) {
    ObjectNode out = json.createObjectNode();
    out.put("error", message);
    try {
      return new Response(status, "application/json", json.writeValueAsBytes(out));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  private static void respond(HttpExchange ex, Response r) throws IOException {
    ex.getResponseHeaders().set("Content-Type", r.contentType());
    ex.sendResponseHeaders(r.status(), r.body().length);
    try (OutputStream out = ex.getResponseBody()) {
      out.write(r.body());
    }
  }

  /**
   * Stops gracefully: refuses new connections at once, lets requests in flight finish for up to the
   * grace period, then closes the remaining connections and the scorer. Returns when all that is
   * done; a second call (e.g. from a shutdown hook) waits for the first.
   */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    long deadline = System.nanoTime() + grace.toNanos();
    try {
      // stop(n) closes the listening socket first, then waits up to n seconds until the exchanges
      // in flight have written their responses. With none in flight, JDK 17's server would still
      // wait all n seconds (nothing ends an exchange to wake it), so an idle server stops at once.
      int seconds = (int) Math.min(Integer.MAX_VALUE, (grace.toMillis() + 999) / 1000);
      server.stop(inFlight.get() == 0 ? 0 : seconds);
      executor.shutdown();
      try {
        long left = Math.max(0, deadline - System.nanoTime());
        if (!executor.awaitTermination(left, TimeUnit.NANOSECONDS)) {
          // Past the grace period: the connections are closed, so what still runs fails soon.
          executor.shutdownNow();
          executor.awaitTermination(1, TimeUnit.SECONDS);
        }
      } catch (InterruptedException e) {
        executor.shutdownNow();
        Thread.currentThread().interrupt();
      }
    } finally {
      scorer.close();
    }
  }
}
