package dev.frip.apps;

import dev.frip.lakehouse.Lakehouse;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import picocli.CommandLine.Option;

/**
 * The {@code --date} and {@code --lakehouse} flags of the lakehouse jobs, parsed in one place; a
 * bad value is a usage error naming the flag.
 */
final class LakeOptions {

  @Option(names = "--date", paramLabel = "yyyy-MM-dd", required = true, description = "Event date.")
  String date;

  @Option(
      names = "--lakehouse",
      paramLabel = "URI",
      required = true,
      description = "Lakehouse root: a directory, file: or s3a://bucket/.")
  String lakehouse;

  /** The lakehouse at {@code --lakehouse}, with the S3/MinIO settings of the environment. */
  Lakehouse lakehouse() {
    return lakehouse(lakehouse);
  }

  /** The {@code --date} value as an ISO date. */
  LocalDate date() {
    if (date == null || date.isBlank()) {
      throw new IllegalArgumentException("--date is required (yyyy-MM-dd)");
    }
    try {
      return LocalDate.parse(date);
    } catch (DateTimeParseException e) {
      throw new IllegalArgumentException("--date was '" + date + "', must be yyyy-MM-dd", e);
    }
  }

  /** The lakehouse at a URI given by a {@code --lakehouse} flag. */
  static Lakehouse lakehouse(String uri) {
    if (uri == null || uri.isBlank()) {
      throw new IllegalArgumentException("--lakehouse is required (a directory, file: or s3a://)");
    }
    try {
      return Lakehouse.builder().root(uri).environment(System.getenv()).build();
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("--lakehouse: " + e.getMessage(), e);
    }
  }
}
