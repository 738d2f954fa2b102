package dev.frip.apps;

import dev.frip.core.SecretProvider;
import dev.frip.lakehouse.AnalyticsPublisher;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.sql.DriverManager;
import java.util.Map;
import java.util.Properties;

/**
 * The analytics database of the seed's environment: {@code POSTGRES_HOST}, {@code POSTGRES_PORT}
 * (5432), {@code POSTGRES_DB} ({@code analytics}), {@code POSTGRES_USER} ({@code postgres}) and the
 * password through {@link SecretProvider#standard} ({@code POSTGRES_PASSWORD_FILE}, then {@code
 * POSTGRES_PASSWORD}). When {@code POSTGRES_HOST} is unset, an embedded PostgreSQL listening on
 * 127.0.0.1 only, whose data directory survives restarts. The password is never printed: {@link
 * #toString()} names host, port, database and user only.
 */
final class AnalyticsDatabase implements AutoCloseable {

  private final EmbeddedPostgres embedded;
  private final String url;
  private final Properties login;
  private final String description;

  private AnalyticsDatabase(
      EmbeddedPostgres embedded, String host, int port, String db, Properties login) {
    this.embedded = embedded;
    this.url = "jdbc:postgresql://" + host + ":" + port + "/" + db;
    // Batches go over the wire as multi-row INSERTs (the publisher counts rows itself).
    login.setProperty("reWriteBatchedInserts", "true");
    this.login = login;
    this.description =
        (embedded != null ? "embedded " : "")
            + "postgresql://"
            + host
            + ":"
            + port
            + "/"
            + db
            + " as "
            + login.getProperty("user");
  }

  /**
   * Connects to the database the environment names, or starts the embedded one in {@code
   * embeddedDirectory} when {@code POSTGRES_HOST} is unset.
   *
   * @throws IllegalArgumentException when {@code POSTGRES_PORT} is not a port number
   * @throws UncheckedIOException when the embedded database cannot start
   */
  static AnalyticsDatabase open(Map<String, String> env, Path embeddedDirectory) {
    String host = env.get("POSTGRES_HOST");
    if (host == null || host.isBlank()) {
      return embedded(embeddedDirectory);
    }
    String portText = env.getOrDefault("POSTGRES_PORT", "5432");
    int port;
    try {
      port = Integer.parseInt(portText.trim());
    } catch (NumberFormatException e) {
      port = -1;
    }
    if (port < 1 || port > 65535) {
      throw new IllegalArgumentException(
          "POSTGRES_PORT was '" + portText + "', must be a port number (1-65535)");
    }
    Properties login = new Properties();
    login.setProperty("user", nonBlank(env.get("POSTGRES_USER"), "postgres"));
    SecretProvider.standard(env)
        .secret("POSTGRES_PASSWORD")
        .ifPresent(p -> login.setProperty("password", p));
    return new AnalyticsDatabase(
        null, host.trim(), port, nonBlank(env.get("POSTGRES_DB"), "analytics"), login);
  }

  private static AnalyticsDatabase embedded(Path directory) {
    try {
      EmbeddedPostgres pg =
          EmbeddedPostgres.builder()
              .setDataDirectory(directory)
              .setCleanDataDirectory(false)
              .setServerConfig("listen_addresses", "127.0.0.1")
              .start();
      Properties login = new Properties();
      login.setProperty("user", "postgres");
      return new AnalyticsDatabase(pg, "127.0.0.1", pg.getPort(), "postgres", login);
    } catch (IOException e) {
      throw new UncheckedIOException(
          "cannot start the embedded PostgreSQL in " + directory + ": " + e.getMessage(), e);
    }
  }

  /** Connections for the publisher. */
  AnalyticsPublisher.Connections connections() {
    return () -> DriverManager.getConnection(url, login);
  }

  @Override
  public String toString() {
    return description;
  }

  /** Stops the embedded database, if one was started; its data directory stays. */
  @Override
  public void close() {
    if (embedded != null) {
      try {
        embedded.close();
      } catch (IOException e) {
        throw new UncheckedIOException("cannot stop the embedded PostgreSQL", e);
      }
    }
  }

  private static String nonBlank(String v, String fallback) {
    return v == null || v.isBlank() ? fallback : v.trim();
  }
}
