package dev.frip.kafka.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import dev.frip.kafka.CompatibilityLevel;
import dev.frip.kafka.CompatibilityResult;
import dev.frip.kafka.RegisteredSchema;
import dev.frip.kafka.SchemaRegistryException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The Confluent REST subset over {@link RegistryService}, on the JDK's HTTP server. */
public final class RegistryHttpHandler implements HttpHandler {

  private static final Logger LOG = LoggerFactory.getLogger(RegistryHttpHandler.class);
  private static final int MAX_BODY = 4 * 1024 * 1024;

  private final RegistryService service;
  private final byte[] expectedAuthorization;
  private final ObjectMapper json = new ObjectMapper();

  /**
   * Creates the handler.
   *
   * @param service the registry
   * @param expectedAuthorization the exact {@code Authorization} header required, or null for none
   */
  public RegistryHttpHandler(RegistryService service, String expectedAuthorization) {
    this.service = service;
    this.expectedAuthorization =
        expectedAuthorization == null
            ? null
            : expectedAuthorization.getBytes(StandardCharsets.UTF_8);
  }

  @Override
  public void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      if (!authorized(exchange)) {
        exchange.getResponseHeaders().add("WWW-Authenticate", "Basic realm=\"frip\"");
        respond(exchange, 401, error(401, "Unauthorized"));
        return;
      }
      try {
        respond(exchange, 200, route(exchange));
      } catch (SchemaRegistryException e) {
        respond(exchange, e.status() == 0 ? 500 : e.status(), error(e.errorCode(), e.getMessage()));
      } catch (BadRequest e) {
        respond(exchange, e.status, error(e.code, e.getMessage()));
      } catch (RuntimeException e) {
        LOG.warn("schema registry request {} failed", exchange.getRequestURI(), e);
        respond(exchange, 500, error(50001, "Error in the backend data store: " + e.getMessage()));
      }
    }
  }

  private boolean authorized(HttpExchange exchange) {
    if (expectedAuthorization == null) {
      return true;
    }
    String given = exchange.getRequestHeaders().getFirst("Authorization");
    return given != null
        && MessageDigest.isEqual(expectedAuthorization, given.getBytes(StandardCharsets.UTF_8));
  }

  private JsonNode route(HttpExchange exchange) throws IOException {
    String method = exchange.getRequestMethod();
    List<String> path = segments(exchange.getRequestURI().getRawPath());
    String query = exchange.getRequestURI().getRawQuery();
    int n = path.size();
    if (n == 0) {
      return json.createObjectNode();
    }
    switch (path.get(0)) {
      case "subjects":
        if (n == 1 && method.equals("GET")) {
          ArrayNode out = json.createArrayNode();
          service.subjects().forEach(out::add);
          return out;
        }
        if (n == 2 && method.equals("POST")) {
          return full(service.lookup(path.get(1), schemaText(exchange)));
        }
        if (n == 3 && path.get(2).equals("versions")) {
          if (method.equals("POST")) {
            RegisteredSchema r = service.register(path.get(1), schemaText(exchange));
            return json.createObjectNode().put("id", r.id());
          }
          if (method.equals("GET")) {
            ArrayNode out = json.createArrayNode();
            service.versions(path.get(1)).forEach(out::add);
            return out;
          }
        }
        if (n == 4 && path.get(2).equals("versions") && method.equals("GET")) {
          return full(service.version(path.get(1), path.get(3)));
        }
        break;
      case "schemas":
        if (n == 3 && path.get(1).equals("ids") && method.equals("GET")) {
          return json.createObjectNode()
              .put("schema", service.schemaById(parseId(path.get(2))).toString());
        }
        break;
      case "compatibility":
        if (n == 5
            && path.get(1).equals("subjects")
            && path.get(3).equals("versions")
            && method.equals("POST")) {
          CompatibilityResult r = service.testCompatibility(path.get(2), schemaText(exchange));
          ObjectNode out = json.createObjectNode().put("is_compatible", r.compatible());
          if (query != null && query.contains("verbose=true")) {
            ArrayNode messages = out.putArray("messages");
            r.messages().forEach(messages::add);
          }
          return out;
        }
        break;
      case "config":
        String subject = n == 2 ? path.get(1) : null;
        if (n <= 2 && method.equals("GET")) {
          if (subject == null) {
            return level(service.globalLevel());
          }
          Optional<CompatibilityLevel> level = service.subjectLevel(subject);
          if (level.isPresent()) {
            return level(level.get());
          }
          if (query != null && query.contains("defaultToGlobal=true")) {
            return level(service.globalLevel());
          }
          throw new SchemaRegistryException(
              404,
              SchemaRegistryException.SUBJECT_LEVEL_NOT_CONFIGURED,
              "Subject '" + subject + "' does not have subject-level compatibility configured");
        }
        if (n <= 2 && method.equals("PUT")) {
          JsonNode body = body(exchange);
          CompatibilityLevel level;
          try {
            level = CompatibilityLevel.parse(body.path("compatibility").asText(null));
          } catch (IllegalArgumentException e) {
            throw new BadRequest(
                422, SchemaRegistryException.INVALID_COMPATIBILITY_LEVEL, e.getMessage());
          }
          service.setLevel(subject, level);
          return json.createObjectNode().put("compatibility", level.name());
        }
        break;
      default:
        break;
    }
    throw new BadRequest(
        404, 404, "HTTP 404 Not Found: " + method + " " + exchange.getRequestURI());
  }

  private ObjectNode full(RegisteredSchema r) {
    return json.createObjectNode()
        .put("subject", r.subject())
        .put("version", r.version())
        .put("id", r.id())
        .put("schema", r.schema().toString());
  }

  private ObjectNode level(CompatibilityLevel level) {
    return json.createObjectNode().put("compatibilityLevel", level.name());
  }

  private String schemaText(HttpExchange exchange) throws IOException {
    JsonNode body = body(exchange);
    String type = body.path("schemaType").asText("AVRO");
    if (!type.equals("AVRO")) {
      throw new BadRequest(
          422,
          SchemaRegistryException.INVALID_SCHEMA,
          "Unsupported schema type " + type + "; this registry serves AVRO only");
    }
    JsonNode schema = body.get("schema");
    if (schema == null || !schema.isTextual()) {
      throw new BadRequest(
          422,
          SchemaRegistryException.INVALID_SCHEMA,
          "Invalid schema: the body has no \"schema\" string");
    }
    return schema.asText();
  }

  private JsonNode body(HttpExchange exchange) throws IOException {
    try (InputStream in = exchange.getRequestBody()) {
      byte[] bytes = in.readNBytes(MAX_BODY + 1);
      if (bytes.length > MAX_BODY) {
        throw new BadRequest(413, 413, "request body larger than " + MAX_BODY + " bytes");
      }
      try {
        return bytes.length == 0 ? json.createObjectNode() : json.readTree(bytes);
      } catch (IOException e) {
        throw new BadRequest(400, 400, "the body is not JSON: " + e.getMessage());
      }
    }
  }

  private static int parseId(String text) {
    try {
      return Integer.parseInt(text);
    } catch (NumberFormatException e) {
      throw new BadRequest(
          404, SchemaRegistryException.SCHEMA_NOT_FOUND, "Schema " + text + " not found");
    }
  }

  private static List<String> segments(String rawPath) {
    List<String> out = new ArrayList<>();
    for (String s : rawPath.split("/")) {
      if (!s.isEmpty()) {
        out.add(URLDecoder.decode(s, StandardCharsets.UTF_8));
      }
    }
    return out;
  }

  private ObjectNode error(int code, String message) {
    return json.createObjectNode().put("error_code", code).put("message", message);
  }

  private void respond(HttpExchange exchange, int status, JsonNode body) throws IOException {
    byte[] bytes = json.writeValueAsBytes(body);
    exchange.getResponseHeaders().set("Content-Type", HttpSchemaRegistryClient.CONTENT_TYPE);
    exchange.sendResponseHeaders(status, bytes.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(bytes);
    }
  }

  private static final class BadRequest extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final int status;
    private final int code;

    BadRequest(int status, int code, String message) {
      super(message);
      this.status = status;
      this.code = code;
    }
  }
}
