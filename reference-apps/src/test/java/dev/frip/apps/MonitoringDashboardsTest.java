package dev.frip.apps;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.frip.core.EventStream;
import dev.frip.core.GeneratorConfig;
import dev.frip.core.Topics;
import dev.frip.core.WorldGenerator;
import dev.frip.embedded.EmbeddedKafka;
import dev.frip.kafka.SchemaRegistryServer;
import dev.frip.kafka.TopicAdmin;
import dev.frip.scoring.FraudScorer;
import dev.frip.scoring.ModelRegistry;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The dashboards in {@code monitoring/} cannot drift from the code: {@code frip score-stream} and
 * {@code frip ingest} run with {@code --metrics-port 0} over a generated world on a real broker,
 * {@code frip serve}'s server answers real requests, and every metric that a dashboard query names
 * must appear in one of their {@code /metrics} pages, scraped over HTTP.
 */
class MonitoringDashboardsTest {

  static final Path MONITORING = Path.of("..", "monitoring");
  static final Set<String> PROMQL_WORDS =
      Set.of("by", "without", "on", "ignoring", "group_left", "group_right", "bool", "offset");

  private static EmbeddedKafka kafka;
  private static SchemaRegistryServer registry;

  @TempDir Path dir;
  final HttpClient http = HttpClient.newHttpClient();
  final ObjectMapper json = new ObjectMapper();

  @BeforeAll
  static void start() {
    kafka = EmbeddedKafka.start();
    registry = SchemaRegistryServer.builder().port(0).inMemoryStorage().start();
    try (TopicAdmin admin =
        TopicAdmin.builder().bootstrapServers(kafka.bootstrapServers()).build()) {
      admin.ensure(Topics.ALL);
    }
  }

  @AfterAll
  static void stop() {
    registry.close();
    kafka.stop();
  }

  private String get(String url) throws Exception {
    HttpResponse<String> r =
        http.send(
            HttpRequest.newBuilder(URI.create(url)).GET().build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).as(url).isEqualTo(200);
    assertThat(r.headers().firstValue("Content-Type").orElse("")).startsWith("text/plain");
    return r.body();
  }

  /** Samples of a scrape: series (name and labels) to value. */
  static Map<String, Double> samples(String scrape) {
    Map<String, Double> out = new TreeMap<>();
    for (String line : scrape.split("\n")) {
      if (line.isBlank() || line.startsWith("#")) {
        continue;
      }
      int space = line.lastIndexOf(' ');
      out.put(line.substring(0, space), Double.parseDouble(line.substring(space + 1)));
    }
    return out;
  }

  static double sum(Map<String, Double> samples, String name) {
    return samples.entrySet().stream()
        .filter(e -> e.getKey().equals(name) || e.getKey().startsWith(name + "{"))
        .mapToDouble(Map.Entry::getValue)
        .sum();
  }

  static Set<String> names(Map<String, Double> samples) {
    Set<String> names = new TreeSet<>();
    samples.keySet().forEach(k -> names.add(k.replaceFirst("\\{.*", "")));
    return names;
  }

  /** Scrapes until {@code done} holds (the command is then caught up), at most a minute. */
  private Map<String, Double> scrapeUntil(RunningCommand r, Predicate<Map<String, Double>> done)
      throws Exception {
    String url =
        r.awaitPrinted(Pattern.compile("metrics at (http://127\\.0\\.0\\.1:\\d+/metrics)"));
    Map<String, Double> s = Map.of();
    for (int i = 0; i < 600; i++) {
      s = samples(get(url));
      if (done.test(s)) {
        return s;
      }
      assertThat(r.exit().isDone()).as("exited early: %s %s", r.out(), r.err()).isFalse();
      Thread.sleep(100);
    }
    throw new AssertionError("not caught up in a minute: " + s);
  }

  /** The metric names in a PromQL expression (functions, labels, ranges and keywords removed). */
  static Set<String> metricNames(String expr) {
    String e =
        expr.replaceAll("\"[^\"]*\"", "")
            .replaceAll("\\{[^}]*}", "")
            .replaceAll("\\[[^\\]]*]", "")
            .replaceAll("\\b(by|without|on|ignoring)\\s*\\([^)]*\\)", "");
    Set<String> names = new TreeSet<>();
    Matcher m = Pattern.compile("([a-zA-Z_:][a-zA-Z0-9_:]*)(\\s*\\()?").matcher(e);
    while (m.find()) {
      if (m.group(2) == null && !PROMQL_WORDS.contains(m.group(1))) {
        names.add(m.group(1));
      }
    }
    return names;
  }

