package dev.frip.kafka.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.frip.kafka.CompatibilityLevel;
import dev.frip.kafka.CompatibilityResult;
import dev.frip.kafka.RegisteredSchema;
import dev.frip.kafka.SchemaRegistry;
import dev.frip.kafka.SchemaRegistryException;
import io.github.resilience4j.circuitbreaker.CallNotPermittedException;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import io.github.resilience4j.core.IntervalFunction;
import io.github.resilience4j.micrometer.tagged.TaggedCircuitBreakerMetrics;
import io.github.resilience4j.micrometer.tagged.TaggedRetryMetrics;
import io.github.resilience4j.retry.Retry;
import io.github.resilience4j.retry.RetryConfig;
import io.github.resilience4j.retry.RetryRegistry;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;
import javax.net.ssl.SSLContext;
import org.apache.avro.Schema;
import org.apache.avro.SchemaParseException;

/**
 * The REST client behind {@link SchemaRegistry#builder()}: JDK HTTP client, Caffeine caches for ids
 * and schemas, a resilience4j retry around a circuit breaker for 5xx answers and I/O errors.
 */
public final class HttpSchemaRegistryClient implements SchemaRegistry {

  /** The Confluent REST content type. */
  public static final String CONTENT_TYPE = "application/vnd.schemaregistry.v1+json";

  private static final String ACCEPT =
      CONTENT_TYPE + ", application/vnd.schemaregistry+json; q=0.9, application/json; q=0.5";

  /** Everything the builder collected. */
  public record Settings(
      List<URI> urls,
      String authorization,
      SSLContext sslContext,
      int cacheSize,
      Duration requestTimeout,
      int maxAttempts,
      Duration initialBackoff,
      Duration circuitOpenDuration,
      MeterRegistry meterRegistry,
      String name) {}

  private record SubjectSchema(String subject, Schema schema) {}

  private final Settings settings;
  private final HttpClient http;
  private final Retry retry;
  private final CircuitBreaker breaker;
  private final ObjectMapper json = new ObjectMapper();
  private final Cache<Integer, Schema> schemasById;
  private final Cache<SubjectSchema, Integer> idsBySubjectSchema;
  private final Cache<SubjectSchema, RegisteredSchema> versionsBySubjectSchema;
  private volatile int urlIndex;

  /** Creates the client; use {@link SchemaRegistry#builder()}. */
  public HttpSchemaRegistryClient(Settings settings) {
    this.settings = settings;
    HttpClient.Builder hb = HttpClient.newBuilder().connectTimeout(settings.requestTimeout());
    if (settings.sslContext() != null) {
      hb.sslContext(settings.sslContext());
    }
    this.http = hb.build();
    RetryRegistry retries =
        RetryRegistry.of(
            RetryConfig.custom()
                .maxAttempts(settings.maxAttempts())
                .intervalFunction(
                    IntervalFunction.ofExponentialBackoff(settings.initialBackoff(), 2.0))
                .retryOnException(HttpSchemaRegistryClient::retriable)
                .build());
    CircuitBreakerRegistry breakers =
        CircuitBreakerRegistry.of(
            CircuitBreakerConfig.custom()
                .slidingWindowSize(20)
                .minimumNumberOfCalls(10)
                .failureRateThreshold(50)
                .waitDurationInOpenState(settings.circuitOpenDuration())
                .recordException(HttpSchemaRegistryClient::retriable)
                .build());
    this.retry = retries.retry(settings.name());
    this.breaker = breakers.circuitBreaker(settings.name());
    if (settings.meterRegistry() != null) {
      TaggedRetryMetrics.ofRetryRegistry(retries).bindTo(settings.meterRegistry());
      TaggedCircuitBreakerMetrics.ofCircuitBreakerRegistry(breakers)
          .bindTo(settings.meterRegistry());
    }
    this.schemasById = Caffeine.newBuilder().maximumSize(settings.cacheSize()).build();
    this.idsBySubjectSchema = Caffeine.newBuilder().maximumSize(settings.cacheSize()).build();
    this.versionsBySubjectSchema = Caffeine.newBuilder().maximumSize(settings.cacheSize()).build();
  }

  private static boolean retriable(Throwable t) {
    return t instanceof SchemaRegistryException e && e.retriable();
  }

  /** The circuit breaker, for tests and health checks. */
  public CircuitBreaker.State circuitState() {
    return breaker.getState();
  }

