package dev.frip.apps;

import static org.assertj.core.api.Assertions.assertThat;

import dev.frip.core.EventStream;
import dev.frip.core.GeneratedEvent;
import dev.frip.core.GeneratorConfig;
import dev.frip.core.Topics;
import dev.frip.core.WorldGenerator;
import dev.frip.core.events.PaymentEvent;
import dev.frip.lakehouse.GoldJob;
import dev.frip.lakehouse.Lakehouse;
import dev.frip.scoring.ModelRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code frip demo} end to end on a small world: every step runs and the numbers reconcile, from
 * the streaming scorer's {@code fraud_scores} through bronze to gold {@code fraud_kpis}.
 */
class DemoCommandTest {

  @TempDir Path dir;

  @Test
  void runsThePlatformEndToEndAndScoresEveryPaymentOfTheLastDay() throws Exception {
    GenerateCommandTest.Run demo =
        GenerateCommandTest.run(
            "demo", "--dir", dir.toString(), "--seed", "42", "--days", "5", "--users", "300");
    assertThat(demo.exit()).as(demo.out() + demo.err()).isZero();
    assertThat(demo.out()).contains("[8/8]").contains("demo done");

    GeneratorConfig world = GeneratorConfig.builder().seed(42).days(5).users(300).build();
    LocalDate last = world.startDate().plusDays(4);
    long lastDayPayments = 0;
    try (EventStream events = WorldGenerator.create(world).stream()) {
      while (events.hasNext()) {
        GeneratedEvent e = events.next();
        if (e.value() instanceof PaymentEvent p
            && LocalDate.ofInstant(p.getEventTime(), ZoneOffset.UTC).equals(last)) {
          lastDayPayments++;
        }
      }
    }
    assertThat(demo.out()).contains(String.format("%,d payments scored", lastDayPayments));
    long decided = 0;
    Matcher m = Pattern.compile("(ALLOW|REVIEW|BLOCK)\\s+([\\d,]+) payments").matcher(demo.out());
    while (m.find()) {
      decided += Long.parseLong(m.group(2).replace(",", ""));
    }
    assertThat(decided).as("every scored payment got one decision").isEqualTo(lastDayPayments);

    Path run;
    try (var runs = Files.list(dir)) {
      run = runs.toList().get(0);
    }
    assertThat(demo.out()).contains("lakehouse at " + run.resolve("lakehouse"));
    Lakehouse lake = Lakehouse.local(run.resolve("lakehouse"));
    for (LocalDate d = world.startDate(); !d.isAfter(last); d = d.plusDays(1)) {
      long silver = lake.scan(lake.silverPath()).on(d).count();
      assertThat(silver).as("silver %s", d).isPositive();
      assertThat(lake.scan(lake.goldPath("training_features")).on(d).count())
          .as("one training row per silver payment on %s", d)
          .isEqualTo(silver);
    }
    ModelRegistry registry = ModelRegistry.on(lake.objectStore(Lakehouse.MODEL_REGISTRY));
    assertThat(registry.currentVersion()).isPresent();

    // The streaming scorer scored every payment of the last day exactly once, with the model, and
    // those payments only (the earlier days were folded without scores).
    // A score falls back to the rules only when the scorer says so (a feature lookup over its
    // time budget on a starved machine, for instance); the demo's printed count reconciles them.
    Map<String, Map<String, Object>> scores = new HashMap<>();
    long rulesScores = 0;
    for (Map<String, Object> r : lake.scan(lake.bronzePath(Topics.FRAUD_SCORES)).rows()) {
      assertThat(scores.put((String) r.get("payment_id"), r)).as("one score per payment").isNull();
      assertThat(LocalDate.ofInstant((Instant) r.get("payment_event_time"), ZoneOffset.UTC))
          .isEqualTo(last);
      if (Boolean.TRUE.equals(r.get("fallback"))) {
        assertThat(r.get("model_version")).isEqualTo("rules");
        rulesScores++;
      } else {
        assertThat(r.get("model_version")).isEqualTo(registry.currentVersion().get());
      }
    }
    assertThat(scores).hasSize((int) lastDayPayments);
    Matcher fallbacks = Pattern.compile("rules fallbacks: ([^\\n]*)").matcher(demo.out());
    assertThat(fallbacks.find()).as("score-stream reports its fallbacks").isTrue();
    long reported = 0;
    Matcher n = Pattern.compile("\\d+").matcher(fallbacks.group(1));
    while (n.find()) {
      reported += Long.parseLong(n.group());
    }
    assertThat(rulesScores).as("rules scores = fallbacks reported").isEqualTo(reported);
    long alertsInBronze = lake.scan(lake.bronzePath(Topics.ALERTS)).count();
    assertThat(alertsInBronze)
        .isEqualTo(scores.values().stream().filter(r -> !"ALLOW".equals(r.get("action"))).count());
    // Gold's alert precision and recall, recomputed here from bronze scores and silver labels.
    long scored = 0;
    long alerts = 0;
    long frauds = 0;
    long caught = 0;
    for (Map<String, Object> p : lake.scan(lake.silverPath()).on(last).rows()) {
      Map<String, Object> s = scores.get((String) p.get("payment_id"));
      if (!"AUTHORIZED".equals(p.get("status")) || s == null) {
        continue;
      }
      boolean alert = !"ALLOW".equals(s.get("action"));
      boolean fraud = Boolean.TRUE.equals(p.get("is_fraud"));
      scored++;
      alerts += alert ? 1 : 0;
      frauds += fraud ? 1 : 0;
      caught += alert && fraud ? 1 : 0;
    }
    Map<String, Object> kpis =
        lake.scan(lake.goldPath(GoldJob.FRAUD_KPIS)).on(last).rows().stream()
            .filter(r -> "*".equals(r.get("merchant_id")))
            .findFirst()
            .orElseThrow();
    assertThat(kpis.get("scored_transactions"))
        .isEqualTo(scored)
        .isEqualTo(kpis.get("transactions"));
    assertThat(kpis.get("alerts")).isEqualTo(alerts);
    assertThat(kpis.get("alerted_frauds")).isEqualTo(caught);
    assertThat(frauds).as("labelled frauds on the last day").isPositive();
    assertThat(kpis.get("alert_recall")).isEqualTo(caught / (double) frauds);
    assertThat(kpis.get("alert_precision"))
        .isEqualTo(alerts == 0 ? null : caught / (double) alerts);
    assertThat(demo.out())
        .contains(
            String.format(
                java.util.Locale.ROOT,
                "alert precision %s, recall %.3f",
                alerts == 0
                    ? "n/a"
                    : String.format(java.util.Locale.ROOT, "%.3f", caught / (double) alerts),
                caught / (double) frauds));
    assertThat(registry.current().metrics()).containsKeys("auc", "pr_auc");

    // Every day's gold published to the embedded PostgreSQL; GMV as PostgreSQL sums it.
    long goldRows = 0;
    double gmv = 0;
    for (LocalDate d = world.startDate(); !d.isAfter(last); d = d.plusDays(1)) {
      for (String t : dev.frip.lakehouse.AnalyticsPublisher.tables()) {
        goldRows += lake.scan(lake.goldPath(t)).on(d).count();
      }
      for (var r :
          lake.scan(lake.goldPath("daily_revenue")).on(d).columns("gmv_reporting").rows()) {
        gmv += (Double) r.get("gmv_reporting");
      }
    }
    assertThat(demo.out())
        .contains(String.format(java.util.Locale.ROOT, "published %,d gold rows of ", goldRows))
        .contains(String.format(java.util.Locale.ROOT, "from PostgreSQL: GMV %,.2f,", gmv));

    GenerateCommandTest.Run bad = GenerateCommandTest.run("demo", "--days", "2");
    assertThat(bad.exit()).isEqualTo(Frip.EXIT_USAGE);
    assertThat(bad.err()).contains("--days was 2, the demo needs at least 3");
  }
}
