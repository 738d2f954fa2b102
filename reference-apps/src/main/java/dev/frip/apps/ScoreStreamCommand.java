package dev.frip.apps;

import dev.frip.core.BatchFeatures;
import dev.frip.core.FeatureStore;
import dev.frip.kafka.SchemaRegistry;
import dev.frip.kafka.StreamingScorer;
import dev.frip.lakehouse.Lakehouse;
import dev.frip.lakehouse.TrainingFeaturesJob;
import dev.frip.scoring.Decision;
import dev.frip.scoring.FeatureLookup;
import dev.frip.scoring.FraudScorer;
import dev.frip.scoring.ModelRegistry;
import dev.frip.scoring.Thresholds;
import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code frip score-stream}: the streaming scorer. Consumes the six seed topics in consumer group
 * {@value StreamingScorer#DEFAULT_GROUP_ID}, folds them into an in-process FeatureStore, scores
 * each payment with the lakehouse's current model and produces {@code fraud_scores} and {@code
 * alerts} (see {@link StreamingScorer}). The batch features (terminal and merchant risk, ...) are
 * computed from the lakehouse as the training job computes them for {@code --batch-date}.
 */
@Command(
    name = "score-stream",
    mixinStandardHelpOptions = true,
    description = {
      "Scores payments from Kafka with the lakehouse's current model: the six seed topics in,",
      "fraud_scores and alerts out (keyed by user_id); bad input goes to {topic}.dlq."
    })
final class ScoreStreamCommand implements Callable<Integer> {

  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Mixin KafkaOptions kafka;

  @Mixin RegistryOptions registryOptions;

  @Mixin LakehouseRoot lakehouse;

  @Mixin MetricsOptions metricsOptions;

  @Option(
      names = "--group",
      paramLabel = "ID",
      description = "Consumer group (default: " + StreamingScorer.DEFAULT_GROUP_ID + ").")
  String group = StreamingScorer.DEFAULT_GROUP_ID;

  @Option(
      names = "--score-from",
      paramLabel = "yyyy-MM-dd",
      description = "Fold payments before this UTC date without scoring them (default: score all).")
  String scoreFrom;

  @Option(
      names = "--batch-date",
      paramLabel = "yyyy-MM-dd",
      description =
          "Day whose batch features to load from the lakehouse (default: --score-from; without"
              + " either, no batch features).")
  String batchDate;

  @Option(
      names = "--review",
      description = "Score from which a payment is reviewed (default: 0.5).")
  double review = Thresholds.DEFAULT.review();

  @Option(names = "--block", description = "Score from which a payment is blocked (default: 0.9).")
  double block = Thresholds.DEFAULT.block();

  @Option(
      names = "--feature-timeout",
      paramLabel = "MS",
      description =
          "Time budget of one feature lookup before the rules score instead (default: 1000 ms;"
              + " a stream has no checkout waiting, unlike the in-process default of 50 ms).")
  long featureTimeoutMs = 1000;

  @Option(
      names = "--until-idle",
      description = "Stop when every partition is read to its end (default: run until killed).")
  boolean untilIdle;

  private volatile StreamingScorer running;

  /** Makes a running command return as if killed: what tests call instead of a signal. */
  void stop() {
    StreamingScorer s = running;
    if (s != null) {
      s.shutdown();
    }
  }

