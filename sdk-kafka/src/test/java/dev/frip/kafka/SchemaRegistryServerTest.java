package dev.frip.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.frip.core.events.PaymentEvent;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.SecureRandom;
import java.util.HexFormat;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The registry service over real HTTP on 127.0.0.1, with the in-memory store. */
class SchemaRegistryServerTest {

  private SchemaRegistryServer server;
  private SchemaRegistry client;

  static Schema v1() {
    return SchemaBuilder.record("Thing").namespace("t").fields().requiredString("id").endRecord();
  }

  static Schema v2WithDefault() {
    return SchemaBuilder.record("Thing")
        .namespace("t")
        .fields()
        .requiredString("id")
        .name("note")
        .type()
        .stringType()
        .stringDefault("none")
        .endRecord();
  }

  static Schema v2WithoutDefault() {
    return SchemaBuilder.record("Thing")
        .namespace("t")
        .fields()
        .requiredString("id")
        .requiredLong("count")
        .endRecord();
  }

  @BeforeEach
  void start() {
    server = SchemaRegistryServer.builder().port(0).start();
    client =
        SchemaRegistry.builder().url(server.url()).retry(1, java.time.Duration.ofMillis(1)).build();
  }

  @AfterEach
  void stop() {
    client.close();
    server.close();
  }

  @Test
  void bindsLoopbackByDefault() {
    assertThat(server.url()).startsWith("http://127.0.0.1:");
    assertThat(server.port()).isPositive();
  }

  @Test
  void registersAndServesSchemaByIdSubjectAndVersion() {
    int id = client.register("payments-value", PaymentEvent.getClassSchema());

    assertThat(client.schemaById(id)).isEqualTo(PaymentEvent.getClassSchema());
    assertThat(client.subjects()).containsExactly("payments-value");
    assertThat(client.versions("payments-value")).containsExactly(1);
    RegisteredSchema latest = client.latest("payments-value");
    assertThat(latest.id()).isEqualTo(id);
    assertThat(latest.version()).isEqualTo(1);
    assertThat(client.version("payments-value", 1)).isEqualTo(latest);
    assertThat(client.lookup("payments-value", PaymentEvent.getClassSchema())).isEqualTo(latest);
  }

  @Test
  void registeringTheSameSchemaAgainKeepsItsIdAndVersion() {
    int first = client.register("a-value", v1());
    SchemaRegistry other = SchemaRegistry.builder().url(server.url()).build();
    assertThat(other.register("a-value", v1())).isEqualTo(first);
    assertThat(other.versions("a-value")).containsExactly(1);
  }

  @Test
  void idsAreGlobalAcrossSubjects() {
    int a = client.register("a-value", v1());
    int b = client.register("b-value", v1());
    int c = client.register("c-value", PaymentEvent.getClassSchema());
    assertThat(b).isEqualTo(a);
    assertThat(c).isNotEqualTo(a);
  }

  @Test
  void backwardCompatibleEvolutionGetsNewVersion() {
    int id1 = client.register("t-value", v1());
    int id2 = client.register("t-value", v2WithDefault());
    assertThat(id2).isNotEqualTo(id1);
    assertThat(client.versions("t-value")).containsExactly(1, 2);
    assertThat(client.latest("t-value").schema()).isEqualTo(v2WithDefault());
  }

  @Test
  void incompatibleRegistrationIsRefusedWith409AndTheReason() {
    client.register("t-value", v1());
    assertThatThrownBy(() -> client.register("t-value", v2WithoutDefault()))
        .isInstanceOfSatisfying(
            SchemaRegistryException.class,
            e -> {
              assertThat(e.status()).isEqualTo(409);
              assertThat(e.getMessage())
                  .contains("t-value")
                  .contains("incompatible")
                  .contains("READER_FIELD_MISSING_DEFAULT_VALUE");
            });
    assertThat(client.versions("t-value")).containsExactly(1);
  }

  @Test
  void compatibilityTestAnswersWithoutRegistering() {
    client.register("t-value", v1());
    CompatibilityResult bad = client.testCompatibility("t-value", v2WithoutDefault());
    assertThat(bad.compatible()).isFalse();
    assertThat(bad.messages()).isNotEmpty();
    assertThat(client.testCompatibility("t-value", v2WithDefault()).compatible()).isTrue();
    assertThat(client.testCompatibility("new-value", v1()).compatible()).isTrue();
    assertThat(client.versions("t-value")).containsExactly(1);
  }

