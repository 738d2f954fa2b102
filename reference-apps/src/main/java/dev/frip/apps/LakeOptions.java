package dev.frip.apps;

import dev.frip.lakehouse.Lakehouse;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * The {@code --date} and {@code --lakehouse} flags of the lakehouse jobs, parsed in one place; a
 * bad value is a usage error naming the flag.
 */
final class LakeOptions {

  @Option(names = "--date", paramLabel = "yyyy-MM-dd", required = true, description = "Event date.")
  String date;

  @Mixin LakehouseRoot root;

  /** The lakehouse at {@code --lakehouse}, with the S3/MinIO settings of the environment. */
  Lakehouse lakehouse() {
    return root.lakehouse();
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
}
