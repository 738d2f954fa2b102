package dev.frip.apps;

import dev.frip.core.Redaction;
import java.util.concurrent.Callable;
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
    subcommands = {
      DemoCommand.class,
      GenerateCommand.class,
      TopicsCommand.class,
      SchemaRegistryCommand.class,
      ScoreFileCommand.class,
      ServeCommand.class,
      ScoreStreamCommand.class,
      IngestCommand.class,
      SilverCommand.class,
      GoldCommand.class,
      PublishCommand.class,
      FeaturesCommand.class,
      TrainCommand.class,
      CompactCommand.class
    })
public final class Frip implements Callable<Integer> {

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
          // Messages may quote a URL given with credentials (s3a://key:secret@bucket/): hidden.
          if (e instanceof IllegalArgumentException) {
            cmd.getErr()
                .println(
                    "frip "
                        + cmd.getCommandName()
                        + ": "
                        + Redaction.credentialsInUrls(e.getMessage()));
            return EXIT_USAGE;
          }
          // A runtime failure: say what failed, with its causes, instead of a stack trace.
          StringBuilder why = new StringBuilder(String.valueOf(e.getMessage()));
          for (Throwable c = e.getCause(); c != null && c != c.getCause(); c = c.getCause()) {
            why.append("\n  caused by ").append(c.getClass().getSimpleName()).append(": ");
            why.append(c.getMessage());
          }
          cmd.getErr()
              .println(
                  "frip "
                      + cmd.getCommandName()
                      + ": "
                      + Redaction.credentialsInUrls(why.toString()));
          return 1;
        });
    return cli.execute(args);
  }

  /** Without a subcommand, prints the usage. */
  @Override
  public Integer call() {
    CommandLine.usage(this, System.out);
    return 0;
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
