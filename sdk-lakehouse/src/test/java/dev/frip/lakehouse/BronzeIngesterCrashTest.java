package dev.frip.lakehouse;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.frip.core.Topics;
import dev.frip.core.events.PaymentEvent;
import dev.frip.embedded.EmbeddedKafka;
import dev.frip.kafka.EventProducer;
import dev.frip.kafka.SchemaRegistry;
import dev.frip.kafka.SchemaRegistryServer;
import dev.frip.kafka.TopicAdmin;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Exactly-once across real crashes: a child JVM runs {@link BronzeIngester} against this test's
 * broker and is killed ({@code destroyForcibly}, SIGKILL) at a {@link CrashPoints crash point},
 * first after the Parquet files of a write are on disk but before the Delta commit, then after the
 * Delta commit but before the Kafka offsets are committed. An ingester in this JVM then finishes:
 * the bronze table holds exactly the produced event ids, once each, and the Parquet files of the
 * killed write are on disk but not in the table.
 */
class BronzeIngesterCrashTest {

  private static final int EVENTS = 3_000;
  private static final int BUFFER = 1_000;
  private static final String GROUP = "frip-bronze-crash";
  private static final Duration CHILD_TIMEOUT = Duration.ofSeconds(60);

  private EmbeddedKafka kafka;
  private SchemaRegistryServer registryServer;
  private SchemaRegistry registry;
  @TempDir Path dir;

  @BeforeEach
  void start() {
    kafka = EmbeddedKafka.start();
    registryServer = SchemaRegistryServer.builder().port(0).inMemoryStorage().start();
    registry = SchemaRegistry.builder().url(registryServer.url()).build();
    try (TopicAdmin admin =
        TopicAdmin.builder().bootstrapServers(kafka.bootstrapServers()).build()) {
      admin.ensure(List.of(Topics.PAYMENTS));
    }
  }

  @AfterEach
  void stop() throws Exception {
    registry.close();
    registryServer.close();
    kafka.stop();
  }

  @Test
  void killedBeforeAndAfterTheDeltaCommitThenRestartedNoDuplicatesNoLoss() throws Exception {
    Set<String> produced = producePayments();
    Path lakeDir = dir.resolve("lake");
    Lakehouse lake = Lakehouse.local(lakeDir);
    Path table = Path.of(java.net.URI.create(lake.bronzePath(Topics.PAYMENTS)));

    // 1. Killed with the first write's Parquet files on disk, before its Delta commit.
    killAt(CrashPoints.BEFORE_BRONZE_COMMIT, lakeDir);
    Set<Path> orphans = parquetFiles(table);
    assertThat(orphans).as("Parquet files of the killed write").isNotEmpty();
    assertThat(filesInLog(table)).isEmpty();
    assertThat(eventIds(lake)).isEmpty();

    // 2. Restarted, killed right after its first Delta commit, before Kafka offsets are committed.
    killAt(CrashPoints.AFTER_BRONZE_COMMIT, lakeDir);
    List<String> afterCommit = eventIds(lake);
    assertThat(afterCommit).hasSize(BUFFER).doesNotHaveDuplicates();
    assertThat(produced).containsAll(afterCommit);

    // 3. Restarted in this JVM under the same group: resumes from the Delta log and finishes.
    BronzeIngester.Counts rest;
    try (BronzeIngester ingester =
        BronzeIngester.builder()
            .lakehouse(lake)
            .bootstrapServers(kafka.bootstrapServers())
            .registry(registry)
            .groupId(GROUP)
            .topics(Topics.PAYMENTS)
            .buffer(BUFFER, Duration.ofSeconds(2))
            .pollTimeout(Duration.ofMillis(200))
            .build()) {
      rest = ingester.runUntilIdle();
    }
    assertThat(rest.written()).isEqualTo(EVENTS - BUFFER);
    assertThat(rest.reconciles()).isTrue();

    List<String> ids = eventIds(lake);
    assertThat(ids).as("rows in bronze").hasSize(EVENTS);
    assertThat(new HashSet<>(ids)).as("event ids in bronze").isEqualTo(produced);
    Set<Path> inTable = filesInLog(table);
    assertThat(inTable).doesNotContainAnyElementsOf(orphans);
    assertThat(parquetFiles(table)).containsAll(inTable).containsAll(orphans);
  }

  private Set<String> producePayments() throws Exception {
    Set<String> ids = new HashSet<>();
    Instant t0 = Instant.parse("2026-01-01T10:00:00Z");
    try (EventProducer producer =
        EventProducer.builder()
            .bootstrapServers(kafka.bootstrapServers())
            .registry(registry)
            .build()) {
      List<Future<?>> acks = new ArrayList<>();
      for (int i = 0; i < EVENTS; i++) {
        PaymentEvent p = Events.payment("p" + i, "u" + (i % 97), t0.plusSeconds(i), 100 + i);
        acks.add(producer.send(Topics.PAYMENTS, p));
        ids.add(p.getEventId().toString());
      }
      producer.flush();
      for (Future<?> f : acks) {
        f.get(30, TimeUnit.SECONDS);
      }
    }
    return ids;
  }

