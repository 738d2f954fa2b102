package dev.frip.embedded;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An HTTP proxy on 127.0.0.1 in front of a real service that answers {@code 503} to a given number
 * of requests before passing them on again: an outage as a client meets it, for failure tests.
 *
 * <pre>{@code
 * try (FaultyHttpProxy proxy = FaultyHttpProxy.start(registryServer.url())) {
 *   proxy.failNext(3);
 *   client = SchemaRegistry.builder().url(proxy.url()).build();
 *   ...
 * }
 * }</pre>
 */
public final class FaultyHttpProxy implements AutoCloseable {

  private static final byte[] UNAVAILABLE =
      "{\"error_code\":50003,\"message\":\"service unavailable (injected)\"}"
          .getBytes(StandardCharsets.UTF_8);

  private final String target;
  private final HttpServer server;
  private final HttpClient http = HttpClient.newHttpClient();
  private final AtomicInteger failuresLeft = new AtomicInteger();
  private final AtomicInteger failed = new AtomicInteger();

  private FaultyHttpProxy(String target) throws IOException {
    this.target = target.endsWith("/") ? target.substring(0, target.length() - 1) : target;
    this.server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 16);
    server.createContext("/", this::handle);
    server.setExecutor(Executors.newCachedThreadPool());
    server.start();
  }

  /** Starts a proxy for {@code target} (e.g. {@code http://127.0.0.1:8081}) that passes all on. */
  public static FaultyHttpProxy start(String target) {
    try {
      return new FaultyHttpProxy(target);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The proxy's base URL. */
  public String url() {
    return "http://127.0.0.1:" + server.getAddress().getPort();
  }

  /** Answers the next {@code n} requests with 503 instead of passing them on. */
  public void failNext(int n) {
    failuresLeft.set(n);
  }

  /** How many requests were answered with an injected 503 so far. */
  public int failed() {
    return failed.get();
  }

  private void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      int status;
      byte[] body;
      if (failuresLeft.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
        failed.incrementAndGet();
        status = 503;
        body = UNAVAILABLE;
      } else {
        HttpRequest.Builder rb =
            HttpRequest.newBuilder(URI.create(target + exchange.getRequestURI()))
                .method(
                    exchange.getRequestMethod(),
                    HttpRequest.BodyPublishers.ofByteArray(
                        exchange.getRequestBody().readAllBytes()));
        for (String header : new String[] {"Content-Type", "Accept", "Authorization"}) {
          String value = exchange.getRequestHeaders().getFirst(header);
          if (value != null) {
            rb.header(header, value);
          }
        }
        HttpResponse<byte[]> response;
        try {
          response = http.send(rb.build(), HttpResponse.BodyHandlers.ofByteArray());
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new IOException("interrupted", e);
        }
        status = response.statusCode();
        body = response.body();
        response
            .headers()
            .firstValue("Content-Type")
            .ifPresent(v -> exchange.getResponseHeaders().add("Content-Type", v));
      }
      exchange.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
      if (body.length > 0) {
        exchange.getResponseBody().write(body);
      }
    }
  }

  @Override
  public void close() {
    server.stop(0);
    ((java.util.concurrent.ExecutorService) server.getExecutor()).shutdownNow();
  }
}
