package dev.frip.apps;

import dev.frip.lakehouse.TrainingFeaturesJob;
import dev.frip.lakehouse.TrainingFeaturesResult;
import java.time.LocalDate;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code frip features}: the point-in-time training table of one date, from silver and bronze. */
@Command(
    name = "features",
    mixinStandardHelpOptions = true,
    description = {
      "Builds gold/training_features for one event date: each silver payment's point-in-time",
      "feature vector (the online store's definitions) and its fraud label. Needs silver for",
      "the date and, for complete history, the 37 days before it. Exit 1 when the quality",
      "gate blocks publication or silver has no payments for the date."
    })
final class FeaturesCommand implements Callable<Integer> {

  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Mixin LakeOptions lake;

  @Option(
      names = "--chargeback-horizon-days",
      paramLabel = "DAYS",
      defaultValue = "180",
      description =
          "Days after the date chargebacks are read as labels (default ${DEFAULT-VALUE}).")
  int chargebackHorizonDays;

  @Override
  public Integer call() {
    var day = lake.date();
    TrainingFeaturesJob job =
        TrainingFeaturesJob.builder(lake.lakehouse())
            .chargebackHorizonDays(chargebackHorizonDays)
            .build();
    TrainingFeaturesResult r = job.run(day);
    var out = r.published() ? spec.commandLine().getOut() : spec.commandLine().getErr();
    out.printf(
        "features %s: %s, %d rows of %d silver payments (quarantined %d), %s, %d events read,"
            + " version %d, %.1f s%n",
        day,
        r.published() ? "published" : "blocked by the quality gate",
        r.rows(),
        r.silverPayments(),
        r.quarantined(),
        r.featureVersion(),
        r.eventsRead(),
        r.version(),
        r.timings().total().toMillis() / 1000.0);
    List<LocalDate> missing = r.datesWithoutSilver();
    // Missing dates from the start of the look-back up to the first date with silver are where the
    // history begins, not a gap: one note. Dates missing after that are gaps: a warning.
    LocalDate windowStart = day.minusDays(TrainingFeaturesJob.BATCH_HISTORY_DAYS);
    int leading = 0;
    while (leading < missing.size() && missing.get(leading).equals(windowStart.plusDays(leading))) {
      leading++;
    }
    var err = spec.commandLine().getErr();
    if (leading > 0) {
      err.printf(
          "features %s: history starts on %s (no silver before it in the %d-day look-back)%n",
          day, windowStart.plusDays(leading), TrainingFeaturesJob.BATCH_HISTORY_DAYS);
    }
    List<LocalDate> gaps = missing.subList(leading, missing.size());
    if (!gaps.isEmpty()) {
      err.printf(
          "features %s: warning: no silver payments on %d look-back dates after history starts"
              + " (%s .. %s); run frip silver for them if they had payments%n",
          day, gaps.size(), gaps.get(0), gaps.get(gaps.size() - 1));
    }
    return r.published() ? 0 : 1;
  }
}
