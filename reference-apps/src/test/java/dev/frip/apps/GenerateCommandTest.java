package dev.frip.apps;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GenerateCommandTest {

  @TempDir Path dir;

  static final Pattern LINE =
      Pattern.compile(
          "^\\{\"topic\": \"(orders|payments|users|devices|geo_events|refunds)\", "
              + "\"key\": \"([^\"]+)\", \"value\": \\{\"event_id\": \"[0-9a-f-]{36}\", "
              + "\"event_time\": \\d+, .*\\}\\}$");

  record Run(int exit, String out, String err) {}

  static Run run(String... args) {
    PrintStream savedOut = System.out;
    PrintStream savedErr = System.err;
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
    System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
    try {
      int exit = Frip.run(args);
      return new Run(
          exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    } finally {
      System.setOut(savedOut);
      System.setErr(savedErr);
    }
  }

  @Test
  void sameSeedGivesByteIdenticalFiles() throws Exception {
    Path a = dir.resolve("a.jsonl");
    Path b = dir.resolve("b.jsonl");
    Path c = dir.resolve("c.jsonl");
    assertThat(
            run("generate", "--seed", "7", "--days", "2", "--users", "400", "--out", a.toString())
                .exit())
        .isZero();
    assertThat(
            run("generate", "--seed", "7", "--days", "2", "--users", "400", "--out", b.toString())
                .exit())
        .isZero();
    assertThat(
            run("generate", "--seed", "8", "--days", "2", "--users", "400", "--out", c.toString())
                .exit())
        .isZero();

    assertThat(Files.mismatch(a, b)).isEqualTo(-1L);
    assertThat(Files.mismatch(a, c)).isNotEqualTo(-1L);
  }

  @Test
  void everyLineIsAnEventKeyedByItsUserAndTheSummaryCountsThem() throws Exception {
    Path file = dir.resolve("events.jsonl");
    Run r =
        run("generate", "--seed", "3", "--days", "2", "--users", "400", "--out", file.toString());
    assertThat(r.exit()).as(r.err()).isZero();

    List<String> lines = Files.readAllLines(file);
    assertThat(lines).isNotEmpty();
    Map<String, Integer> perTopic = new HashMap<>();
    for (String line : lines) {
      Matcher m = LINE.matcher(line);
      assertThat(m.matches()).as(line).isTrue();
      assertThat(line).contains("\"user_id\": \"" + m.group(2) + "\"");
      perTopic.merge(m.group(1), 1, Integer::sum);
    }
    assertThat(perTopic).containsKeys("users", "orders", "payments");
    for (Map.Entry<String, Integer> e : perTopic.entrySet()) {
      assertThat(r.out())
          .containsPattern("\\s" + e.getKey() + "\\s+" + String.format("%,d", e.getValue()));
    }
    assertThat(r.out()).contains("frauds per scenario:").contains("fraud payments:");
  }

  @Test
  void outReplacesTheOldFileOnlyOnceTheNewOneIsComplete() throws Exception {
    Path file = dir.resolve("events.jsonl");
    byte[] old = "the previous run's events\n".getBytes(StandardCharsets.UTF_8);
    Files.write(file, old);
    CompletableFuture<Run> running =
        CompletableFuture.supplyAsync(
            () ->
                run(
                    "generate",
                    "--seed",
                    "11",
                    "--days",
                    "10",
                    "--users",
                    "3000",
                    "--out",
                    file.toString()));
    // Whenever a run stops, the file is the old one or the new one whole: never a prefix.
    Set<String> seen = new HashSet<>();
    boolean sawPartial = false;
    int polls = 0;
    while (!running.isDone()) {
      byte[] now = Files.readAllBytes(file);
      if (!Arrays.equals(now, old)) {
        seen.add(now.length + ":" + Arrays.hashCode(now));
      }
      try (Stream<Path> files = Files.list(dir)) {
        sawPartial |=
            files.anyMatch(
                f ->
                    f.getFileName().toString().startsWith(".events.jsonl.")
                        && f.getFileName().toString().endsWith(".partial"));
      }
      polls++;
      Thread.sleep(5);
    }
    Run r = running.get(60, TimeUnit.SECONDS);
    assertThat(r.exit()).as(r.err()).isZero();
    assertThat(polls).as("polls while the run wrote").isGreaterThan(2);
    byte[] written = Files.readAllBytes(file);
    assertThat(new String(written, 0, 40, StandardCharsets.UTF_8)).startsWith("{\"topic\": ");
    assertThat(seen)
        .as("what the file held during the run, besides the old content")
        .isSubsetOf(Set.of(written.length + ":" + Arrays.hashCode(written)));
    assertThat(sawPartial).as("a hidden file beside the target while writing").isTrue();
    try (Stream<Path> files = Files.list(dir)) {
      assertThat(files.map(f -> f.getFileName().toString())).containsExactly("events.jsonl");
    }
  }

  @Test
  void dashWritesEventsToStdoutAndTheSummaryToStderr() {
    Run r = run("generate", "--seed", "1", "--days", "1", "--users", "50", "--out", "-");
    assertThat(r.exit()).as(r.err()).isZero();
    assertThat(r.out().lines().findFirst()).get().asString().startsWith("{\"topic\": ");
    assertThat(r.out()).doesNotContain("events per topic");
    assertThat(r.err()).contains("events per topic");
  }

  @Test
  void invalidSettingsExitTwoNamingTheFlagAndTheAllowedValues() {
    assertUsage(run("generate", "--days", "-3", "--out", "-"), "--days");
    assertUsage(
        run("generate", "--fraud-rate", "1.5", "--days", "1", "--out", "-"), "--fraud-rate");
    assertUsage(run("generate", "--users", "-1", "--days", "1", "--out", "-"), "--users");
    assertUsage(
        run("generate", "--profile", "nope", "--days", "1", "--out", "-"), "--profile", "handbook");
    assertUsage(
        run("generate", "--scenarios", "card_testing,foo", "--days", "1", "--out", "-"),
        "foo",
        "card_testing");
    assertUsage(
        run("generate", "--start-date", "yesterday", "--days", "1", "--out", "-"), "--start-date");
    assertUsage(run("generate", "--days", "abc", "--out", "-"), "--days");
  }

  @Test
  void withoutOutOrKafkaThereIsNowhereToWrite() {
    assumeTrue(System.getenv("KAFKA_BOOTSTRAP_SERVERS") == null);
    assertUsage(run("generate", "--days", "1"), "--out or --bootstrap is required");
  }

  private static void assertUsage(Run r, String... mentions) {
    assertThat(r.exit()).as(r.err()).isEqualTo(Frip.EXIT_USAGE);
    assertThat(r.err()).contains(mentions);
    assertThat(r.out()).doesNotContain("{\"topic\"");
  }
}
