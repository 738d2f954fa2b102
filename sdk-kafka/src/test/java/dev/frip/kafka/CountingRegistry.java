package dev.frip.kafka;

import com.sun.net.httpserver.HttpServer;
import dev.frip.kafka.internal.InMemorySchemaStore;
import dev.frip.kafka.internal.RegistryHttpHandler;
import dev.frip.kafka.internal.RegistryService;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A registry on 127.0.0.1 that counts HTTP requests and can answer 503 a number of times first: the
 * real REST handler behind a fault injector.
 */
final class CountingRegistry implements AutoCloseable {

  final AtomicInteger requests = new AtomicInteger();
  final AtomicInteger failuresLeft = new AtomicInteger();
  private final HttpServer http;

  CountingRegistry() {
    RegistryHttpHandler real =
        new RegistryHttpHandler(
            new RegistryService(new InMemorySchemaStore(), CompatibilityLevel.BACKWARD), null);
    try {
      http = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 16);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    http.createContext(
        "/",
        exchange -> {
          requests.incrementAndGet();
          if (failuresLeft.getAndUpdate(n -> n > 0 ? n - 1 : 0) > 0) {
            byte[] body =
                "{\"error_code\":50003,\"message\":\"leader not available\"}"
                    .getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(503, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
              out.write(body);
            }
            exchange.close();
            return;
          }
          real.handle(exchange);
        });
    http.start();
  }

  String url() {
    return "http://127.0.0.1:" + http.getAddress().getPort();
  }

  @Override
  public void close() {
    http.stop(0);
  }
}
