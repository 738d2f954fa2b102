package dev.frip.apps;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code frip} command line: composes the SDK modules into the platform's jobs and services.
 * Each subcommand is thin: it parses flags, wires SDK objects and reports.
 *
 * <p>Exit codes: 0 success, 1 a runtime failure, 2 invalid flags or settings.
 */
@Command(
    name = "frip",
    mixinStandardHelpOptions = true,
    versionProvider = Frip.Version.class,
    description = "Fraud & Revenue Intelligence Platform.",
    subcommands = {TopicsCommand.class, SchemaRegistryCommand.class})
public final class Frip implements Runnable {

  /** Exit code for invalid flags or settings. */
  public static final int EXIT_USAGE = 2;

  /** Runs the CLI and exits the JVM with its exit code. */
  public static void main(String[] args) {
    System.exit(run(args));
  }

  /** Runs the CLI and returns its exit code, without exiting: what tests call. */
  public static int run(String... args) {
    CommandLine cli = new CommandLine(new Frip());
    cli.setExecutionExceptionHandler(
        (e, cmd, parsed) -> {
          if (e instanceof IllegalArgumentException) {
            cmd.getErr().println("frip " + cmd.getCommandName() + ": " + e.getMessage());
            return EXIT_USAGE;
          }
          throw e;
        });
    return cli.execute(args);
  }

  @Override
  public void run() {
    CommandLine.usage(this, System.out);
  }

  /** Reports the build version from the jar manifest. */
  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      String v = Frip.class.getPackage().getImplementationVersion();
      return new String[] {"frip " + (v == null ? "development build" : v)};
    }
  }
}
