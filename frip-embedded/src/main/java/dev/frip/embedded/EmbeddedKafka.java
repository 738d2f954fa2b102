package dev.frip.embedded;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import kafka.tools.StorageTool;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Time;

/**
 * An Apache Kafka broker running inside this JVM: one KRaft node that is both broker and
 * controller, every listener bound to 127.0.0.1. It is what tests, {@code frip demo} and the
 * embedded defaults use when {@code KAFKA_BOOTSTRAP_SERVERS} is unset.
 *
 * <pre>{@code
 * try (EmbeddedKafka kafka = EmbeddedKafka.start()) {
 *   producerProps.put("bootstrap.servers", kafka.bootstrapServers());
 *   ...
 * }
 * }</pre>
 *
 * <p>The log directory is a fresh temporary folder deleted on {@link #stop()} unless a directory
 * was given to {@link #start(Path, Map)}, in which case it is kept so a restart finds its data.
 *
 * @since 0.1.0
 */
public final class EmbeddedKafka implements AutoCloseable {

  private static final String LOOPBACK = "127.0.0.1";
  private static final Duration READY_TIMEOUT = Duration.ofSeconds(60);

  private final KafkaRaftServer server;
  private final Path logDir;
  private final boolean deleteOnStop;
  private final String bootstrapServers;
  private boolean stopped;

  private EmbeddedKafka(
      KafkaRaftServer server, Path logDir, boolean deleteOnStop, String bootstrapServers) {
    this.server = server;
    this.logDir = logDir;
    this.deleteOnStop = deleteOnStop;
    this.bootstrapServers = bootstrapServers;
  }

  /** Starts a broker with a temporary log directory and default settings. */
  public static EmbeddedKafka start() {
    try {
      return start(Files.createTempDirectory("frip-kafka-"), true, Map.of());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create a temporary Kafka log directory", e);
    }
  }

  /**
   * Starts a broker on the given log directory, formatting it first if it is empty, and keeps the
   * directory on stop.
   *
   * @param logDir where the broker keeps its data
   * @param overrides broker settings that replace the defaults, e.g. {@code num.partitions}
   */
  public static EmbeddedKafka start(Path logDir, Map<String, String> overrides) {
    return start(logDir, false, overrides);
  }

  private static EmbeddedKafka start(
      Path logDir, boolean deleteOnStop, Map<String, String> overrides) {
    Objects.requireNonNull(logDir, "logDir");
    Objects.requireNonNull(overrides, "overrides");
    quietLogs();
    int brokerPort = freePort();
    int controllerPort = freePort();
    Map<String, String> settings = new LinkedHashMap<>();
    settings.put("process.roles", "broker,controller");
    settings.put("node.id", "1");
    settings.put("controller.quorum.voters", "1@" + LOOPBACK + ":" + controllerPort);
    settings.put(
        "listeners",
        "PLAINTEXT://"
            + LOOPBACK
            + ":"
            + brokerPort
            + ",CONTROLLER://"
            + LOOPBACK
            + ":"
            + controllerPort);
    settings.put("advertised.listeners", "PLAINTEXT://" + LOOPBACK + ":" + brokerPort);
    settings.put("controller.listener.names", "CONTROLLER");
    settings.put("inter.broker.listener.name", "PLAINTEXT");
    settings.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
    settings.put("log.dirs", logDir.toAbsolutePath().toString());
    settings.put("offsets.topic.replication.factor", "1");
    settings.put("offsets.topic.num.partitions", "6");
    settings.put("transaction.state.log.replication.factor", "1");
    settings.put("transaction.state.log.min.isr", "1");
    settings.put("share.coordinator.state.topic.replication.factor", "1");
    settings.put("share.coordinator.state.topic.min.isr", "1");
    settings.put("group.initial.rebalance.delay.ms", "0");
    settings.put("num.partitions", "1");
    settings.put("log.flush.interval.messages", String.valueOf(Long.MAX_VALUE));
    settings.putAll(overrides);

    try {
      Path config = logDir.resolveSibling(logDir.getFileName() + ".properties");
      Properties props = new Properties();
      props.putAll(settings);
      try (OutputStream out = Files.newOutputStream(config)) {
        props.store(out, "frip embedded Kafka");
      }
      if (!Files.exists(logDir.resolve("meta.properties"))) {
        format(config);
      }
      Files.deleteIfExists(config);
      KafkaRaftServer server = new KafkaRaftServer(KafkaConfig.fromProps(props), Time.SYSTEM);
      server.startup();
      String bootstrap = LOOPBACK + ":" + brokerPort;
      EmbeddedKafka kafka = new EmbeddedKafka(server, logDir, deleteOnStop, bootstrap);
      try {
        kafka.awaitReady();
      } catch (RuntimeException e) {
        kafka.stop();
        throw e;
      }
      return kafka;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot prepare the Kafka log directory " + logDir, e);
    }
  }

  /** The {@code bootstrap.servers} value of this broker, {@code 127.0.0.1:PORT}. */
  public String bootstrapServers() {
    return bootstrapServers;
  }

  /** The broker's log directory. */
  public Path logDir() {
    return logDir;
  }

  /** Shuts the broker down and, for a temporary directory, deletes its data. Idempotent. */
  public synchronized void stop() {
    if (stopped) {
      return;
    }
    stopped = true;
    server.shutdown();
    server.awaitShutdown();
    if (deleteOnStop) {
      deleteRecursively(logDir);
    }
  }

  @Override
  public void close() {
    stop();
  }

  private void awaitReady() {
    Properties props = new Properties();
    props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    try (Admin admin = Admin.create(props)) {
      long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
      while (true) {
        try {
          if (!admin.describeCluster().nodes().get(5, TimeUnit.SECONDS).isEmpty()) {
            return;
          }
        } catch (ExecutionException | TimeoutException e) {
          if (System.nanoTime() > deadline) {
            throw new IllegalStateException(
                "embedded Kafka at " + bootstrapServers + " did not become ready", e);
          }
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new IllegalStateException("interrupted while waiting for embedded Kafka", e);
        }
      }
    }
  }

  private static void format(Path config) {
    String clusterId = Uuid.randomUuid().toString();
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    int rc;
    try (PrintStream out = new PrintStream(captured, true, StandardCharsets.UTF_8)) {
      rc =
          StorageTool.execute(
              new String[] {"format", "-t", clusterId, "-c", config.toString()}, out);
    }
    if (rc != 0) {
      throw new IllegalStateException(
          "formatting the Kafka log directory failed (exit "
              + rc
              + "): "
              + captured.toString(StandardCharsets.UTF_8));
    }
  }

  private static int freePort() {
    try (ServerSocket socket = new ServerSocket()) {
      socket.setReuseAddress(true);
      socket.bind(new InetSocketAddress(InetAddress.getByName(LOOPBACK), 0));
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException("no free port on " + LOOPBACK, e);
    }
  }

  // The broker logs a lot at INFO; keep it at WARN unless the application configured otherwise.
  private static void quietLogs() {
    for (String logger : new String[] {"kafka", "org.apache.kafka", "state.change.logger"}) {
      String key = "org.slf4j.simpleLogger.log." + logger;
      if (System.getProperty(key) == null) {
        System.setProperty(key, "warn");
      }
    }
  }

  private static void deleteRecursively(Path dir) {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(dir)) {
      paths
          .sorted(Comparator.reverseOrder())
          .forEach(
              p -> {
                try {
                  Files.deleteIfExists(p);
                } catch (IOException e) {
                  // Best effort: a leftover temp file must not fail a shutdown.
                }
              });
    } catch (IOException e) {
      // Best effort, as above.
    }
  }
}
