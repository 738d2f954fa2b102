package dev.frip.kafka;

import dev.frip.core.TopicSpec;
import dev.frip.kafka.internal.MetadataWait;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicExistsException;

/**
 * Creates or verifies topics from their {@link TopicSpec}s: partitions, {@code retention.ms} and
 * {@code cleanup.policy}. Idempotent: running it again changes nothing. A topic that exists with
 * other settings is reported as drift and {@link #ensure} fails, rather than being silently used.
 *
 * <pre>{@code
 * try (TopicAdmin admin = TopicAdmin.builder().bootstrapServers("127.0.0.1:9092").build()) {
 *   TopicReport report = admin.ensure(Topics.ALL);   // throws TopicDriftException on drift
 * }
 * }</pre>
 *
 * @since 0.1.0
 */
public final class TopicAdmin implements AutoCloseable {

  private final Admin admin;
  private final Optional<Short> replicationFactor;
  private final Duration timeout;

  private TopicAdmin(Admin admin, Optional<Short> replicationFactor, Duration timeout) {
    this.admin = admin;
    this.replicationFactor = replicationFactor;
    this.timeout = timeout;
  }

  /** A builder; only the bootstrap servers are required. */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Creates the missing topics and verifies the others.
   *
   * @return what was created and verified
   * @throws TopicDriftException when an existing topic differs from its spec
   */
  public TopicReport ensure(Collection<TopicSpec> specs) {
    TopicReport report = inspect(specs, true);
    if (!report.ok()) {
      throw new TopicDriftException(report);
    }
    return report;
  }

  /** Compares the topics with their specs without creating anything; missing topics are drift. */
  public TopicReport verify(Collection<TopicSpec> specs) {
    return inspect(specs, false);
  }

  private TopicReport inspect(Collection<TopicSpec> specs, boolean create) {
    Map<String, TopicSpec> byName = new HashMap<>();
    specs.forEach(s -> byName.put(s.name(), s));
    Set<String> existing = await(() -> admin.listTopics().names(), "listing topics");
    List<String> created = new ArrayList<>();
    List<TopicReport.Drift> drifts = new ArrayList<>();
    List<NewTopic> toCreate = new ArrayList<>();
    for (TopicSpec spec : specs) {
      if (!existing.contains(spec.name())) {
        if (create) {
          toCreate.add(
              new NewTopic(spec.name(), Optional.of(spec.partitions()), replicationFactor)
                  .configs(topicConfigs(spec)));
        } else {
          drifts.add(new TopicReport.Drift(spec.name(), "exists", "true", "false"));
        }
      }
    }
    if (!toCreate.isEmpty()) {
      Map<String, KafkaFuture<Void>> results = admin.createTopics(toCreate).values();
      for (Map.Entry<String, KafkaFuture<Void>> e : results.entrySet()) {
        try {
          e.getValue().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
          created.add(e.getKey());
        } catch (ExecutionException ex) {
          if (!(ex.getCause() instanceof TopicExistsException)) {
            throw new IllegalStateException(
                "cannot create topic " + e.getKey() + ": " + ex.getCause().getMessage(), ex);
          }
          // Created concurrently by someone else: verify it below like any existing topic.
        } catch (InterruptedException | TimeoutException ex) {
          throw failure("creating topic " + e.getKey(), ex);
        }
      }
    }
    if (!created.isEmpty()) {
      awaitLeaders(created, byName);
    }
    List<String> toVerify =
        specs.stream()
            .map(TopicSpec::name)
            .filter(n -> !created.contains(n) && (create || existing.contains(n)))
            .collect(Collectors.toList());
    List<String> verified = new ArrayList<>();
    if (!toVerify.isEmpty()) {
      Map<String, TopicDescription> descriptions =
          await(() -> admin.describeTopics(toVerify).allTopicNames(), "describing topics");
      List<ConfigResource> resources =
          toVerify.stream().map(n -> new ConfigResource(ConfigResource.Type.TOPIC, n)).toList();
      Map<ConfigResource, Config> configs =
          await(() -> admin.describeConfigs(resources).all(), "reading topic configs");
      for (String name : toVerify) {
        TopicSpec spec = byName.get(name);
        int before = drifts.size();
        int partitions = descriptions.get(name).partitions().size();
        if (partitions != spec.partitions()) {
          drifts.add(
              new TopicReport.Drift(
                  name,
                  "partitions",
                  String.valueOf(spec.partitions()),
                  String.valueOf(partitions)));
        }
        Config config = configs.get(new ConfigResource(ConfigResource.Type.TOPIC, name));
        compare(
            name,
            config,
            TopicConfig.CLEANUP_POLICY_CONFIG,
            spec.cleanupPolicy().configValue(),
            drifts);
        compare(
            name,
            config,
            TopicConfig.RETENTION_MS_CONFIG,
            String.valueOf(spec.retentionMs()),
            drifts);
        if (drifts.size() == before) {
          verified.add(name);
        }
      }
    }
    return new TopicReport(created, verified, drifts);
  }

