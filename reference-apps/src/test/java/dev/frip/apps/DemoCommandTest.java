package dev.frip.apps;

import static org.assertj.core.api.Assertions.assertThat;

import dev.frip.core.EventStream;
import dev.frip.core.GeneratedEvent;
import dev.frip.core.GeneratorConfig;
import dev.frip.core.WorldGenerator;
import dev.frip.core.events.PaymentEvent;
import dev.frip.lakehouse.Lakehouse;
import dev.frip.scoring.ModelRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code frip demo} end to end on a small world: every step runs and the numbers reconcile. */
class DemoCommandTest {

  @TempDir Path dir;

  @Test
  void runsThePlatformEndToEndAndScoresEveryPaymentOfTheLastDay() throws Exception {
    GenerateCommandTest.Run demo =
        GenerateCommandTest.run(
            "demo", "--dir", dir.toString(), "--seed", "42", "--days", "5", "--users", "300");
    assertThat(demo.exit()).as(demo.out() + demo.err()).isZero();
    assertThat(demo.out()).contains("[7/7]").contains("demo done");

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
    assertThat(registry.current().metrics()).containsKeys("auc", "pr_auc");

    GenerateCommandTest.Run bad = GenerateCommandTest.run("demo", "--days", "2");
    assertThat(bad.exit()).isEqualTo(Frip.EXIT_USAGE);
    assertThat(bad.err()).contains("--days was 2, the demo needs at least 3");
  }
}