  @Test
  void noneLevelAcceptsAnything() {
    client.setCompatibility("t-value", CompatibilityLevel.NONE);
    client.register("t-value", v1());
    client.register("t-value", v2WithoutDefault());
    assertThat(client.versions("t-value")).containsExactly(1, 2);
  }

  @Test
  void forwardLevelLetsOldReadersReadNewData() {
    client.setCompatibility("t-value", CompatibilityLevel.FORWARD);
    client.register("t-value", v1());
    // Adding a required field is forward compatible: v1 readers ignore it.
    client.register("t-value", v2WithoutDefault());
    // Dropping a field that the latest readers need, without default, is not.
    Schema dropsCount =
        SchemaBuilder.record("Thing")
            .namespace("t")
            .fields()
            .requiredString("id")
            .requiredString("other")
            .endRecord();
    assertThatThrownBy(() -> client.register("t-value", dropsCount))
        .isInstanceOfSatisfying(
            SchemaRegistryException.class, e -> assertThat(e.status()).isEqualTo(409));
  }

  @Test
  void fullLevelNeedsBothDirections() {
    client.setCompatibility("t-value", CompatibilityLevel.FULL);
    client.register("t-value", v1());
    assertThatThrownBy(() -> client.register("t-value", v2WithoutDefault()))
        .isInstanceOf(SchemaRegistryException.class);
    client.register("t-value", v2WithDefault());
    assertThat(client.versions("t-value")).containsExactly(1, 2);
  }

  @Test
  void backwardTransitiveChecksEveryVersion() {
    client.setCompatibility("t-value", CompatibilityLevel.NONE);
    client.register("t-value", v1());
    client.register("t-value", v2WithoutDefault());
    // Compatible with the latest (it has count) but not with v1 (no count there).
    Schema v3 =
        SchemaBuilder.record("Thing")
            .namespace("t")
            .fields()
            .requiredString("id")
            .requiredLong("count")
            .name("note")
            .type()
            .stringType()
            .stringDefault("")
            .endRecord();
    client.setCompatibility("t-value", CompatibilityLevel.BACKWARD);
    assertThat(client.testCompatibility("t-value", v3).compatible()).isTrue();
    client.setCompatibility("t-value", CompatibilityLevel.BACKWARD_TRANSITIVE);
    assertThat(client.testCompatibility("t-value", v3).compatible()).isFalse();
  }

  @Test
  void configIsGlobalWithSubjectOverrides() {
    assertThat(client.compatibility()).isEqualTo(CompatibilityLevel.BACKWARD);
    assertThat(client.compatibility("x-value")).isEmpty();
    client.setCompatibility(CompatibilityLevel.FULL);
    client.setCompatibility("x-value", CompatibilityLevel.NONE);
    assertThat(client.compatibility()).isEqualTo(CompatibilityLevel.FULL);
    assertThat(client.compatibility("x-value")).contains(CompatibilityLevel.NONE);
  }

  @Test
  void unknownSubjectVersionAndIdAre404WithCodes() {
    client.register("t-value", v1());
    assertThatThrownBy(() -> client.latest("nope-value"))
        .isInstanceOfSatisfying(
            SchemaRegistryException.class,
            e -> {
              assertThat(e.status()).isEqualTo(404);
              assertThat(e.errorCode()).isEqualTo(SchemaRegistryException.SUBJECT_NOT_FOUND);
              assertThat(e.getMessage()).contains("nope-value").contains("unknown subject");
            });
    assertThatThrownBy(() -> client.version("t-value", 7))
        .isInstanceOfSatisfying(
            SchemaRegistryException.class,
            e -> assertThat(e.errorCode()).isEqualTo(SchemaRegistryException.VERSION_NOT_FOUND));
    assertThatThrownBy(() -> client.schemaById(999))
        .isInstanceOfSatisfying(
            SchemaRegistryException.class,
            e -> {
              assertThat(e.errorCode()).isEqualTo(SchemaRegistryException.SCHEMA_NOT_FOUND);
              assertThat(e.getMessage()).contains("999");
            });
    assertThatThrownBy(() -> client.lookup("t-value", v2WithDefault()))
        .isInstanceOfSatisfying(
            SchemaRegistryException.class,
            e -> assertThat(e.errorCode()).isEqualTo(SchemaRegistryException.SCHEMA_NOT_FOUND));
  }

