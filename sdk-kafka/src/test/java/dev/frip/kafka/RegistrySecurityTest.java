package dev.frip.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.frip.core.events.PaymentEvent;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.Map;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Authentication and TLS configured the Confluent way, through serde properties. */
class RegistrySecurityTest {

  @TempDir static Path dir;
  private static String storePassword;
  private static Path keyStore;
  private static Path trustStore;

  @BeforeAll
  static void makeCertificate() throws Exception {
    storePassword = SchemaRegistryServerTest.randomSecret();
    keyStore = dir.resolve("server.p12");
    trustStore = dir.resolve("trust.p12");
    Path cert = dir.resolve("server.crt");
    keytool(
        "-genkeypair",
        "-alias",
        "registry",
        "-keyalg",
        "EC",
        "-groupname",
        "secp256r1",
        "-dname",
        "CN=127.0.0.1",
        "-ext",
        "SAN=ip:127.0.0.1",
        "-validity",
        "2",
        "-keystore",
        keyStore.toString(),
        "-storetype",
        "PKCS12",
        "-storepass",
        storePassword);
    keytool(
        "-exportcert",
        "-alias",
        "registry",
        "-keystore",
        keyStore.toString(),
        "-storepass",
        storePassword,
        "-file",
        cert.toString());
    keytool(
        "-importcert",
        "-noprompt",
        "-alias",
        "registry",
        "-file",
        cert.toString(),
        "-keystore",
        trustStore.toString(),
        "-storetype",
        "PKCS12",
        "-storepass",
        storePassword);
  }

  private static void keytool(String... args) throws Exception {
    String[] cmd = new String[args.length + 1];
    cmd[0] = Path.of(System.getProperty("java.home"), "bin", "keytool").toString();
    System.arraycopy(args, 0, cmd, 1, args.length);
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes());
    if (p.waitFor() != 0) {
      throw new IllegalStateException("keytool failed: " + out.replace(storePassword, "***"));
    }
  }

  private static SSLContext serverContext() throws Exception {
    KeyStore ks = KeyStore.getInstance("PKCS12");
    try (InputStream in = Files.newInputStream(keyStore)) {
      ks.load(in, storePassword.toCharArray());
    }
    KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    kmf.init(ks, storePassword.toCharArray());
    SSLContext ctx = SSLContext.getInstance("TLS");
    ctx.init(kmf.getKeyManagers(), null, null);
    return ctx;
  }

  @Test
  void serdeTalksHttpsWithBasicAuthFromConfluentProperties() throws Exception {
    String secret = SchemaRegistryServerTest.randomSecret();
    try (SchemaRegistryServer server =
        SchemaRegistryServer.builder()
            .port(0)
            .https(serverContext())
            .basicAuth("api-key", secret)
            .start()) {
      assertThat(server.url()).startsWith("https://127.0.0.1:");
      Map<String, Object> props =
          Map.of(
              AvroSerde.SCHEMA_REGISTRY_URL,
              server.url(),
              AvroSerde.BASIC_AUTH_CREDENTIALS_SOURCE,
              "USER_INFO",
              AvroSerde.BASIC_AUTH_USER_INFO,
              "api-key:" + secret,
              AvroSerde.SSL_TRUSTSTORE_LOCATION,
              trustStore.toString(),
              AvroSerde.SSL_TRUSTSTORE_PASSWORD,
              storePassword,
              AvroSerde.SPECIFIC_AVRO_READER,
              "true");
      FripAvroSerializer ser = new FripAvroSerializer();
      ser.configure(props, false);
      FripAvroDeserializer de = new FripAvroDeserializer();
      de.configure(props, false);
      PaymentEvent e = SampleEvents.specific(PaymentEvent.getClassSchema(), 9);
      assertThat(de.deserialize("payments", ser.serialize("payments", e))).isEqualTo(e);
      ser.close();
      de.close();
    }
  }

  @Test
  void bearerTokenFromProperties() {
    String token = SchemaRegistryServerTest.randomSecret();
    try (SchemaRegistryServer server =
            SchemaRegistryServer.builder().port(0).bearerToken(token).start();
        SchemaRegistry client =
            AvroSerde.registryFromConfig(
                Map.of(
                    AvroSerde.SCHEMA_REGISTRY_URL,
                    server.url(),
                    AvroSerde.BEARER_AUTH_CREDENTIALS_SOURCE,
                    "STATIC_TOKEN",
                    AvroSerde.BEARER_AUTH_TOKEN,
                    token))) {
      assertThat(client.subjects()).isEmpty();
    }
  }

  @Test
  void wrongAuthSettingsFailAtConfiguration() {
    assertThatThrownBy(
            () ->
                AvroSerde.registryFromConfig(
                    Map.of(
                        AvroSerde.SCHEMA_REGISTRY_URL, "http://127.0.0.1:1",
                        AvroSerde.BASIC_AUTH_USER_INFO, "no-colon")))
        .hasMessageContaining("key:secret");
    assertThatThrownBy(
            () ->
                AvroSerde.registryFromConfig(
                    Map.of(
                        AvroSerde.SCHEMA_REGISTRY_URL, "http://127.0.0.1:1",
                        AvroSerde.BASIC_AUTH_CREDENTIALS_SOURCE, "SASL_INHERIT")))
        .hasMessageContaining("SASL_INHERIT");
    assertThatThrownBy(
            () ->
                AvroSerde.registryFromConfig(
                    Map.of(
                        AvroSerde.SCHEMA_REGISTRY_URL,
                        "http://127.0.0.1:1",
                        AvroSerde.SSL_TRUSTSTORE_LOCATION,
                        dir.resolve("missing.p12").toString())))
        .hasMessageContaining("missing.p12");
  }

  @Test
  void credentialsInTheUrlAuthenticateAndNeverShowInErrors() {
    String secret = SchemaRegistryServerTest.randomSecret();
    try (SchemaRegistryServer server =
            SchemaRegistryServer.builder().port(0).basicAuth("api-key", secret).start();
        SchemaRegistry client =
            AvroSerde.registryFromConfig(
                Map.of(
                    AvroSerde.SCHEMA_REGISTRY_URL,
                    server.url().replace("http://", "http://api-key:" + secret + "@"),
                    AvroSerde.BASIC_AUTH_CREDENTIALS_SOURCE,
                    "URL"))) {
      assertThat(client.subjects()).isEmpty(); // the server refuses calls without them
    }
    try (SchemaRegistry unreachable =
        SchemaRegistry.builder()
            .url("http://api-key:" + secret + "@127.0.0.1:1")
            .retry(1, java.time.Duration.ofMillis(1))
            .build()) {
      assertThatThrownBy(() -> unreachable.schemaById(7))
          .hasMessageContaining("127.0.0.1:1")
          .satisfies(e -> assertThat(e.toString()).doesNotContain(secret));
    }
    assertThatThrownBy(() -> SchemaRegistry.builder().url("ftp://api-key:" + secret + "@host"))
        .hasMessageContaining("***@host")
        .satisfies(e -> assertThat(e.getMessage()).doesNotContain(secret));
  }
}
