package dev.frip.apps;

import dev.frip.core.quality.ExpectationResult;
import dev.frip.core.quality.Severity;
import dev.frip.lakehouse.SilverJob;
import dev.frip.lakehouse.SilverResult;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code frip silver}: bronze to silver for one date, behind its quality gate. */
@Command(
    name = "silver",
    mixinStandardHelpOptions = true,
    description = {
      "Builds silver enriched_transactions for one event date from bronze.",
      "Rows that break a row rule are quarantined and the rest published; exit 1 when the",
      "quality gate blocks the date (a pipeline rule failed, or too many rows were quarantined)."
    })
final class SilverCommand implements Callable<Integer> {

  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Mixin LakeOptions lake;

  @Option(
      names = "--max-quarantined-fraction",
      paramLabel = "F",
      description =
          "Largest share of the date's rows (0-1) that may be quarantined while the rest is"
              + " published; 0 blocks on any bad row (default: ${DEFAULT-VALUE}).",
      defaultValue = "0.001")
  double maxQuarantinedFraction;

  @Override
  public Integer call() {
    var day = lake.date();
    if (!(maxQuarantinedFraction >= 0 && maxQuarantinedFraction <= 1)) {
      throw new ParameterException(
          spec.commandLine(),
          "--max-quarantined-fraction was " + maxQuarantinedFraction + ", must be in [0, 1]");
    }
    SilverJob job =
        SilverJob.builder(lake.lakehouse()).maxQuarantinedFraction(maxQuarantinedFraction).build();
    SilverResult r = job.run(day);
    var out = r.published() ? spec.commandLine().getOut() : spec.commandLine().getErr();
    out.printf(
        "silver %s: %s, %d rows (read %d payments, dropped %d duplicates, quarantined %d),"
            + " version %d%n",
        day,
        r.published() ? "published" : "blocked by the quality gate",
        r.rows(),
        r.paymentsRead(),
        r.duplicatesDropped(),
        r.quarantined(),
        r.version());
    for (ExpectationResult f : r.quality().failures()) {
      out.printf(
          "  %s %s: %s%n",
          f.severity() == Severity.BLOCK ? "blocking" : "quarantined", f.rule(), f.observed());
    }
    if (!r.published()) {
      out.printf("  result: %s%n", r.qualityResultPath());
    }
    return r.published() ? 0 : 1;
  }
}
