package dev.frip.apps;

import dev.frip.core.TopicSpec;
import dev.frip.core.Topics;
import dev.frip.kafka.SchemaRegistry;
import dev.frip.lakehouse.BronzeIngester;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code frip ingest}: the seed topics (or those given with {@code --topics}, e.g. the scorer's
 * {@code fraud_scores,alerts}) into bronze, exactly once (offsets from the Delta log).
 */
@Command(
    name = "ingest",
    mixinStandardHelpOptions = true,
    description = {
      "Ingests the six seed topics into their bronze Delta tables exactly once.",
      "Resumes from the offsets in the Delta log; poison pills go to {topic}.dlq."
    })
final class IngestCommand implements Callable<Integer> {

  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Mixin KafkaOptions kafka;

  @Mixin RegistryOptions registryOptions;

  @Mixin LakehouseRoot lakehouse;

  @Mixin MetricsOptions metricsOptions;

  @Option(
      names = "--group",
      paramLabel = "ID",
      description = "Consumer group (default: " + BronzeIngester.DEFAULT_GROUP_ID + ").")
  String group = BronzeIngester.DEFAULT_GROUP_ID;

  @Option(
      names = "--topics",
      split = ",",
      paramLabel = "TOPIC",
      description = "Topics to ingest (default: the six seed topics).")
  List<String> topics;

  @Option(
      names = "--until-idle",
      description = "Stop when every partition is at its end offset (default: run until killed).")
  boolean untilIdle;

  private volatile BronzeIngester running;

  /** Makes a running command return as if killed: what tests call instead of a signal. */
  void stop() {
    BronzeIngester i = running;
    if (i != null) {
      i.shutdown();
    }
  }

  @Override
  public Integer call() {
    String servers = kafka.servers();
    String registryAt = registryOptions.url();
    var lake = lakehouse.lakehouse();
    List<TopicSpec> specs =
        topics == null ? Topics.SEED : topics.stream().map(Topics::require).toList();
    BronzeIngester.Builder builder =
        BronzeIngester.builder()
            .lakehouse(lake)
            .bootstrapServers(servers)
            .groupId(group)
            .topics(specs.toArray(TopicSpec[]::new));
    try (MetricsServer metrics = metricsOptions.start(spec.commandLine().getOut(), "ingest");
        SchemaRegistry registry = SchemaRegistry.builder().url(registryAt).build()) {
      if (metrics != null) {
        builder.meterRegistry(metrics.registry());
      }
      return run(builder.registry(registry).build());
    }
  }

  private int run(BronzeIngester built) {
    try (BronzeIngester ingester = built) {
      running = ingester;
      BronzeIngester.Counts c;
      if (untilIdle) {
        c = ingester.runUntilIdle();
      } else {
        Thread main = Thread.currentThread();
        Thread hook =
            new Thread(
                () -> {
                  ingester.shutdown();
                  try {
                    main.join(30_000);
                  } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                  }
                });
        Runtime.getRuntime().addShutdownHook(hook);
        try {
          ingester.run();
        } finally {
          ScoreStreamCommand.removeHook(hook);
        }
        c = ingester.counts();
      }
      spec.commandLine()
          .getOut()
          .printf(
              "ingest: read %d, written %d, skipped %d, quarantined %d, dead-lettered %d%n",
              c.read(), c.written(), c.skipped(), c.quarantined(), c.deadLettered());
      return 0;
    }
  }
}
