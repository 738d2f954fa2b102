package dev.frip.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.frip.core.events.PaymentEvent;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The REST client's caches, retries, circuit breaker and errors against a real HTTP server. */
class SchemaRegistryClientTest {

  private CountingRegistry server;

  @BeforeEach
  void start() {
    server = new CountingRegistry();
  }

  @AfterEach
  void stop() {
    server.close();
  }

  private SchemaRegistry client(int attempts) {
    return SchemaRegistry.builder().url(server.url()).retry(attempts, Duration.ofMillis(1)).build();
  }

  @Test
  void cachesIdsAndSchemasSoRepeatedCallsStayLocal() {
    SchemaRegistry client = client(3);
    int id = client.register("payments-value", PaymentEvent.getClassSchema());
    int afterRegister = server.requests.get();
    for (int i = 0; i < 100; i++) {
      assertThat(client.register("payments-value", PaymentEvent.getClassSchema())).isEqualTo(id);
      assertThat(client.schemaById(id)).isEqualTo(PaymentEvent.getClassSchema());
    }
    assertThat(server.requests.get()).isEqualTo(afterRegister);
  }

  @Test
  void schemaByIdIsFetchedOnceThenCached() {
    int id = client(3).register("payments-value", PaymentEvent.getClassSchema());
    SchemaRegistry fresh = client(3);
    int before = server.requests.get();
    fresh.schemaById(id);
    fresh.schemaById(id);
    assertThat(server.requests.get()).isEqualTo(before + 1);
  }

  @Test
  void retriesServerErrorsWithBackoffAndSucceeds() {
    server.failuresLeft.set(2);
    assertThat(client(3).subjects()).isEmpty();
    assertThat(server.requests.get()).isEqualTo(3);
  }

  @Test
  void givesUpAfterRetriesWithTheRegistrysReason() {
    server.failuresLeft.set(100);
    assertThatThrownBy(() -> client(3).subjects())
        .isInstanceOfSatisfying(
            SchemaRegistryException.class,
            e -> {
              assertThat(e.status()).isEqualTo(503);
              assertThat(e.retriable()).isTrue();
              assertThat(e.getMessage())
                  .contains("leader not available")
                  .contains("gave up after 3 attempts");
            });
    assertThat(server.requests.get()).isEqualTo(3);
  }

  @Test
  void clientErrorsAreNotRetried() {
    assertThatThrownBy(() -> client(3).schemaById(42))
        .isInstanceOfSatisfying(
            SchemaRegistryException.class, e -> assertThat(e.retriable()).isFalse());
    assertThat(server.requests.get()).isEqualTo(1);
  }

  @Test
  void circuitOpensWhenTheRegistryKeepsFailing() {
    server.failuresLeft.set(1_000);
    SchemaRegistry client = client(1);
    for (int i = 0; i < 10; i++) {
      assertThatThrownBy(client::subjects).isInstanceOf(SchemaRegistryException.class);
    }
    int before = server.requests.get();
    assertThatThrownBy(client::subjects)
        .isInstanceOfSatisfying(
            SchemaRegistryException.class,
            e -> assertThat(e.getMessage()).contains("circuit breaker is open"));
    assertThat(server.requests.get()).isEqualTo(before);
  }

  @Test
  void unreachableRegistryIsReportedAndTheNextUrlIsTried() {
    String dead = "http://127.0.0.1:1";
    SchemaRegistry onlyDead =
        SchemaRegistry.builder().url(dead).retry(1, Duration.ofMillis(1)).build();
    assertThatThrownBy(onlyDead::subjects)
        .isInstanceOfSatisfying(
            SchemaRegistryException.class,
            e -> {
              assertThat(e.status()).isEqualTo(SchemaRegistryException.NO_RESPONSE);
              assertThat(e.getMessage()).contains("cannot reach").contains(dead);
            });
    SchemaRegistry failover =
        SchemaRegistry.builder()
            .url(dead + "," + server.url())
            .retry(2, Duration.ofMillis(1))
            .build();
    assertThat(failover.subjects()).isEmpty();
  }

  @Test
  void publishesRetryAndCircuitBreakerMeters() {
    SimpleMeterRegistry meters = new SimpleMeterRegistry();
    SchemaRegistry client =
        SchemaRegistry.builder().url(server.url()).meterRegistry(meters).name("sr").build();
    client.subjects();
    assertThat(meters.find("resilience4j.circuitbreaker.state").tag("name", "sr").meters())
        .isNotEmpty();
    assertThat(meters.find("resilience4j.retry.calls").tag("name", "sr").meters()).isNotEmpty();
  }

  @Test
  void builderRejectsBadSettingsAtOnce() {
    assertThatThrownBy(() -> SchemaRegistry.builder().build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("url");
    assertThatThrownBy(() -> SchemaRegistry.builder().url("ftp://x")).hasMessageContaining("http");
    assertThatThrownBy(() -> SchemaRegistry.builder().cacheSize(0)).hasMessageContaining("0");
    assertThatThrownBy(() -> SchemaRegistry.builder().retry(0, Duration.ofMillis(1)))
        .hasMessageContaining("0");
    assertThatThrownBy(
            () ->
                SchemaRegistry.builder()
                    .url("http://h")
                    .basicAuth("a", "b")
                    .bearerToken("t")
                    .build())
        .hasMessageContaining("not both");
  }
}