  /** Starts the child JVM with {@code point} armed, waits until it is reached and kills it. */
  private void killAt(String point, Path lakeDir) throws Exception {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.add("-Xmx256m");
    cmd.add("-XX:TieredStopAtLevel=1");
    cmd.add("-XX:+UseSerialGC");
    for (String arg : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
      if (arg.startsWith("--add-opens")) {
        cmd.add(arg);
      }
    }
    cmd.add("-D" + CrashPoints.PROPERTY + "=" + point);
    cmd.add("-cp");
    cmd.add(System.getProperty("java.class.path"));
    cmd.add(BronzeCrashChild.class.getName());
    cmd.add(kafka.bootstrapServers());
    cmd.add(registryServer.url());
    cmd.add(lakeDir.toString());
    cmd.add(GROUP);
    cmd.add(Integer.toString(BUFFER));
    Process child = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String marker = "frip-crash-point " + point;
    CompletableFuture<Boolean> reached = new CompletableFuture<>();
    Deque<String> tail = new ArrayDeque<>();
    Thread reader =
        new Thread(
            () -> {
              try (BufferedReader out =
                  new BufferedReader(
                      new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line = out.readLine(); line != null; line = out.readLine()) {
                  if (line.equals(marker)) {
                    reached.complete(true);
                  }
                  synchronized (tail) {
                    tail.addLast(line);
                    if (tail.size() > 40) {
                      tail.removeFirst();
                    }
                  }
                }
              } catch (IOException e) {
                // The stream closes when the child is killed.
              }
              reached.complete(false);
            },
            "crash-child-output");
    reader.setDaemon(true);
    reader.start();
    boolean atPoint;
    try {
      atPoint = reached.get(CHILD_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
    } finally {
      child.destroyForcibly();
      assertThat(child.waitFor(30, TimeUnit.SECONDS)).as("child killed").isTrue();
      reader.join(10_000);
    }
    synchronized (tail) {
      assertThat(atPoint).as("child reached %s; its last output:%n%s", point, tail).isTrue();
    }
    // SIGKILL: the child did not get to run any shutdown code.
    assertThat(child.exitValue()).isEqualTo(137);
  }

  private static List<String> eventIds(Lakehouse lake) {
    List<String> ids = new ArrayList<>();
    lake.scan(lake.bronzePath(Topics.PAYMENTS))
        .columns("event_id")
        .forEach(r -> ids.add((String) r[0]));
    return ids;
  }

  /** The data files on disk under a table (not the log, not Hadoop's checksum files). */
  private static Set<Path> parquetFiles(Path table) throws IOException {
    if (!Files.isDirectory(table)) {
      return Set.of();
    }
    try (Stream<Path> files = Files.walk(table)) {
      Set<Path> out = new HashSet<>();
      files
          .filter(p -> p.getFileName().toString().endsWith(".parquet"))
          .filter(p -> !p.toString().contains("_delta_log"))
          .forEach(p -> out.add(p.toAbsolutePath().normalize()));
      return out;
    }
  }

  /** The data files the Delta log adds and does not remove, read from the JSON commits. */
  private static Set<Path> filesInLog(Path table) throws IOException {
    Path log = table.resolve("_delta_log");
    Set<Path> files = new HashSet<>();
    if (!Files.isDirectory(log)) {
      return files;
    }
    ObjectMapper json = new ObjectMapper();
    List<Path> commits;
    try (Stream<Path> s = Files.list(log)) {
      commits = s.filter(p -> p.toString().endsWith(".json")).sorted().toList();
    }
    assertThat(commits).as("the test reads JSON commits only, no checkpoint").hasSizeLessThan(10);
    for (Path commit : commits) {
      for (String line : Files.readAllLines(commit, StandardCharsets.UTF_8)) {
        JsonNode action;
        try {
          action = json.readTree(line);
        } catch (IOException e) {
          throw new UncheckedIOException("reading " + commit, e);
        }
        if (action.has("add")) {
          files.add(dataFile(table, action.get("add")));
        } else if (action.has("remove")) {
          files.remove(dataFile(table, action.get("remove")));
        }
      }
    }
    return files;
  }

  private static Path dataFile(Path table, JsonNode action) {
    String path = java.net.URLDecoder.decode(action.get("path").asText(), StandardCharsets.UTF_8);
    return table.resolve(path).toAbsolutePath().normalize();
  }
}