  @Override
  public int register(String subject, Schema schema) {
    SubjectSchema key = new SubjectSchema(subject, schema);
    Integer cached = idsBySubjectSchema.getIfPresent(key);
    if (cached != null) {
      return cached;
    }
    ObjectNode body = json.createObjectNode().put("schema", schema.toString());
    JsonNode answer =
        call(
            "registering a schema under subject '" + subject + "'",
            "POST",
            "/subjects/" + enc(subject) + "/versions",
            body);
    int id = answer.path("id").asInt(-1);
    if (id < 0) {
      throw new SchemaRegistryException(
          200,
          SchemaRegistryException.STORE_ERROR,
          "registering under subject '" + subject + "': the registry's answer had no id");
    }
    idsBySubjectSchema.put(key, id);
    schemasById.asMap().putIfAbsent(id, schema);
    return id;
  }

  @Override
  public RegisteredSchema lookup(String subject, Schema schema) {
    SubjectSchema key = new SubjectSchema(subject, schema);
    RegisteredSchema cached = versionsBySubjectSchema.getIfPresent(key);
    if (cached != null) {
      return cached;
    }
    ObjectNode body = json.createObjectNode().put("schema", schema.toString());
    JsonNode answer =
        call(
            "looking up a schema under subject '" + subject + "'",
            "POST",
            "/subjects/" + enc(subject),
            body);
    RegisteredSchema found = toRegistered(answer, subject);
    versionsBySubjectSchema.put(key, found);
    idsBySubjectSchema.put(key, found.id());
    return found;
  }

  @Override
  public Schema schemaById(int id) {
    return schemasById.get(id, this::fetchSchema);
  }

  private Schema fetchSchema(int id) {
    JsonNode answer = call("fetching schema id " + id, "GET", "/schemas/ids/" + id, null);
    return parse(answer.path("schema").asText(), "schema id " + id);
  }

  @Override
  public List<String> subjects() {
    JsonNode answer = call("listing subjects", "GET", "/subjects", null);
    List<String> out = new ArrayList<>();
    answer.forEach(n -> out.add(n.asText()));
    return out;
  }

  @Override
  public List<Integer> versions(String subject) {
    JsonNode answer =
        call(
            "listing versions of subject '" + subject + "'",
            "GET",
            "/subjects/" + enc(subject) + "/versions",
            null);
    List<Integer> out = new ArrayList<>();
    answer.forEach(n -> out.add(n.asInt()));
    return out;
  }

  @Override
  public RegisteredSchema version(String subject, int version) {
    if (version < 1) {
      throw new IllegalArgumentException("version was " + version + ", must be at least 1");
    }
    return fetchVersion(subject, String.valueOf(version));
  }

  @Override
  public RegisteredSchema latest(String subject) {
    return fetchVersion(subject, "latest");
  }

  private RegisteredSchema fetchVersion(String subject, String version) {
    JsonNode answer =
        call(
            "fetching version " + version + " of subject '" + subject + "'",
            "GET",
            "/subjects/" + enc(subject) + "/versions/" + version,
            null);
    return toRegistered(answer, subject);
  }

  @Override
  public CompatibilityResult testCompatibility(String subject, Schema schema) {
    ObjectNode body = json.createObjectNode().put("schema", schema.toString());
    JsonNode answer =
        call(
            "testing compatibility with subject '" + subject + "'",
            "POST",
            "/compatibility/subjects/" + enc(subject) + "/versions/latest?verbose=true",
            body);
    List<String> messages = new ArrayList<>();
    answer.path("messages").forEach(n -> messages.add(n.asText()));
    return new CompatibilityResult(answer.path("is_compatible").asBoolean(false), messages);
  }

  @Override
  public CompatibilityLevel compatibility() {
    JsonNode answer = call("reading the global compatibility level", "GET", "/config", null);
    return CompatibilityLevel.parse(answer.path("compatibilityLevel").asText());
  }

  @Override
  public Optional<CompatibilityLevel> compatibility(String subject) {
    try {
      JsonNode answer =
          call(
              "reading the compatibility level of subject '" + subject + "'",
              "GET",
              "/config/" + enc(subject),
              null);
      return Optional.of(CompatibilityLevel.parse(answer.path("compatibilityLevel").asText()));
    } catch (SchemaRegistryException e) {
      if (e.status() == 404) {
        return Optional.empty();
      }
      throw e;
    }
  }

  @Override
  public void setCompatibility(CompatibilityLevel level) {
    ObjectNode body = json.createObjectNode().put("compatibility", level.name());
    call("setting the global compatibility level", "PUT", "/config", body);
  }

  @Override
  public void setCompatibility(String subject, CompatibilityLevel level) {
    ObjectNode body = json.createObjectNode().put("compatibility", level.name());
    call(
        "setting the compatibility level of subject '" + subject + "'",
        "PUT",
        "/config/" + enc(subject),
        body);
  }

  @Override
  public void close() {
    // The JDK client has no close before Java 21; dropping the reference frees it.
    schemasById.invalidateAll();
    idsBySubjectSchema.invalidateAll();
    versionsBySubjectSchema.invalidateAll();
  }