  // A new partition accepts writes only once its leader has taken over; before that producers
  // meet NOT_LEADER_OR_FOLLOWER. Listing offsets goes to the leader, so success means ready.
  private void awaitLeaders(List<String> topics, Map<String, TopicSpec> byName) {
    Map<TopicPartition, OffsetSpec> partitions = new HashMap<>();
    for (String t : topics) {
      for (int p = 0; p < byName.get(t).partitions(); p++) {
        partitions.put(new TopicPartition(t, p), OffsetSpec.latest());
      }
    }
    await(() -> admin.listOffsets(partitions).all(), "waiting for the leaders of " + topics);
  }

  private static void compare(
      String topic, Config config, String key, String expected, List<TopicReport.Drift> drifts) {
    String actual = config.get(key) == null ? null : config.get(key).value();
    if (!expected.equals(actual)) {
      drifts.add(new TopicReport.Drift(topic, key, expected, String.valueOf(actual)));
    }
  }

  private static Map<String, String> topicConfigs(TopicSpec spec) {
    return Map.of(
        TopicConfig.CLEANUP_POLICY_CONFIG, spec.cleanupPolicy().configValue(),
        TopicConfig.RETENTION_MS_CONFIG, String.valueOf(spec.retentionMs()));
  }

  private <T> T await(Supplier<KafkaFuture<T>> call, String what) {
    try {
      return MetadataWait.get(call, timeout);
    } catch (ExecutionException e) {
      throw new IllegalStateException(what + " failed: " + e.getCause().getMessage(), e.getCause());
    } catch (InterruptedException | TimeoutException e) {
      throw failure(what, e);
    }
  }

  private IllegalStateException failure(String what, Exception e) {
    if (e instanceof InterruptedException) {
      Thread.currentThread().interrupt();
    }
    return new IllegalStateException(what + " did not finish within " + timeout, e);
  }

  @Override
  public void close() {
    admin.close(Duration.ofSeconds(5));
  }

  /** Settings of the topic admin. */
  public static final class Builder {
    private final Map<String, Object> config = new HashMap<>();
    private Optional<Short> replicationFactor = Optional.empty();
    private Duration timeout = Duration.ofSeconds(30);

    private Builder() {}

    /** The cluster, {@code host:port[,host:port]}. */
    public Builder bootstrapServers(String servers) {
      config.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, Objects.requireNonNull(servers));
      return this;
    }

    /** Any other admin client setting (security, client id). */
    public Builder property(String key, Object value) {
      config.put(Objects.requireNonNull(key), Objects.requireNonNull(value));
      return this;
    }

    /** Replication factor of created topics (default: the broker's default.replication.factor). */
    public Builder replicationFactor(int factor) {
      if (factor < 1 || factor > Short.MAX_VALUE) {
        throw new IllegalArgumentException("replication factor was " + factor + ", must be >= 1");
      }
      this.replicationFactor = Optional.of((short) factor);
      return this;
    }

    /** How long each admin call may take (default 30 s). */
    public Builder timeout(Duration timeout) {
      if (timeout == null || timeout.isNegative() || timeout.isZero()) {
        throw new IllegalArgumentException("timeout was " + timeout + ", must be positive");
      }
      this.timeout = timeout;
      return this;
    }

    /**
     * Connects the admin client.
     *
     * @throws IllegalStateException without bootstrap servers
     */
    public TopicAdmin build() {
      if (!config.containsKey(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG)) {
        throw new IllegalStateException("bootstrap servers were not set");
      }
      return new TopicAdmin(Admin.create(config), replicationFactor, timeout);
    }
  }
}
