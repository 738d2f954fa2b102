package dev.frip.kafka;

import dev.frip.kafka.internal.HttpSchemaRegistryClient;
import io.micrometer.core.instrument.MeterRegistry;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import javax.net.ssl.SSLContext;
import org.apache.avro.Schema;

/**
 * A Confluent-compatible schema registry: Confluent Schema Registry, Confluent Cloud, or FRIP's own
 * {@link SchemaRegistryServer}. The serde calls it once per new schema and caches the answers, so
 * records after the first never wait on HTTP.
 *
 * <pre>{@code
 * SchemaRegistry registry = SchemaRegistry.builder()
 *     .url("https://psrc-xxxx.europe-west3.gcp.confluent.cloud")
 *     .basicAuth(apiKey, apiSecret)            // Confluent Cloud key and secret
 *     .build();
 * int id = registry.register("payments-value", PaymentEvent.getClassSchema());
 * }</pre>
 *
 * <p>Every method throws {@link SchemaRegistryException} with the REST API's status and error code
 * and a message that names the subject, id or version concerned.
 *
 * @since 0.1.0
 */
public interface SchemaRegistry extends AutoCloseable {

  /**
   * Registers a schema under a subject ({@code POST /subjects/{s}/versions}) and returns its id. A
   * schema already registered under the subject returns its existing id.
   *
   * @throws SchemaRegistryException 409 when the schema breaks the subject's compatibility level,
   *     422 when the registry rejects it as invalid
   */
  int register(String subject, Schema schema);

  /**
   * Finds the version of a subject holding this schema ({@code POST /subjects/{s}}).
   *
   * @throws SchemaRegistryException 404 when the subject or the schema under it is unknown
   */
  RegisteredSchema lookup(String subject, Schema schema);

  /**
   * The schema with this id ({@code GET /schemas/ids/{id}}).
   *
   * @throws SchemaRegistryException 404 when no schema has this id
   */
  Schema schemaById(int id);

  /** All subjects ({@code GET /subjects}). */
  List<String> subjects();

  /** The version numbers of a subject ({@code GET /subjects/{s}/versions}). */
  List<Integer> versions(String subject);

  /**
   * One version of a subject ({@code GET /subjects/{s}/versions/{v}}).
   *
   * @throws SchemaRegistryException 404 when the subject or version is unknown
   */
  RegisteredSchema version(String subject, int version);

  /** The latest version of a subject ({@code GET /subjects/{s}/versions/latest}). */
  RegisteredSchema latest(String subject);

  /**
   * Tests a schema against the latest version of a subject under its compatibility level ({@code
   * POST /compatibility/subjects/{s}/versions/latest?verbose=true}).
   */
  CompatibilityResult testCompatibility(String subject, Schema schema);

  /** The global compatibility level ({@code GET /config}). */
  CompatibilityLevel compatibility();

  /**
   * The subject's own compatibility level ({@code GET /config/{s}}), or empty when it uses the
   * global one.
   */
  Optional<CompatibilityLevel> compatibility(String subject);

  /** Sets the global compatibility level ({@code PUT /config}). */
  void setCompatibility(CompatibilityLevel level);

  /** Sets a subject's compatibility level ({@code PUT /config/{s}}). */
  void setCompatibility(String subject, CompatibilityLevel level);

  /** Releases the HTTP client. */
  @Override
  void close();

  /** A builder for the REST client. */
  static Builder builder() {
    return new Builder();
  }

  /**
   * Configures the REST client. Only {@link #url(String)} is required; authentication, TLS, cache
   * size, timeouts, retries and the circuit breaker have working defaults.
   */
  final class Builder {
    private final List<URI> urls = new ArrayList<>();
    private String basicUser;
    private String basicPassword;
    private String bearerToken;
    private SSLContext sslContext;
    private int cacheSize = 1_000;
    private Duration requestTimeout = Duration.ofSeconds(10);
    private int maxAttempts = 3;
    private Duration initialBackoff = Duration.ofMillis(100);
    private Duration circuitOpenDuration = Duration.ofSeconds(10);
    private MeterRegistry meterRegistry;
    private String name = "schema-registry";

    private Builder() {}

    /**
     * Adds the registry's base URL (several, comma-separated, are tried in turn on I/O failure).
     * Credentials written into a URL ({@code https://key:secret@host}) are used as {@link
     * #basicAuth} unless that was set, and are removed from the URL, so no message shows them.
     *
     * @throws IllegalArgumentException if a URL is not http or https
     */
    public Builder url(String url) {
      Objects.requireNonNull(url, "url");
      for (String part : url.split(",")) {
        String u = part.trim();
        if (u.isEmpty()) {
          continue;
        }
        URI uri;
        try {
          uri = new URI(u.endsWith("/") ? u.substring(0, u.length() - 1) : u);
        } catch (URISyntaxException e) {
          throw new IllegalArgumentException(
              "schema registry url '" + redact(u) + "' is not a URL: " + e.getReason());
        }
        if (!"http".equals(uri.getScheme()) && !"https".equals(uri.getScheme())) {
          throw new IllegalArgumentException(
              "schema registry url '" + redact(u) + "' must start with http:// or https://");
        }
        if (uri.getRawUserInfo() != null) {
          // Credentials in the URL (Confluent's basic.auth.credentials.source=URL) become basic
          // auth; the URL kept, and printed in errors, never holds them.
          String info = uri.getUserInfo();
          int colon = info.indexOf(':');
          if (basicUser == null) {
            basicUser = colon < 0 ? info : info.substring(0, colon);
            basicPassword = colon < 0 ? "" : info.substring(colon + 1);
          }
          try {
            uri =
                new URI(
                    uri.getScheme(),
                    null,
                    uri.getHost(),
                    uri.getPort(),
                    uri.getPath(),
                    uri.getQuery(),
                    uri.getFragment());
          } catch (URISyntaxException e) {
            throw new IllegalArgumentException(
                "schema registry url '" + redact(u) + "' is not a URL: " + e.getReason());
          }
        }
        urls.add(uri);
      }
      return this;
    }

