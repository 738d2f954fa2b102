package dev.frip.kafka;

import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import dev.frip.kafka.internal.InMemorySchemaStore;
import dev.frip.kafka.internal.KafkaSchemaStore;
import dev.frip.kafka.internal.RegistryHttpHandler;
import dev.frip.kafka.internal.RegistryService;
import dev.frip.kafka.internal.SchemaStore;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLContext;

/**
 * FRIP's schema registry service: the Confluent REST subset the serde uses, compatibility levels
 * checked with Avro's {@code SchemaCompatibility}, registry-wide stable ids. With Kafka storage it
 * keeps its state in the compacted topic {@code _schemas}, so a restart keeps every id; the
 * in-memory store is for unit tests. It binds 127.0.0.1 unless told otherwise.
 *
 * <pre>{@code
 * try (SchemaRegistryServer server = SchemaRegistryServer.builder()
 *     .port(8081).kafkaStorage("127.0.0.1:9092").start()) {
 *   SchemaRegistry client = SchemaRegistry.builder().url(server.url()).build();
 * }
 * }</pre>
 *
 * <p>One instance per store topic: there is no leader election between instances.
 *
 * @since 0.1.0
 */
public final class SchemaRegistryServer implements AutoCloseable {

  /** The default store topic, as in Confluent Schema Registry. */
  public static final String DEFAULT_TOPIC = "_schemas";

  private final HttpServer http;
  private final ExecutorService executor;
  private final SchemaStore store;
  private final String url;

  private SchemaRegistryServer(
      HttpServer http, ExecutorService executor, SchemaStore store, String url) {
    this.http = http;
    this.executor = executor;
    this.store = store;
    this.url = url;
  }

  /** A builder; {@link Builder#start()} starts the server. */
  public static Builder builder() {
    return new Builder();
  }

  /** The base URL clients use, e.g. {@code http://127.0.0.1:8081}. */
  public String url() {
    return url;
  }

  /** The port the server listens on (useful after asking for port 0). */
  public int port() {
    return http.getAddress().getPort();
  }

  /** Stops serving and closes the store. */
  @Override
  public void close() {
    http.stop(0);
    executor.shutdownNow();
    store.close();
  }

  /** Settings of the registry service. */
  public static final class Builder {
    private String host = "127.0.0.1";
    private int port = 8081;
    private Map<String, Object> kafkaConfig;
    private String topic = DEFAULT_TOPIC;
    private CompatibilityLevel defaultLevel = CompatibilityLevel.BACKWARD;
    private String authorization;
    private SSLContext sslContext;
    private int threads = 4;

    private Builder() {}

    /** The address to bind (default 127.0.0.1). */
    public Builder host(String host) {
      this.host = Objects.requireNonNull(host, "host");
      return this;
    }

    /** The port (default 8081; 0 picks a free one). */
    public Builder port(int port) {
      if (port < 0 || port > 65535) {
        throw new IllegalArgumentException("port was " + port + ", must be in 0..65535");
      }
      this.port = port;
      return this;
    }

    /** Keeps state in the compacted {@code _schemas} topic of this Kafka cluster. */
    public Builder kafkaStorage(String bootstrapServers) {
      Objects.requireNonNull(bootstrapServers, "bootstrapServers");
      return kafkaStorage(Map.of("bootstrap.servers", bootstrapServers));
    }

    /** Keeps state in Kafka with these client settings (security, etc.). */
    public Builder kafkaStorage(Map<String, Object> clientConfig) {
      if (!clientConfig.containsKey("bootstrap.servers")) {
        throw new IllegalArgumentException("kafka storage settings need bootstrap.servers");
      }
      this.kafkaConfig = new HashMap<>(clientConfig);
      return this;
    }

    /** Keeps state in memory only (the default): for tests, lost on stop. */
    public Builder inMemoryStorage() {
      this.kafkaConfig = null;
      return this;
    }

    /** The store topic (default {@code _schemas}). */
    public Builder topic(String topic) {
      this.topic = Objects.requireNonNull(topic, "topic");
      return this;
    }

    /** The global compatibility level until one is set over REST (default BACKWARD). */
    public Builder defaultCompatibility(CompatibilityLevel level) {
      this.defaultLevel = Objects.requireNonNull(level, "level");
      return this;
    }

    /** Requires HTTP Basic authentication with these credentials. */
    public Builder basicAuth(String user, String password) {
      Objects.requireNonNull(user, "user");
      Objects.requireNonNull(password, "password");
      this.authorization =
          "Basic "
              + Base64.getEncoder()
                  .encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
      return this;
    }

    /** Requires this bearer token. */
    public Builder bearerToken(String token) {
      this.authorization = "Bearer " + Objects.requireNonNull(token, "token");
      return this;
    }

    /** Serves HTTPS with this TLS context instead of HTTP. */
    public Builder https(SSLContext sslContext) {
      this.sslContext = Objects.requireNonNull(sslContext, "sslContext");
      return this;
    }

    /** Request-handling threads (default 4). */
    public Builder threads(int threads) {
      if (threads < 1) {
        throw new IllegalArgumentException("threads was " + threads + ", must be at least 1");
      }
      this.threads = threads;
      return this;
    }

    /**
     * Loads the store and starts serving.
     *
     * @throws UncheckedIOException when the address cannot be bound
     */
    public SchemaRegistryServer start() {
      SchemaStore store =
          kafkaConfig == null
              ? new InMemorySchemaStore()
              : new KafkaSchemaStore(kafkaConfig, topic);
      AtomicInteger n = new AtomicInteger();
      ExecutorService executor =
          Executors.newFixedThreadPool(
              threads,
              r -> {
                Thread t = new Thread(r, "frip-schema-registry-" + n.incrementAndGet());
                t.setDaemon(true);
                return t;
              });
      try {
        RegistryService service = new RegistryService(store, defaultLevel);
        InetSocketAddress address = new InetSocketAddress(host, port);
        HttpServer http;
        if (sslContext != null) {
          HttpsServer https = HttpsServer.create(address, 64);
          https.setHttpsConfigurator(new HttpsConfigurator(sslContext));
          http = https;
        } else {
          http = HttpServer.create(address, 64);
        }
        http.createContext("/", new RegistryHttpHandler(service, authorization));
        http.setExecutor(executor);
        http.start();
        String scheme = sslContext != null ? "https" : "http";
        String url = scheme + "://" + host + ":" + http.getAddress().getPort();
        return new SchemaRegistryServer(http, executor, store, url);
      } catch (IOException e) {
        executor.shutdownNow();
        store.close();
        throw new UncheckedIOException(
            "cannot bind the schema registry to " + host + ":" + port, e);
      } catch (RuntimeException e) {
        executor.shutdownNow();
        store.close();
        throw e;
      }
    }
  }
}
