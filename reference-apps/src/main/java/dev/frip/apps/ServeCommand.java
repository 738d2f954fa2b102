package dev.frip.apps;

import dev.frip.scoring.FraudScorer;
import dev.frip.scoring.ModelRegistry;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code frip serve}: the HTTP scoring service over the model registry, with hot swap. */
@Command(
    name = "serve",
    mixinStandardHelpOptions = true,
    description = {
      "Serves POST /v1/score, GET /health and GET /metrics (Prometheus) on 127.0.0.1:8000,",
      "scoring with the registry's current model and picking up a newly promoted one."
    })
final class ServeCommand implements Callable<Integer> {

  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Option(
      names = "--registry",
      paramLabel = "DIR|URI",
      description =
          "Model registry root: a directory, file: or s3a://bucket/models/registry"
              + " (default: $ML_MODEL_PATH, else frip-data/lakehouse/models/registry).")
  String registry;

  @Option(names = "--host", description = "Address to bind (default: 127.0.0.1).")
  String host = "127.0.0.1";

  @Option(names = "--port", description = "Port (default: 8000; 0 picks a free one).")
  int port = 8000;

  @Option(names = "--threads", description = "Request threads (default: 4).")
  int threads = 4;

  @Option(
      names = "--refresh-seconds",
      description = "How often to look for a newly promoted model (default: 30).")
  int refreshSeconds = 30;

  @Option(
      names = "--grace-seconds",
      description =
          "On SIGTERM or ctrl-c, how long requests in flight may take to finish (default: 5).")
  int graceSeconds = (int) ScoringServer.DEFAULT_GRACE.toSeconds();

  @Override
  public Integer call() throws Exception {
    if (port < 0 || port > 65_535) {
      throw new IllegalArgumentException("--port was " + port + ", must be 0 to 65535");
    }
    if (threads < 1) {
      throw new IllegalArgumentException("--threads was " + threads + ", must be at least 1");
    }
    if (refreshSeconds < 1) {
      throw new IllegalArgumentException("--refresh-seconds was " + refreshSeconds);
    }
    if (graceSeconds < 0) {
      throw new IllegalArgumentException(
          "--grace-seconds was " + graceSeconds + ", must be 0 or more");
    }
    ModelRegistry models = registry(registry != null ? registry : System.getenv("ML_MODEL_PATH"));
    CountDownLatch stopped = new CountDownLatch(1);
    try (ScoringServer server =
        new ScoringServer(
            host,
            port,
            threads,
            Duration.ofSeconds(graceSeconds),
            meters ->
                FraudScorer.builder()
                    .models(models)
                    .refreshEvery(Duration.ofSeconds(refreshSeconds))
                    .meterRegistry(meters)
                    .build())) {
      Thread hook = shutdownHook(server, stopped);
      Runtime.getRuntime().addShutdownHook(hook);
      try {
        spec.commandLine()
            .getOut()
            .printf("serving %s with %s (ctrl-c to stop)%n", server.url(), models);
        spec.commandLine().getOut().flush();
        stopped.await();
      } finally {
        ScoreStreamCommand.removeHook(hook);
      }
    }
    return 0;
  }

  /**
   * What SIGTERM and ctrl-c run: releases the command's wait, then stops the server gracefully (in
   * flight requests finish within the grace period) and returns only when it is stopped, so the JVM
   * does not exit under a request still being answered.
   */
  static Thread shutdownHook(ScoringServer server, CountDownLatch stopped) {
    return new Thread(
        () -> {
          stopped.countDown();
          server.close();
        },
        "frip-serve-shutdown");
  }

  /** A registry at a directory or URI (file:, s3a: through the lakehouse's file systems). */
  static ModelRegistry registry(String at) {
    if (at == null || at.isBlank()) {
      return ModelRegistry.at(Path.of("frip-data", "lakehouse", "models", "registry"));
    }
    if (!at.matches("[a-z][a-z0-9+.-]*:.*")) {
      return ModelRegistry.at(Path.of(at));
    }
    return ModelRegistry.on(LakehouseRoot.objectStoreAt(at));
  }
}
