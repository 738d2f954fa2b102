package dev.frip.apps;

import dev.frip.lakehouse.Lakehouse;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;

/** Flag parsing shared by the lakehouse commands; a bad value is a usage error naming the flag. */
final class LakeArgs {

  private LakeArgs() {}

  /** The lakehouse at {@code --lakehouse}, with the S3/MinIO settings of the environment. */
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

  /** The {@code --date} value as an ISO date. */
  static LocalDate date(String value) {
    if (value == null || value.isBlank()) {
      throw new IllegalArgumentException("--date is required (yyyy-MM-dd)");
    }
    try {
      return LocalDate.parse(value);
    } catch (DateTimeParseException e) {
      throw new IllegalArgumentException("--date was '" + value + "', must be yyyy-MM-dd", e);
    }
  }
}
