package dev.frip.apps;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.frip.core.FeatureSchema;
import dev.frip.scoring.ModelRegistry;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code frip serve} as a command: where its models come from, over real HTTP on 127.0.0.1. */
class ServeCommandTest {

  @TempDir Path dir;
  final HttpClient http = HttpClient.newHttpClient();
  final ObjectMapper json = new ObjectMapper();

  /** {@code frip serve} running on another thread until {@link #stop}. */
  private record Serving(RunningCommand running) {

    static Serving start(String... args) {
      String[] all = new String[args.length + 3];
      all[0] = "serve";
      all[1] = "--port";
      all[2] = "0";
      System.arraycopy(args, 0, all, 3, args.length);
      return new Serving(RunningCommand.start(all));
    }

    /** The URL the command printed once it serves. */
    String url() throws Exception {
      return running.awaitPrinted(Pattern.compile("serving (http://127\\.0\\.0\\.1:\\d+) with"));
    }

    StringWriter out() {
      return running.out();
    }

    StringWriter err() {
      return running.err();
    }

    int stop() throws Exception {
      ((ServeCommand) running.command("serve")).stop();
      return running.exit().get(30, TimeUnit.SECONDS);
    }
  }

  private String modelVersionServedBy(String url) throws Exception {
    HttpResponse<String> health =
        http.send(
            HttpRequest.newBuilder(URI.create(url + "/health")).GET().build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(health.statusCode()).as(health.body()).isEqualTo(200);
    return json.readTree(health.body()).get("model_version").asText();
  }

  private String publish(ModelRegistry registry, String name) throws Exception {
    return registry.publish(
        ScoringServerTest.model(dir.resolve(name)),
        FeatureSchema.of("serve-command-1", ScoringServerTest.NAMES),
        Map.of());
  }

  @Test
  void theSeedsCurrentPointerPathAndAVersionDirectoryServeAModel() throws Exception {
    Path root = dir.resolve("models").resolve("registry");
    ModelRegistry registry = ModelRegistry.at(root);
    String first = publish(registry, "first.json");
    String second = publish(registry, "second.json");
    registry.promote(second);

    // ML_MODEL_PATH=/app/models/registry/current: the pointer's directory is the registry.
    for (String at : new String[] {root.resolve("current").toString(), root + "/current/"}) {
      Serving s = Serving.start("--registry", at);
      try {
        assertThat(modelVersionServedBy(s.url())).as(at).isEqualTo(second);
      } finally {
        assertThat(s.stop()).as(s.err().toString()).isZero();
      }
    }
    // A version directory serves that version, whatever is current.
    Serving pinned = Serving.start("--registry", root.resolve(first).toString());
    try {
      assertThat(modelVersionServedBy(pinned.url())).isEqualTo(first);
      assertThat(pinned.out().toString()).contains("version " + first + " (pinned)");
    } finally {
      assertThat(pinned.stop()).as(pinned.err().toString()).isZero();
    }
    // The environment variable resolves the same way.
    assertThat(ServeCommand.models("ML_MODEL_PATH", root + "/current").current().version())
        .isEqualTo(second);
    assertThat(ServeCommand.models("ML_MODEL_PATH", root.toUri() + "current").current().version())
        .isEqualTo(second);
  }

  @Test
  void aRegistryThatDoesNotExistIsAUsageErrorNamingTheFlagAndThePath() throws Exception {
    Path missing = dir.resolve("app").resolve("models").resolve("registry");
    for (String at :
        new String[] {
          missing.resolve("current").toString(), missing.toString(), missing.toUri().toString()
        }) {
      GenerateCommandTest.Run r =
          assertTimeoutPreemptively(
              Duration.ofSeconds(30),
              () -> GenerateCommandTest.run("serve", "--port", "0", "--registry", at));
      assertThat(r.exit()).as(at + ": " + r.err()).isEqualTo(Frip.EXIT_USAGE);
      assertThat(r.err()).as(at).contains("--registry " + at).contains("does not exist");
      assertThat(r.out()).as(at).doesNotContain("serving");
    }
    assertThatThrownBy(() -> ServeCommand.models("ML_MODEL_PATH", missing + "/current"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("ML_MODEL_PATH " + missing + "/current")
        .hasMessageContaining("the model registry " + missing + " does not exist");
    // A model file is not a registry.
    Path file = ScoringServerTest.model(dir.resolve("model.json"));
    assertThatThrownBy(() -> ServeCommand.models("--registry", file.toString()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("--registry " + file + " is a file");
  }

  @Test
  void aPortInUseIsAUsageErrorNamingThePortAndTheHost() throws Exception {
    Path registry = Files.createDirectories(dir.resolve("registry"));
    try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
      int port = taken.getLocalPort();
      GenerateCommandTest.Run r =
          assertTimeoutPreemptively(
              Duration.ofSeconds(30),
              () ->
                  GenerateCommandTest.run(
                      "serve",
                      "--host",
                      "127.0.0.1",
                      "--port",
                      Integer.toString(port),
                      "--registry",
                      registry.toString()));
      assertThat(r.exit()).as(r.err()).isEqualTo(Frip.EXIT_USAGE);
      assertThat(r.err())
          .contains("--port " + port + " on 127.0.0.1 could not be bound: ")
          .contains("in use");
    }
  }

  @Test
  void aBadRegistryUriNamesTheFlagItCameFromNotLakehouse() throws Exception {
    GenerateCommandTest.Run serve =
        assertTimeoutPreemptively(
            Duration.ofSeconds(30),
            () ->
                GenerateCommandTest.run(
                    "serve", "--port", "0", "--registry", "gs://bucket/models/registry"));
    assertThat(serve.exit()).as(serve.err()).isEqualTo(Frip.EXIT_USAGE);
    assertThat(serve.err())
        .contains("--registry: ")
        .contains("gs://")
        .doesNotContain("--lakehouse");

    Path in = Files.writeString(dir.resolve("in.csv"), "f0,f1,f2,f3\n1,2,3,4\n");
    GenerateCommandTest.Run scoreFile =
        GenerateCommandTest.run(
            "score-file",
            "--model",
            "gs://bucket/models/registry",
            "--input",
            in.toString(),
            "--output",
            dir.resolve("out.csv").toString());
    assertThat(scoreFile.exit()).as(scoreFile.err()).isEqualTo(Frip.EXIT_USAGE);
    assertThat(scoreFile.err()).contains("--model: ").doesNotContain("--lakehouse");
  }
}
