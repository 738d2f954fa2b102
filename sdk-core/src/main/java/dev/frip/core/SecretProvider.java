package dev.frip.core;

import dev.frip.core.internal.Secrets;
import java.io.UncheckedIOException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Where credentials come from: the seed's names ({@code AWS_ACCESS_KEY_ID}, {@code
 * AWS_SECRET_ACCESS_KEY}, {@code POSTGRES_PASSWORD}, ...) looked up in the environment, in files
 * mounted by Docker or Kubernetes, or in a vault the caller wraps in a lambda.
 *
 * <pre>{@code
 * SecretProvider secrets = SecretProvider.standard(System.getenv());  // NAME_FILE, then NAME
 * SecretProvider vault = name -> Optional.ofNullable(client.read("frip/" + name));
 * Lakehouse lake = Lakehouse.builder().secrets(vault.orElse(secrets)).build();
 * }</pre>
 *
 * <p>Secret values are never logged or printed: implementations' {@code toString()} names where
 * they look, never what they found. A blank value counts as absent.
 *
 * @since 0.1.0
 */
@FunctionalInterface
public interface SecretProvider {

  /** The value of the secret {@code name}, empty when this provider does not have it. */
  Optional<String> secret(String name);

  /**
   * This provider, then {@code next} for the names this one lacks.
   *
   * @throws NullPointerException when {@code next} is null
   */
  default SecretProvider orElse(SecretProvider next) {
    Objects.requireNonNull(next, "next");
    SecretProvider first = this;
    return Secrets.named(
        name -> first.secret(name).or(() -> next.secret(name)), first + " then " + next);
  }

  /** The process environment. */
  static SecretProvider environment() {
    return fromMap(System.getenv(), "environment");
  }

  /** Values from a map, e.g. a parsed {@code .env} file or a test fixture. */
  static SecretProvider fromMap(Map<String, String> values, String description) {
    Map<String, String> copy = Map.copyOf(Objects.requireNonNull(values, "values"));
    return Secrets.named(name -> Secrets.nonBlank(copy.get(name)), description);
  }

  /**
   * One file per secret in {@code directory}, named like the secret: Docker secrets ({@code
   * /run/secrets}) and Kubernetes secret volumes. A trailing line break is removed.
   *
   * @throws UncheckedIOException when the file exists but cannot be read
   */
  static SecretProvider directory(Path directory) {
    Objects.requireNonNull(directory, "directory");
    return Secrets.named(
        name -> {
          Secrets.requireName(name);
          return Secrets.readIfPresent(directory.resolve(name), name);
        },
        "files in " + directory);
  }

  /**
   * The convention of the official Docker images: {@code NAME_FILE} in {@code environment} names a
   * file holding the secret; otherwise {@code NAME} itself holds it.
   *
   * @throws UncheckedIOException when {@code NAME_FILE} names a file that does not exist, cannot be
   *     read, or is empty or only whitespace (each with its own message, never the file's content)
   */
  static SecretProvider standard(Map<String, String> environment) {
    Map<String, String> env = Map.copyOf(Objects.requireNonNull(environment, "environment"));
    return Secrets.named(
        name -> {
          Secrets.requireName(name);
          String file = env.get(name + "_FILE");
          if (file != null && !file.isBlank()) {
            Optional<String> v = Secrets.readRawIfPresent(Path.of(file), name);
            if (v.isEmpty()) {
              throw new UncheckedIOException(
                  new NoSuchFileException(
                      file, null, name + "_FILE names a file that does not exist"));
            }
            if (v.get().isBlank()) { // said so, without the content
              throw new UncheckedIOException(
                  new FileSystemException(
                      file,
                      null,
                      name + "_FILE names a file that exists but is empty or only whitespace"));
            }
            return v;
          }
          return Secrets.nonBlank(env.get(name));
        },
        "environment (NAME_FILE, then NAME)");
  }
}
