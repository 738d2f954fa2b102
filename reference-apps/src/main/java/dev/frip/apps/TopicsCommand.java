package dev.frip.apps;

import dev.frip.core.Topics;
import dev.frip.kafka.TopicAdmin;
import dev.frip.kafka.TopicDriftException;
import dev.frip.kafka.TopicReport;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code frip topics}: creates the platform's topics from their specs, or verifies them. */
@Command(
    name = "topics",
    mixinStandardHelpOptions = true,
    description = {
      "Creates the seed, output and dead-letter topics from their specs, or verifies them.",
      "Exit 1 with a drift report when an existing topic differs (e.g. a wrong partition count)."
    })
final class TopicsCommand implements Callable<Integer> {

  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Mixin KafkaOptions kafka;

  @Option(names = "--verify-only", description = "Report only; create nothing.")
  boolean verifyOnly;

  @Override
  public Integer call() {
    String servers = kafka.servers();
    var out = spec.commandLine().getOut();
    var err = spec.commandLine().getErr();
    try (TopicAdmin admin = TopicAdmin.builder().bootstrapServers(servers).build()) {
      TopicReport report = verifyOnly ? admin.verify(Topics.ALL) : admin.ensure(Topics.ALL);
      if (!report.ok()) {
        err.print(report.describe());
        return 1;
      }
      out.print(report.describe());
      return 0;
    } catch (TopicDriftException e) {
      err.print(e.report().describe());
      err.println("frip topics: existing topics differ from their specs; fix or recreate them");
      return 1;
    }
  }
}