  @Test
  void metricNamesAreFoundInExpressions() {
    assertThat(
            metricNames(
                "histogram_quantile(0.99, sum by (le) (rate(frip_x_bucket{path=\"/v1\"}[5m])))"
                    + " / sum without (a) (frip_y) * 60"))
        .containsExactly("frip_x_bucket", "frip_y");
  }

  @Test
  void everyMetricOnTheDashboardsIsExportedByTheProcesses() throws Exception {
    // A small world on the broker, and one poison pill for the dead-letter counters.
    GenerateCommandTest.Run gen =
        GenerateCommandTest.run(
            "generate",
            "--seed",
            "7",
            "--days",
            "1",
            "--users",
            "40",
            "--bootstrap",
            kafka.bootstrapServers(),
            "--registry-url",
            registry.url());
    assertThat(gen.exit()).as(gen.err()).isZero();
    long producedCount = 0;
    long paymentCount = 0;
    try (EventStream events =
        WorldGenerator.create(GeneratorConfig.builder().seed(7).days(1).users(40).build())
            .stream()) {
      while (events.hasNext()) {
        producedCount++;
        paymentCount += events.next().topic().name().equals(Topics.PAYMENTS.name()) ? 1 : 0;
      }
    }
    try (KafkaProducer<byte[], byte[]> p =
        new KafkaProducer<>(
            Map.of("bootstrap.servers", kafka.bootstrapServers()),
            new ByteArraySerializer(),
            new ByteArraySerializer())) {
      p.send(new ProducerRecord<>(Topics.PAYMENTS.name(), "u1".getBytes(), "not avro".getBytes()))
          .get();
    }
    long produced = producedCount;
    long payments = paymentCount;
    long read = produced + 1;

    String lake = dir.resolve("lake").toString();
    RunningCommand stream =
        RunningCommand.start(
            "score-stream",
            "--bootstrap",
            kafka.bootstrapServers(),
            "--registry-url",
            registry.url(),
            "--lakehouse",
            lake,
            "--metrics-port",
            "0");
    RunningCommand ingest =
        RunningCommand.start(
            "ingest",
            "--bootstrap",
            kafka.bootstrapServers(),
            "--registry-url",
            registry.url(),
            "--lakehouse",
            lake,
            "--metrics-port",
            "0");
    Map<String, Map<String, Double>> scrapes = new HashMap<>();
    try {
      Map<String, Double> s =
          scrapeUntil(
              stream,
              m ->
                  sum(m, "frip_kafka_records_in_total") == read
                      && sum(m, "frip_streaming_buffered") == 0
                      && sum(m, "frip_streaming_payments_scored_total") == payments
                      // Outputs count when the broker acknowledges them.
                      && sum(m, "frip_kafka_records_out_total")
                          == payments + sum(m, "frip_streaming_alerts_total"));
      scrapes.put("score-stream", s);
      assertThat(sum(s, "frip_kafka_dlq_records_total")).isEqualTo(1);
      assertThat(s.get("frip_kafka_dlq_records_total{stage=\"deserialize\",topic=\"payments\"}"))
          .isEqualTo(1);
      assertThat(sum(s, "frip_scorer_decisions_total")).isEqualTo(payments);
      assertThat(sum(s, "frip_streaming_alerts_total")).isPositive();
      assertThat(sum(s, "frip_streaming_score_latency_seconds_count")).isEqualTo(payments);
      assertThat(sum(s, "frip_features_users")).isPositive();
      assertThat(sum(s, "frip_streaming_watermark_lag_seconds")).isPositive();

      Map<String, Double> b =
          scrapeUntil(
              ingest,
              m ->
                  // Caught up when every record read is accounted for: the buffered gauge and
                  // the outcome counters are separate meters, so one scrape can see the gauge
                  // after a commit and the counters just before it.
                  sum(m, "frip_kafka_records_in_total") == read
                      && sum(m, "frip_bronze_buffered") == 0
                      && sum(m, "frip_bronze_records_total")
                              + sum(m, "frip_kafka_dlq_records_total")
                          == read);
      scrapes.put("ingest", b);
      assertThat(sum(b, "frip_bronze_records_total")).isEqualTo(produced);
      assertThat(b.get("frip_bronze_records_total{outcome=\"written\",topic=\"payments\"}"))
          .isEqualTo(payments);
      assertThat(sum(b, "frip_kafka_dlq_records_total")).isEqualTo(1);
      assertThat(sum(b, "frip_bronze_commits_total"))
          .isEqualTo(sum(b, "frip_bronze_write_time_seconds_count"))
          .isPositive();
    } finally {
      ((ScoreStreamCommand) stream.command("score-stream")).stop();
      ((IngestCommand) ingest.command("ingest")).stop();
    }
    assertThat(stream.exit().get(60, TimeUnit.SECONDS)).as(stream.err().toString()).isZero();
    assertThat(stream.out().toString()).contains("read " + read + ", scored " + payments);
    assertThat(ingest.exit().get(60, TimeUnit.SECONDS)).as(ingest.err().toString()).isZero();
    assertThat(ingest.out().toString()).contains("read " + read + ", written " + produced);

    // frip serve: one scored request, then the scrape.
    try (ScoringServer serve =
        new ScoringServer(
            "127.0.0.1",
            0,
            2,
            meters ->
                FraudScorer.builder()
                    .models(ModelRegistry.at(dir.resolve("registry")))
                    .meterRegistry(meters)
                    .build())) {
      HttpResponse<String> scored =
          http.send(
              HttpRequest.newBuilder(URI.create(serve.url() + "/v1/score"))
                  .POST(HttpRequest.BodyPublishers.ofString("{\"features\": {\"amount\": 12.5}}"))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(scored.statusCode()).as(scored.body()).isEqualTo(200);
      Map<String, Double> s = samples(get(serve.url() + "/metrics"));
      scrapes.put("serve", s);
      assertThat(s.get("frip_http_requests_seconds_count{path=\"/v1/score\",status=\"200\"}"))
          .isEqualTo(1);
    }

    Set<String> exported = new TreeSet<>();
    scrapes.values().forEach(s -> exported.addAll(names(s)));
    List<String> missing = new ArrayList<>();
    Map<String, Set<String>> used = dashboardMetrics();
    used.forEach(
        (panel, metrics) ->
            metrics.stream()
                .filter(m -> !exported.contains(m))
                .forEach(m -> missing.add(panel + ": " + m)));
    assertThat(missing).as("dashboard metrics no process exports").isEmpty();
    assertThat(used.values().stream().flatMap(Set::stream).distinct().count())
        .isGreaterThanOrEqualTo(20);
  }

  /** Every panel's metrics, keyed by dashboard file and panel title; checks the JSON shape. */
  private Map<String, Set<String>> dashboardMetrics() throws Exception {
    String datasources =
        Files.readString(
            MONITORING.resolve("grafana/provisioning/datasources/prometheus.yml"),
            StandardCharsets.UTF_8);
    Map<String, Set<String>> out = new TreeMap<>();
    List<Path> files;
    try (Stream<Path> s = Files.list(MONITORING.resolve("grafana/dashboards"))) {
      files = s.filter(f -> f.toString().endsWith(".json")).sorted().toList();
    }
    assertThat(files).hasSizeGreaterThanOrEqualTo(2);
    for (Path f : files) {
      JsonNode d = json.readTree(f.toFile());
      assertThat(d.path("schemaVersion").asInt()).as(f + " schemaVersion").isPositive();
      assertThat(d.path("uid").asText()).as(f + " uid").isNotBlank();
      assertThat(d.path("title").asText()).as(f + " title").isNotBlank();
      JsonNode panels = d.path("panels");
      assertThat(panels.isArray() && panels.size() > 0).as(f + " panels").isTrue();
      Set<Integer> ids = new TreeSet<>();
      for (JsonNode p : panels) {
        String where = f.getFileName() + " / " + p.path("title").asText();
        assertThat(ids.add(p.path("id").asInt())).as(where + " unique id").isTrue();
        assertThat(p.path("type").asText()).as(where + " type").isNotBlank();
        String uid = p.path("datasource").path("uid").asText();
        assertThat(uid).as(where + " datasource").isNotBlank();
        assertThat(datasources).as(where + " datasource is provisioned").contains("uid: " + uid);
        JsonNode targets = p.path("targets");
        assertThat(targets.isArray() && targets.size() > 0).as(where + " targets").isTrue();
        Set<String> metrics = new TreeSet<>();
        for (JsonNode t : targets) {
          String expr = t.path("expr").asText();
          assertThat(expr).as(where + " expr").isNotBlank();
          Set<String> names = metricNames(expr);
          assertThat(names).as(where + " names a metric: " + expr).isNotEmpty();
          metrics.addAll(names);
        }
        out.put(where, metrics);
      }
    }
    return out;
  }
}
