package dev.frip.apps;

import dev.frip.core.ObjectStore;
import dev.frip.lakehouse.Lakehouse;
import picocli.CommandLine.Option;

/** The {@code --lakehouse} flag, parsed in one place; a bad value is a usage error naming it. */
final class LakehouseRoot {

  @Option(
      names = "--lakehouse",
      paramLabel = "URI",
      required = true,
      description = "Lakehouse root: a directory, file: or s3a://bucket/.")
  String uri;

  /** The lakehouse at {@code --lakehouse}, with the S3/MinIO settings of the environment. */
  Lakehouse lakehouse() {
    return at("--lakehouse", uri);
  }

  /**
   * Files at a URI ({@code s3a://bucket/models/registry}, {@code file:/...}) through the
   * lakehouse's file systems, with the S3/MinIO settings of the environment: e.g. a model registry.
   *
   * @param flag the flag (or variable) the URI came from, which a bad value's error names
   */
  static ObjectStore objectStoreAt(String flag, String uri) {
    return at(flag, uri.replaceAll("/+$", "")).objectStore("");
  }

  private static Lakehouse at(String flag, String uri) {
    if (uri == null || uri.isBlank()) {
      throw new IllegalArgumentException(flag + " is required (a directory, file: or s3a://)");
    }
    try {
      return Lakehouse.builder().root(uri).environment(System.getenv()).build();
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(flag + ": " + e.getMessage(), e);
    }
  }
}
