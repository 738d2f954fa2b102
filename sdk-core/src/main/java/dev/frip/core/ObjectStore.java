package dev.frip.core;

import dev.frip.core.internal.LocalObjectStore;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * Small files under a root, on local disk or object storage: the storage seam of the model
 * registry. sdk-core ships the local-disk store; the lakehouse module opens the same interface on
 * its Hadoop {@code FileSystem} root ({@code Lakehouse.objectStore("models/registry")}), so a
 * registry on {@code s3a://} needs no Hadoop in the scoring module.
 *
 * <p>Paths are relative to the store's root, use {@code /}, and may not leave the root. {@link
 * #write} and {@link #replace} are atomic for readers: they see the old content or the new one,
 * never a partial file.
 *
 * @since 0.1.0
 */
public interface ObjectStore {

  /** The store rooted at a local directory (created on first write). */
  static ObjectStore localDirectory(Path root) {
    return new LocalObjectStore(root);
  }

  /**
   * Reads a whole file.
   *
   * @throws java.io.FileNotFoundException or {@link java.nio.file.NoSuchFileException} when the
   *     file does not exist
   */
  byte[] read(String path) throws IOException;

  /** Writes a file, creating parent directories; the file appears complete or not at all. */
  void write(String path, byte[] bytes) throws IOException;

  /** Atomically replaces a file's content (used for pointers such as {@code current}). */
  void replace(String path, byte[] bytes) throws IOException;

  /**
   * Writes a file only if none exists, creating parent directories; returns whether this call
   * created it. Atomic on a local file system (two callers cannot both succeed); on an object store
   * as atomic as its create-if-absent (the default checks, then writes).
   */
  default boolean createNew(String path, byte[] bytes) throws IOException {
    if (exists(path)) {
      return false;
    }
    write(path, bytes);
    return true;
  }

  /** Names of the direct children of a directory, empty when it does not exist. */
  List<String> list(String directory) throws IOException;

  /** Whether a file exists. */
  boolean exists(String path) throws IOException;

  /** Describes the root for messages, e.g. {@code file:/data/models/registry}. */
  String describe();
}
