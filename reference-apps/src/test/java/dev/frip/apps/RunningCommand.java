package dev.frip.apps;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine;

/** A {@code frip} command running on its own thread, its output readable while it runs. */
record RunningCommand(
    CommandLine cli, StringWriter out, StringWriter err, CompletableFuture<Integer> exit) {

  static RunningCommand start(String... args) {
    CommandLine cli = new CommandLine(new Frip());
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    cli.setOut(new PrintWriter(out, true));
    cli.setErr(new PrintWriter(err, true));
    return new RunningCommand(
        cli, out, err, CompletableFuture.supplyAsync(() -> cli.execute(args)));
  }

  /** The subcommand object {@code name}, e.g. to stop it. */
  Object command(String name) {
    return cli.getSubcommands().get(name).getCommand();
  }

  /**
   * Group 1 of {@code printed} once the command's output matches it (within 30 s); fails at once if
   * the command exits first.
   */
  String awaitPrinted(Pattern printed) throws InterruptedException {
    for (int i = 0; i < 600; i++) {
      Matcher m = printed.matcher(out.toString());
      if (m.find()) {
        return m.group(1);
      }
      assertThat(exit.isDone()).as("exited early: %s %s", out, err).isFalse();
      Thread.sleep(50);
    }
    throw new AssertionError("never printed " + printed + ": " + out + err);
  }
}
