package dev.frip.apps;

import dev.frip.core.TopicSpec;
import dev.frip.core.Topics;
import dev.frip.lakehouse.BronzeTableWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code frip compact}: rewrites one date partition of a bronze table into fewer files. */
@Command(
    name = "compact",
    mixinStandardHelpOptions = true,
    description = {
      "Rewrites one event_date partition of a bronze table into fewer, larger files",
      "(readers see the same rows). Tables: bronze.{topic} or {topic} of the seed topics."
    })
final class CompactCommand implements Callable<Integer> {

  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Option(
      names = "--table",
      paramLabel = "TABLE",
      required = true,
      description = "bronze.payments, bronze.orders, ... (or just the topic name).")
  String table;

  @Mixin LakeOptions lake;

  @Override
  public Integer call() {
    String name = table.startsWith("bronze.") ? table.substring("bronze.".length()) : table;
    TopicSpec topic =
        Topics.SEED.stream()
            .filter(t -> t.name().equals(name))
            .findFirst()
            .orElseThrow(
                () ->
                    new IllegalArgumentException(
                        "--table was '"
                            + table
                            + "', must be bronze.{topic} of "
                            + Topics.SEED.stream().map(TopicSpec::name).toList()));
    var day = lake.date();
    BronzeTableWriter writer = lake.lakehouse().bronzeWriter(topic);
    int before = writer.fileCount(day);
    long version = writer.compact(day);
    spec.commandLine()
        .getOut()
        .printf(
            "compact bronze.%s %s: %d files -> %d, version %d%n",
            topic.name(), day, before, writer.fileCount(day), version);
    return 0;
  }
}