  @Override
  public Integer call() {
    String servers = kafka.servers();
    String registryAt = registryOptions.url();
    LocalDate from = date("--score-from", scoreFrom);
    LocalDate batchDay = batchDate != null ? date("--batch-date", batchDate) : from;
    Thresholds thresholds = Thresholds.review(review).block(block);
    PrintWriter out = spec.commandLine().getOut();
    Lakehouse lake = lakehouse.lakehouse();
    FeatureStore.Builder features = FeatureStore.inMemory().allowedLateness(Duration.ofMinutes(5));
    if (batchDay != null) {
      BatchFeatures batch = TrainingFeaturesJob.builder(lake).build().batchFeatures(batchDay);
      features.batchFeatures(batch);
      out.printf("score-stream: batch features of %s from %s%n", batchDay, lake.root());
    } else {
      out.println("score-stream: no --batch-date, scoring without batch features");
    }
    ModelRegistry models = ModelRegistry.on(lake.objectStore(Lakehouse.MODEL_REGISTRY));
    FraudScorer.Builder fraudScorer =
        FraudScorer.builder()
            .models(models)
            .featureTimeout(Duration.ofMillis(featureTimeoutMs))
            .thresholds(thresholds);
    StreamingScorer.Builder streaming =
        StreamingScorer.builder()
            .bootstrapServers(servers)
            .groupId(group)
            .scoreFrom(
                from == null ? Instant.EPOCH : from.atStartOfDay(ZoneOffset.UTC).toInstant());
    try (MetricsServer metrics = metricsOptions.start(out, "score-stream")) {
      if (metrics != null) {
        features.meterRegistry(metrics.registry());
        fraudScorer.meterRegistry(metrics.registry());
        streaming.meterRegistry(metrics.registry());
      }
      FeatureStore store = features.build();
      return run(
          out,
          registryAt,
          fraudScorer.features(FeatureLookup.of(store)),
          streaming.features(store));
    }
  }

  private int run(
      PrintWriter out,
      String registryAt,
      FraudScorer.Builder fraudScorer,
      StreamingScorer.Builder streaming) {
    try (SchemaRegistry registry = SchemaRegistry.builder().url(registryAt).build();
        FraudScorer fraud = fraudScorer.build();
        StreamingScorer scorer =
            streaming
                .registry(registry)
                .scorer(
                    p -> {
                      Decision d = fraud.score(p);
                      return new StreamingScorer.Verdict(
                          d.score(), d.modelVersion(), d.action(), d.reasons(), d.fallback());
                    })
                .build()) {
      running = scorer;
      out.printf("score-stream: model %s, group %s%n", fraud.modelVersion(), group);
      out.flush();
      long started = System.nanoTime();
      StreamingScorer.Counts c;
      if (untilIdle) {
        c = scorer.runUntilIdle();
      } else {
        Thread main = Thread.currentThread();
        Thread hook =
            new Thread(
                () -> {
                  scorer.shutdown();
                  try {
                    main.join(30_000);
                  } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                  }
                });
        Runtime.getRuntime().addShutdownHook(hook);
        try {
          scorer.run();
        } finally {
          removeHook(hook);
        }
        c = scorer.counts();
      }
      StringBuilder fallbacks = new StringBuilder();
      for (Map.Entry<FraudScorer.FallbackReason, Long> f : fraud.fallbackCounts().entrySet()) {
        if (f.getValue() > 0) {
          fallbacks.append(fallbacks.length() == 0 ? "" : ", ");
          fallbacks.append(f.getKey().name().toLowerCase(Locale.ROOT)).append(' ');
          fallbacks.append(f.getValue());
        }
      }
      double seconds = (System.nanoTime() - started) / 1e9;
      out.printf(
          Locale.ROOT,
          "score-stream: read %d, scored %d (alerts %d), folded %d, dead-lettered %d in %.1f s"
              + " (%.0f records/s, including the group join); rules fallbacks: %s%n",
          c.read(),
          c.scored(),
          c.alerts(),
          c.folded(),
          c.deadLettered(),
          seconds,
          c.read() / Math.max(seconds, 1e-9),
          fallbacks.length() == 0 ? "none" : fallbacks);
      return 0;
    }
  }

  /** Removes a shutdown hook that is no longer needed (a JVM already shutting down keeps it). */
  static void removeHook(Thread hook) {
    try {
      Runtime.getRuntime().removeShutdownHook(hook);
    } catch (IllegalStateException shuttingDown) {
      // The hook is running or about to: it is what stopped us.
    }
  }

  private static LocalDate date(String flag, String value) {
    if (value == null) {
      return null;
    }
    try {
      return LocalDate.parse(value);
    } catch (DateTimeParseException e) {
      throw new IllegalArgumentException(flag + " was '" + value + "', must be yyyy-MM-dd", e);
    }
  }
}
