package dev.frip.apps;

import dev.frip.lakehouse.GoldJob;
import dev.frip.lakehouse.GoldResult;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Spec;

/** {@code frip gold}: silver to the gold tables for one date, each behind its quality gate. */
@Command(
    name = "gold",
    mixinStandardHelpOptions = true,
    description = {
      "Builds the gold tables (daily_revenue, fraud_kpis, merchant_risk, customer_metrics)",
      "for one event date from silver. Exit 1 when a quality gate blocks a table."
    })
final class GoldCommand implements Callable<Integer> {

  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Mixin LakeOptions lake;

  @Override
  public Integer call() {
    var day = lake.date();
    GoldResult r = GoldJob.builder(lake.lakehouse()).build().run(day);
    for (Map.Entry<String, GoldResult.Table> e : new TreeMap<>(r.tables()).entrySet()) {
      GoldResult.Table t = e.getValue();
      var out = t.published() ? spec.commandLine().getOut() : spec.commandLine().getErr();
      out.printf(
          "gold %s %s: %s, %d rows, version %d%n",
          e.getKey(),
          day,
          t.published() ? "published" : "blocked by the quality gate",
          t.rows(),
          t.version());
    }
    GoldResult.Refunds refunds = r.refunds();
    (refunds.quarantined() == 0 ? spec.commandLine().getOut() : spec.commandLine().getErr())
        .printf(
            "gold refunds %s: %d read, %d netted, %d quarantined (quarantine/refunds)%n",
            day, refunds.read(), refunds.netted(), refunds.quarantined());
    return r.published() ? 0 : 1;
  }
}
