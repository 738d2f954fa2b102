package dev.frip.apps;

import picocli.CommandLine.Option;

/**
 * The {@code --registry-url} flag, falling back to the seed's {@code SCHEMA_REGISTRY_URL}; a
 * missing value is a usage error naming both.
 */
final class RegistryOptions {

  @Option(
      names = "--registry-url",
      paramLabel = "URL",
      description = "Schema registry (default: $SCHEMA_REGISTRY_URL).")
  String registryUrl;

  /** The registry URL from the flag or the environment. */
  String url() {
    String url = registryUrl != null ? registryUrl : System.getenv("SCHEMA_REGISTRY_URL");
    if (url == null || url.isBlank()) {
      throw new IllegalArgumentException("--registry-url is required (or set SCHEMA_REGISTRY_URL)");
    }
    return url;
  }
}
