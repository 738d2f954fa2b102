package dev.frip.kafka;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.util.Map;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * The Confluent wire format and the configuration keys shared by {@link FripAvroSerializer} and
 * {@link FripAvroDeserializer}. The keys are Confluent's own, so a merchant's existing
 * producer/consumer properties for Confluent Schema Registry or Confluent Cloud work unchanged:
 *
 * <pre>{@code
 * props.put("value.serializer", FripAvroSerializer.class.getName());
 * props.put("schema.registry.url", "https://psrc-xxxx.confluent.cloud");
 * props.put("basic.auth.credentials.source", "USER_INFO");
 * props.put("basic.auth.user.info", apiKey + ":" + apiSecret);
 * }</pre>
 *
 * <p>Wire format: byte 0 is the magic byte {@code 0}, bytes 1 to 4 the schema id (big-endian), then
 * the Avro binary encoding of the record.
 *
 * @since 0.1.0
 */
public final class AvroSerde {

  /** The magic byte that starts every record of the Confluent wire format. */
  public static final byte MAGIC_BYTE = 0;

  /** Length of the header: magic byte and 4-byte schema id. */
  public static final int HEADER_LENGTH = 5;

  /** Base URL(s) of the schema registry, comma-separated. Required unless a client is given. */
  public static final String SCHEMA_REGISTRY_URL = "schema.registry.url";

  /** Whether the serializer registers unknown schemas (default true) or only looks them up. */
  public static final String AUTO_REGISTER_SCHEMAS = "auto.register.schemas";

  /**
   * Whether the deserializer returns generated (specific) classes (true) or {@code GenericRecord}s
   * (default false).
   */
  public static final String SPECIFIC_AVRO_READER = "specific.avro.reader";

  /**
   * {@code USER_INFO} to use {@link #BASIC_AUTH_USER_INFO}, or {@code URL} for credentials written
   * into {@link #SCHEMA_REGISTRY_URL} as {@code https://key:secret@host} (also used when no other
   * credentials are set).
   */
  public static final String BASIC_AUTH_CREDENTIALS_SOURCE = "basic.auth.credentials.source";

  /** {@code key:secret} for Basic authentication (a Confluent Cloud API key and secret). */
  public static final String BASIC_AUTH_USER_INFO = "basic.auth.user.info";

  /** {@code STATIC_TOKEN} to use {@link #BEARER_AUTH_TOKEN}. */
  public static final String BEARER_AUTH_CREDENTIALS_SOURCE = "bearer.auth.credentials.source";

  /** A static bearer token. */
  public static final String BEARER_AUTH_TOKEN = "bearer.auth.token";

  /** Trust store (PKCS12 or JKS) for an https registry with a private CA. */
  public static final String SSL_TRUSTSTORE_LOCATION = "schema.registry.ssl.truststore.location";

  /** Password of {@link #SSL_TRUSTSTORE_LOCATION}. */
  public static final String SSL_TRUSTSTORE_PASSWORD = "schema.registry.ssl.truststore.password";

  /** Type of {@link #SSL_TRUSTSTORE_LOCATION} (default PKCS12). */
  public static final String SSL_TRUSTSTORE_TYPE = "schema.registry.ssl.truststore.type";

  private AvroSerde() {}

  /** The subject of a topic's keys or values under TopicNameStrategy. */
  public static String subject(String topic, boolean isKey) {
    return topic + (isKey ? "-key" : "-value");
  }

  /**
   * Reads the schema id of a wire-format record without decoding it.
   *
   * @return the id, or {@link AvroSerdeException#NO_SCHEMA_ID} if the header is not readable
   */
  public static int schemaIdOf(byte[] record) {
    if (record == null || record.length < HEADER_LENGTH || record[0] != MAGIC_BYTE) {
      return AvroSerdeException.NO_SCHEMA_ID;
    }
    return ((record[1] & 0xff) << 24)
        | ((record[2] & 0xff) << 16)
        | ((record[3] & 0xff) << 8)
        | (record[4] & 0xff);
  }

  /**
   * Builds a registry client from serde configuration (the keys above).
   *
   * @throws IllegalArgumentException naming the key that is missing or wrong
   */
  public static SchemaRegistry registryFromConfig(Map<String, ?> configs) {
    Object url = configs.get(SCHEMA_REGISTRY_URL);
    if (url == null || url.toString().isBlank()) {
      throw new IllegalArgumentException(
          SCHEMA_REGISTRY_URL + " is not set: give the schema registry's base URL");
    }
    SchemaRegistry.Builder b = SchemaRegistry.builder().url(url.toString());
    Object userInfo = configs.get(BASIC_AUTH_USER_INFO);
    Object source = configs.get(BASIC_AUTH_CREDENTIALS_SOURCE);
    if (userInfo != null && (source == null || "USER_INFO".equals(source.toString()))) {
      String s = userInfo.toString();
      int colon = s.indexOf(':');
      if (colon < 0) {
        throw new IllegalArgumentException(BASIC_AUTH_USER_INFO + " must be key:secret");
      }
      b.basicAuth(s.substring(0, colon), s.substring(colon + 1));
    } else if (source != null
        && !"USER_INFO".equals(source.toString())
        && !"URL".equals(source.toString())) {
      throw new IllegalArgumentException(
          BASIC_AUTH_CREDENTIALS_SOURCE
              + " '"
              + source
              + "' is not supported; use USER_INFO, or URL with key:secret@ in the URL");
    }
    Object token = configs.get(BEARER_AUTH_TOKEN);
    if (token != null) {
      b.bearerToken(token.toString());
    }
    Object trustStore = configs.get(SSL_TRUSTSTORE_LOCATION);
    if (trustStore != null) {
      Object password = configs.get(SSL_TRUSTSTORE_PASSWORD);
      Object type = configs.get(SSL_TRUSTSTORE_TYPE);
      b.sslContext(
          trustStoreContext(
              Path.of(trustStore.toString()),
              password == null ? null : password.toString().toCharArray(),
              type == null ? "PKCS12" : type.toString()));
    }
    return b.build();
  }

  /** A TLS context that trusts the certificates of a trust store. */
  public static SSLContext trustStoreContext(Path location, char[] password, String type) {
    try (InputStream in = Files.newInputStream(location)) {
      KeyStore store = KeyStore.getInstance(type);
      store.load(in, password);
      TrustManagerFactory tmf =
          TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      tmf.init(store);
      SSLContext ctx = SSLContext.getInstance("TLS");
      ctx.init(null, tmf.getTrustManagers(), null);
      return ctx;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read trust store " + location, e);
    } catch (GeneralSecurityException e) {
      throw new IllegalArgumentException("unusable trust store " + location + ": " + e, e);
    }
  }

  static boolean booleanConfig(Map<String, ?> configs, String key, boolean fallback) {
    Object v = configs.get(key);
    if (v == null) {
      return fallback;
    }
    if (v instanceof Boolean b) {
      return b;
    }
    String s = v.toString().trim();
    if (s.equalsIgnoreCase("true") || s.equalsIgnoreCase("false")) {
      return Boolean.parseBoolean(s);
    }
    throw new IllegalArgumentException(key + " was '" + v + "', must be true or false");
  }
}