    /**
     * {@code url} with anything between {@code ://} and the last {@code @} before the host hidden.
     */
    static String redact(String url) {
      int scheme = url.indexOf("://");
      int start = scheme < 0 ? 0 : scheme + 3;
      int slash = url.indexOf('/', start);
      int end = slash < 0 ? url.length() : slash;
      int at = url.lastIndexOf('@', end - 1);
      return at < start ? url : url.substring(0, start) + "***@" + url.substring(at + 1);
    }

    /** Basic authentication, e.g. a Confluent Cloud API key and secret. */
    public Builder basicAuth(String user, String password) {
      this.basicUser = Objects.requireNonNull(user, "user");
      this.basicPassword = Objects.requireNonNull(password, "password");
      return this;
    }

    /** Bearer-token authentication (OAuth). */
    public Builder bearerToken(String token) {
      this.bearerToken = Objects.requireNonNull(token, "token");
      return this;
    }

    /** The TLS context for https URLs (default: the JVM's). */
    public Builder sslContext(SSLContext sslContext) {
      this.sslContext = Objects.requireNonNull(sslContext, "sslContext");
      return this;
    }

    /** How many ids and schemas each cache keeps (default 1000). */
    public Builder cacheSize(int entries) {
      if (entries < 1) {
        throw new IllegalArgumentException("cache size was " + entries + ", must be at least 1");
      }
      this.cacheSize = entries;
      return this;
    }

    /** The timeout of one HTTP request (default 10 s). */
    public Builder requestTimeout(Duration timeout) {
      requirePositive(timeout, "request timeout");
      this.requestTimeout = timeout;
      return this;
    }

    /**
     * Attempts per call for 5xx answers and I/O errors (default 3), with exponential backoff
     * starting at {@code initialBackoff} (default 100 ms).
     */
    public Builder retry(int maxAttempts, Duration initialBackoff) {
      if (maxAttempts < 1) {
        throw new IllegalArgumentException(
            "max attempts was " + maxAttempts + ", must be at least 1");
      }
      requirePositive(initialBackoff, "initial backoff");
      this.maxAttempts = maxAttempts;
      this.initialBackoff = initialBackoff;
      return this;
    }

    /** How long the circuit stays open after the registry keeps failing (default 10 s). */
    public Builder circuitOpenDuration(Duration duration) {
      requirePositive(duration, "circuit open duration");
      this.circuitOpenDuration = duration;
      return this;
    }

    /** Where retry and circuit-breaker meters go (default: none). */
    public Builder meterRegistry(MeterRegistry registry) {
      this.meterRegistry = Objects.requireNonNull(registry, "meterRegistry");
      return this;
    }

    /** The name of the retry and circuit-breaker instances in metrics (default schema-registry). */
    public Builder name(String name) {
      this.name = Objects.requireNonNull(name, "name");
      return this;
    }

    /**
     * Builds the client.
     *
     * @throws IllegalStateException when no URL was given or both auth kinds were
     */
    public SchemaRegistry build() {
      if (urls.isEmpty()) {
        throw new IllegalStateException("schema registry url was not set");
      }
      if (basicUser != null && bearerToken != null) {
        throw new IllegalStateException("set basic auth or a bearer token, not both");
      }
      String authorization = null;
      if (basicUser != null) {
        authorization =
            "Basic "
                + java.util.Base64.getEncoder()
                    .encodeToString(
                        (basicUser + ":" + basicPassword)
                            .getBytes(java.nio.charset.StandardCharsets.UTF_8));
      } else if (bearerToken != null) {
        authorization = "Bearer " + bearerToken;
      }
      return new HttpSchemaRegistryClient(
          new HttpSchemaRegistryClient.Settings(
              List.copyOf(urls),
              authorization,
              sslContext,
              cacheSize,
              requestTimeout,
              maxAttempts,
              initialBackoff,
              circuitOpenDuration,
              meterRegistry,
              name));
    }

    private static void requirePositive(Duration d, String what) {
      Objects.requireNonNull(d, what);
      if (d.isNegative() || d.isZero()) {
        throw new IllegalArgumentException(what + " was " + d + ", must be positive");
      }
    }
  }
}
