package dev.frip.apps;

import dev.frip.lakehouse.SilverJob;
import dev.frip.lakehouse.SilverResult;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Spec;

/** {@code frip silver}: bronze to silver for one date, behind its quality gate. */
@Command(
    name = "silver",
    mixinStandardHelpOptions = true,
    description = {
      "Builds silver enriched_transactions for one event date from bronze.",
      "Exit 1 when the quality gate blocks publication."
    })
final class SilverCommand implements Callable<Integer> {

  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Mixin LakeOptions lake;

  @Override
  public Integer call() {
    var day = lake.date();
    SilverResult r = SilverJob.builder(lake.lakehouse()).build().run(day);
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
    return r.published() ? 0 : 1;
  }
}
