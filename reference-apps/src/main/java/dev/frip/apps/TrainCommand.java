package dev.frip.apps;

import dev.frip.core.FeatureCatalog;
import dev.frip.core.FeatureSchema;
import dev.frip.lakehouse.Lakehouse;
import dev.frip.scoring.ModelLoader;
import dev.frip.scoring.ModelRegistry;
import dev.frip.scoring.ModelTrainer;
import java.time.Instant;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code frip train}: the training table of a date range to a model in the registry. Labels count
 * only if they were known at {@code --as-of} (a chargeback arrives weeks after the payment), so a
 * model is trained on what could have been known when it was trained.
 */
@Command(
    name = "train",
    mixinStandardHelpOptions = true,
    description = {
      "Trains an XGBoost fraud model on gold/training_features for a date range and publishes it",
      "to the model registry ({lakehouse}/models/registry), promoting it with --promote."
    })
final class TrainCommand implements Callable<Integer> {

  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Mixin LakehouseRoot lakehouse;

  @Option(names = "--from", paramLabel = "yyyy-MM-dd", required = true, description = "First day.")
  String from;

  @Option(names = "--to", paramLabel = "yyyy-MM-dd", required = true, description = "Last day.")
  String to;

  @Option(
      names = "--as-of",
      paramLabel = "INSTANT",
      description = "Labels known at this time count (default: now), e.g. 2026-03-01T00:00:00Z.")
  String asOf;

  @Option(names = "--max-depth", split = ",", description = "Tree depths to search (default: 4,6).")
  int[] maxDepths = {4, 6};

  @Option(
      names = "--eta",
      split = ",",
      description = "Learning rates to search (default: 0.1,0.3).")
  double[] etas = {0.1, 0.3};

  @Option(names = "--rounds", description = "Most boosting rounds per candidate (default: 200).")
  int rounds = 200;

  @Option(names = "--promote", description = "Make the new version the serving one.")
  boolean promote;

  @Override
  public Integer call() {
    LocalDate first = date("--from", from);
    LocalDate last = date("--to", to);
    if (last.isBefore(first)) {
      throw new IllegalArgumentException("--to " + last + " is before --from " + first);
    }
    Instant cutoff;
    try {
      cutoff = asOf == null ? Instant.now() : Instant.parse(asOf);
    } catch (DateTimeParseException e) {
      throw new IllegalArgumentException("--as-of was '" + asOf + "', must be an ISO instant", e);
    }
    ModelTrainer trainer =
        ModelTrainer.builder(FeatureCatalog.schema())
            .maxDepths(maxDepths)
            .learningRates(etas)
            .maxRounds(rounds)
            .build();
    Lakehouse lake = lakehouse.lakehouse();
    Rows rows = read(lake, first, last, cutoff);
    if (rows.count == 0) {
      throw new IllegalStateException(
          "no training rows in "
              + lake.goldPath("training_features")
              + " from "
              + first
              + " to "
              + last
              + "; run frip features --date D for those days first");
    }
    ModelTrainer.Result r = trainer.train(rows.x, rows.y, rows.count);
    FeatureSchema schema = FeatureCatalog.schema();
    ModelRegistry registry = ModelRegistry.on(lake.objectStore(Lakehouse.MODEL_REGISTRY));
    String version = registry.publish(r.model(), ModelLoader.Format.JSON, schema, r.metrics());
    if (promote) {
      registry.promote(version);
    }
    Map<String, Double> m = r.metrics();
    spec.commandLine()
        .getOut()
        .printf(
            Locale.ROOT,
            "train %s..%s: %,d rows (%,d frauds known at %s, %,d labelled later and counted as"
                + " legitimate)%n"
                + "  chosen: max_depth %d, eta %s, %d rounds, scale_pos_weight %.1f%n"
                + "  validation (last %,d rows): AUC %.4f, PR-AUC %.4f, precision %.3f / recall %.3f"
                + " at score >= %.2f%n"
                + "  model %s %s in %s%n",
            first,
            last,
            rows.count,
            rows.frauds,
            cutoff,
            rows.labelledLater,
            m.get("max_depth").intValue(),
            m.get("eta"),
            m.get("num_boost_round").intValue(),
            m.get("scale_pos_weight"),
            m.get("validation_rows").longValue(),
            m.get("auc"),
            m.get("pr_auc"),
            m.get("precision_at_review"),
            m.get("recall_at_review"),
            m.get("review_threshold"),
            version,
            promote ? "published and promoted" : "published (not serving; --promote to serve)",
            lake.root() + "/" + Lakehouse.MODEL_REGISTRY);
    return 0;
  }

  /** Training rows in event-time order, labels as known at the cut-off. */
  private static Rows read(Lakehouse lake, LocalDate first, LocalDate last, Instant cutoff) {
    List<String> names = FeatureCatalog.names();
    String[] columns = new String[names.size() + 3];
    columns[0] = "event_time";
    columns[1] = "is_fraud";
    columns[2] = "label_available_at";
    for (int i = 0; i < names.size(); i++) {
      columns[3 + i] = names.get(i);
    }
    List<Object[]> all = new ArrayList<>();
    lake.scan(lake.goldPath("training_features"))
        .between(first, last)
        .columns(columns)
        .forEach(all::add);
    all.sort(Comparator.comparing(r -> (Instant) r[0]));
    int nf = names.size();
    Rows rows = new Rows(all.size(), nf);
    for (int i = 0; i < all.size(); i++) {
      Object[] r = all.get(i);
      boolean fraud = Boolean.TRUE.equals(r[1]);
      boolean known = fraud && r[2] != null && !((Instant) r[2]).isAfter(cutoff);
      rows.y[i] = known ? 1f : 0f;
      rows.frauds += known ? 1 : 0;
      rows.labelledLater += fraud && !known ? 1 : 0;
      for (int f = 0; f < nf; f++) {
        Object v = r[3 + f];
        rows.x[i * nf + f] = v == null ? Float.NaN : ((Double) v).floatValue();
      }
    }
    return rows;
  }

  private static LocalDate date(String flag, String value) {
    try {
      return LocalDate.parse(value);
    } catch (DateTimeParseException e) {
      throw new IllegalArgumentException(flag + " was '" + value + "', must be yyyy-MM-dd", e);
    }
  }

  private static final class Rows {
    final int count;
    final float[] x;
    final float[] y;
    long frauds;
    long labelledLater;

    Rows(int count, int features) {
      this.count = count;
      this.x = new float[count * features];
      this.y = new float[count];
    }
  }
}
