package dev.frip.core.internal;

import dev.frip.core.SecretProvider;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Optional;
import java.util.regex.Pattern;

/** Helpers behind {@link SecretProvider}'s factories; they never put a value in a message. */
public final class Secrets {
  private static final Pattern SECRET = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");

  private Secrets() {}

  /** A provider that prints as {@code SecretProvider[description]}. */
  public static SecretProvider named(SecretProvider lookup, String description) {
    return new SecretProvider() {
      @Override
      public Optional<String> secret(String name) {
        return lookup.secret(name);
      }

      @Override
      public String toString() {
        return "SecretProvider[" + description + "]";
      }
    };
  }

  /** The file's content without a trailing line break; empty when the file does not exist. */
  public static Optional<String> readIfPresent(Path file, String name) {
    return readRawIfPresent(file, name).flatMap(Secrets::nonBlank);
  }

  /**
   * The file's content without a trailing line break, blank or not; empty when the file does not
   * exist.
   *
   * @throws UncheckedIOException when the file exists but cannot be read
   */
  public static Optional<String> readRawIfPresent(Path file, String name) {
    try {
      String v = Files.readString(file, StandardCharsets.UTF_8);
      if (v.endsWith("\n")) {
        v = v.substring(0, v.endsWith("\r\n") ? v.length() - 2 : v.length() - 1);
      }
      return Optional.of(v);
    } catch (NoSuchFileException e) {
      return Optional.empty();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read secret " + name + " from " + file, e);
    }
  }

  /** Empty for null or blank. */
  public static Optional<String> nonBlank(String v) {
    return v == null || v.isBlank() ? Optional.empty() : Optional.of(v);
  }

  /** Refuses names that could escape a directory or are not variable names. */
  public static void requireName(String name) {
    if (name == null || !SECRET.matcher(name).matches()) {
      throw new IllegalArgumentException(
          "secret name '"
              + name
              + "' must be letters, digits and underscores, e.g. AWS_ACCESS_KEY_ID");
    }
  }
}