  private RegisteredSchema toRegistered(JsonNode answer, String subject) {
    return new RegisteredSchema(
        answer.path("subject").asText(subject),
        answer.path("version").asInt(),
        answer.path("id").asInt(),
        parse(answer.path("schema").asText(), "subject '" + subject + "'"));
  }

  private static Schema parse(String text, String what) {
    try {
      return new Schema.Parser().parse(text);
    } catch (SchemaParseException e) {
      throw new SchemaRegistryException(
          200,
          SchemaRegistryException.INVALID_SCHEMA,
          "the registry returned a schema for " + what + " that does not parse: " + e.getMessage(),
          e);
    }
  }

  private JsonNode call(String what, String method, String path, JsonNode body) {
    Supplier<JsonNode> once = () -> send(what, method, path, body);
    Supplier<JsonNode> guarded =
        Retry.decorateSupplier(retry, CircuitBreaker.decorateSupplier(breaker, once));
    try {
      return guarded.get();
    } catch (CallNotPermittedException e) {
      throw new SchemaRegistryException(
          SchemaRegistryException.NO_RESPONSE,
          SchemaRegistryException.STORE_ERROR,
          what
              + " was not attempted: the circuit breaker is open because the schema registry at "
              + settings.urls()
              + " kept failing; it is tried again after "
              + settings.circuitOpenDuration(),
          e);
    } catch (SchemaRegistryException e) {
      if (e.retriable() && settings.maxAttempts() > 1) {
        throw new SchemaRegistryException(
            e.status(),
            e.errorCode(),
            e.getMessage() + " (gave up after " + settings.maxAttempts() + " attempts)",
            e);
      }
      throw e;
    }
  }

  private JsonNode send(String what, String method, String path, JsonNode body) {
    int index = urlIndex;
    URI base = settings.urls().get(index % settings.urls().size());
    URI uri = URI.create(base + path);
    HttpRequest.Builder rb =
        HttpRequest.newBuilder(uri)
            .timeout(settings.requestTimeout())
            .header("Accept", ACCEPT)
            .header("User-Agent", "frip-sdk-kafka");
    if (settings.authorization() != null) {
      rb.header("Authorization", settings.authorization());
    }
    if (body != null) {
      rb.header("Content-Type", CONTENT_TYPE);
      rb.method(method, HttpRequest.BodyPublishers.ofString(body.toString()));
    } else {
      rb.method(method, HttpRequest.BodyPublishers.noBody());
    }
    HttpResponse<String> response;
    try {
      response = http.send(rb.build(), HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      urlIndex = index + 1; // try the next URL on the next attempt
      throw new SchemaRegistryException(
          SchemaRegistryException.NO_RESPONSE,
          SchemaRegistryException.STORE_ERROR,
          what + ": cannot reach the schema registry at " + base + ": " + e,
          e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new SchemaRegistryException(
          SchemaRegistryException.NO_RESPONSE,
          SchemaRegistryException.STORE_ERROR,
          what + ": interrupted",
          e);
    }
    int status = response.statusCode();
    JsonNode answer = readJson(response.body());
    if (status >= 200 && status < 300) {
      return answer;
    }
    int code = answer.path("error_code").asInt(status);
    String reason = answer.path("message").asText(response.body());
    throw new SchemaRegistryException(
        status, code, what + " failed: " + describe(status, code) + ": " + reason);
  }

  private JsonNode readJson(String body) {
    if (body == null || body.isBlank()) {
      return json.createObjectNode();
    }
    try {
      return json.readTree(body);
    } catch (IOException e) {
      return json.createObjectNode().put("message", body);
    }
  }

  private static String describe(int status, int code) {
    String words =
        switch (code) {
          case SchemaRegistryException.SUBJECT_NOT_FOUND -> "unknown subject";
          case SchemaRegistryException.VERSION_NOT_FOUND -> "unknown version";
          case SchemaRegistryException.SCHEMA_NOT_FOUND -> "unknown schema";
          case SchemaRegistryException.SUBJECT_LEVEL_NOT_CONFIGURED -> "no subject-level config";
          case SchemaRegistryException.INCOMPATIBLE_SCHEMA -> "incompatible schema";
          case SchemaRegistryException.INVALID_SCHEMA -> "invalid schema";
          default ->
              status == 401 || status == 403
                  ? "not authorized (check the API key and secret or the token)"
                  : status >= 500 ? "registry error" : "rejected";
        };
    return "HTTP " + status + " " + words + " (error code " + code + ")";
  }

  private static String enc(String segment) {
    return URLEncoder.encode(segment, StandardCharsets.UTF_8).replace("+", "%20");
  }
}
