package dev.frip.apps;

import dev.frip.core.ObjectStore;
import dev.frip.core.Redaction;
import dev.frip.scoring.FraudScorer;
import dev.frip.scoring.ModelRegistry;
import dev.frip.scoring.ModelSource;
import dev.frip.scoring.ModelVersion;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
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
          "Model registry root: a directory, file: or s3a://bucket/models/registry; its"
              + " current pointer (.../registry/current) names the same registry, and a version"
              + " directory (.../registry/VERSION) serves that version only (default:"
              + " $ML_MODEL_PATH, else frip-data/lakehouse/models/registry).")
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

  private final CountDownLatch stopped = new CountDownLatch(1);

  /** Makes a running command return as if killed: what tests call instead of a signal. */
  void stop() {
    stopped.countDown();
  }

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
    ModelSource models =
        registry != null
            ? models("--registry", registry)
            : models("ML_MODEL_PATH", System.getenv("ML_MODEL_PATH"));
    ScoringServer server;
    try {
      server =
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
                      .build());
    } catch (IOException e) {
      throw new IllegalArgumentException(
          "--port " + port + " on " + host + " could not be bound: " + e.getMessage(), e);
    }
    try (server) {
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

  /** A file every complete registry version holds (its checksums) and a registry root does not. */
  private static final String VERSION_MARKER = "sha256";

  /**
   * The models to serve from {@code at}, given by {@code flag} ({@code --registry} or {@code
   * ML_MODEL_PATH}): a registry root, its {@code current} pointer (the seed deployment's {@code
   * ML_MODEL_PATH=/app/models/registry/current}), or one version directory; a directory or a URI
   * (file:, s3a: through the lakehouse's file systems). Unset ({@code ML_MODEL_PATH} null or
   * blank), the local lakehouse's registry, which may not exist yet (rules-only until a model is
   * promoted).
   *
   * @throws IllegalArgumentException naming the flag and the path when the registry does not exist
   */
  static ModelSource models(String flag, String at) {
    if (at == null || at.isBlank()) {
      if (flag.startsWith("--")) {
        throw new IllegalArgumentException(flag + " was blank; give the model registry directory");
      }
      return ModelRegistry.at(Path.of("frip-data", "lakehouse", "models", "registry"));
    }
    if (!at.matches("[a-z][a-z0-9+.-]*:.*")) {
      return localModels(flag, at);
    }
    String uri = at.replaceAll("/+$", "");
    boolean pointer = uri.endsWith("/" + ModelRegistry.CURRENT);
    if (pointer) {
      uri = uri.substring(0, uri.length() - ModelRegistry.CURRENT.length() - 1);
    }
    ObjectStore store = LakehouseRoot.objectStoreAt(flag, uri);
    try {
      if (store.exists(ModelRegistry.CURRENT)) {
        return ModelRegistry.on(store);
      }
      int slash = uri.lastIndexOf('/');
      if (!pointer
          && store.exists(VERSION_MARKER)
          && slash > 0
          && !uri.substring(0, slash).matches("[a-z0-9+.-]+:/*")) {
        return new PinnedVersion(
            ModelRegistry.on(LakehouseRoot.objectStoreAt(flag, uri.substring(0, slash))),
            uri.substring(slash + 1));
      }
      if (store.list("").isEmpty()) {
        throw new IllegalArgumentException(
            flag
                + " "
                + Redaction.credentialsInUrls(at)
                + ": the model registry "
                + Redaction.credentialsInUrls(uri)
                + " does not exist (nothing is stored under it)");
      }
    } catch (IOException e) {
      throw new UncheckedIOException(
          "cannot read " + flag + " " + Redaction.credentialsInUrls(at), e);
    }
    return ModelRegistry.on(store);
  }

  private static ModelSource localModels(String flag, String at) {
    Path path = Path.of(at).toAbsolutePath().normalize();
    boolean pointer = path.getFileName() != null && path.endsWith(ModelRegistry.CURRENT);
    Path root = pointer ? path.getParent() : path;
    if (!Files.exists(root)) {
      throw new IllegalArgumentException(
          flag + " " + at + ": the model registry " + root + " does not exist");
    }
    if (!Files.isDirectory(root)) {
      throw new IllegalArgumentException(
          flag + " " + at + " is a file, not a model registry directory");
    }
    if (!pointer
        && !Files.exists(root.resolve(ModelRegistry.CURRENT))
        && Files.isRegularFile(root.resolve(VERSION_MARKER))
        && root.getParent() != null) {
      return new PinnedVersion(ModelRegistry.at(root.getParent()), root.getFileName().toString());
    }
    return ModelRegistry.at(root);
  }

  /** One version of a registry, whatever its current pointer says; loaded once it verifies. */
  private static final class PinnedVersion implements ModelSource {
    private final ModelRegistry registry;
    private final String version;
    private volatile ModelVersion loaded;

    PinnedVersion(ModelRegistry registry, String version) {
      this.registry = registry;
      this.version = version;
    }

    @Override
    public ModelVersion current() {
      ModelVersion v = loaded;
      if (v == null) {
        v = registry.load(version);
        loaded = v;
      }
      return v;
    }

    @Override
    public String toString() {
      return registry + " version " + version + " (pinned)";
    }
  }
}