  @Test
  void invalidSchemaIs422() throws Exception {
    HttpResponse<String> r =
        post("/subjects/x-value/versions", "{\"schema\":\"{\\\"type\\\":\\\"recordz\\\"}\"}");
    assertThat(r.statusCode()).isEqualTo(422);
    assertThat(r.body()).contains("42201");
    assertThat(r.headers().firstValue("Content-Type"))
        .contains("application/vnd.schemaregistry.v1+json");
  }

  @Test
  void restAnswersInConfluentShapes() throws Exception {
    HttpResponse<String> reg =
        post("/subjects/s-value/versions", "{\"schema\":\"\\\"string\\\"\"}");
    assertThat(reg.body()).isEqualTo("{\"id\":1}");
    HttpResponse<String> lookup = post("/subjects/s-value", "{\"schema\":\"\\\"string\\\"\"}");
    assertThat(lookup.body()).contains("\"subject\":\"s-value\"", "\"version\":1", "\"id\":1");
    HttpResponse<String> compat =
        post("/compatibility/subjects/s-value/versions/latest", "{\"schema\":\"\\\"int\\\"\"}");
    assertThat(compat.body()).isEqualTo("{\"is_compatible\":false}");
    HttpResponse<String> unknown = post("/nothing/here", "{}");
    assertThat(unknown.statusCode()).isEqualTo(404);
    HttpResponse<String> badLevel = put("/config", "{\"compatibility\":\"SIDEWAYS\"}");
    assertThat(badLevel.statusCode()).isEqualTo(422);
    HttpResponse<String> notJson = post("/subjects/s-value/versions", "{nope");
    assertThat(notJson.statusCode()).isEqualTo(400);
    HttpResponse<String> defaulted =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(
                        URI.create(server.url() + "/config/s-value?defaultToGlobal=true"))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
    assertThat(defaulted.body()).isEqualTo("{\"compatibilityLevel\":\"BACKWARD\"}");
  }

  @Test
  void basicAuthIsRequiredWhenConfigured() {
    String password = randomSecret();
    try (SchemaRegistryServer secured =
        SchemaRegistryServer.builder().port(0).basicAuth("key", password).start()) {
      SchemaRegistry good =
          SchemaRegistry.builder().url(secured.url()).basicAuth("key", password).build();
      assertThat(good.register("a-value", v1())).isPositive();
      SchemaRegistry bad =
          SchemaRegistry.builder().url(secured.url()).basicAuth("key", "wrong").build();
      assertThatThrownBy(bad::subjects)
          .isInstanceOfSatisfying(
              SchemaRegistryException.class,
              e -> {
                assertThat(e.status()).isEqualTo(401);
                assertThat(e.getMessage()).contains("not authorized").doesNotContain(password);
              });
    }
  }

  @Test
  void bearerTokenIsRequiredWhenConfigured() {
    String token = randomSecret();
    try (SchemaRegistryServer secured =
        SchemaRegistryServer.builder().port(0).bearerToken(token).start()) {
      SchemaRegistry good = SchemaRegistry.builder().url(secured.url()).bearerToken(token).build();
      assertThat(good.subjects()).isEmpty();
      SchemaRegistry none = SchemaRegistry.builder().url(secured.url()).build();
      assertThatThrownBy(none::subjects).isInstanceOf(SchemaRegistryException.class);
    }
  }

  static String randomSecret() {
    byte[] bytes = new byte[16];
    new SecureRandom().nextBytes(bytes);
    return HexFormat.of().formatHex(bytes);
  }

  private HttpResponse<String> post(String path, String body) throws Exception {
    return send("POST", path, body);
  }

  private HttpResponse<String> put(String path, String body) throws Exception {
    return send("PUT", path, body);
  }

  private HttpResponse<String> send(String method, String path, String body) throws Exception {
    return HttpClient.newHttpClient()
        .send(
            HttpRequest.newBuilder(URI.create(server.url() + path))
                .header("Content-Type", "application/vnd.schemaregistry.v1+json")
                .method(method, HttpRequest.BodyPublishers.ofString(body))
                .build(),
            HttpResponse.BodyHandlers.ofString());
  }
}
