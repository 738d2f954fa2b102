package dev.frip.scoring;

import dev.frip.scoring.internal.LocalModelStore;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * Where a {@link ModelRegistry} keeps its files: the storage seam. FRIP ships the local-disk store;
 * the lakehouse module plugs in a Hadoop {@code FileSystem} store for {@code s3a://} roots
 * (sdk-scoring itself stays free of Hadoop).
 *
 * <p>Paths are relative to the store's root and use {@code /}. A store must make {@link
 * #replace(String, byte[])} atomic: readers see the old or the new content, never a mix.
 *
 * @since 0.1
 */
public interface ModelStore {

  /** The store rooted at a local directory (created on first write). */
  static ModelStore localDirectory(Path root) {
    return new LocalModelStore(root);
  }

  /** Reads a whole file. */
  byte[] read(String path) throws IOException;

  /** Writes a file, creating parent directories; the file appears complete or not at all. */
  void write(String path, byte[] bytes) throws IOException;

  /** Atomically replaces a file's content (used for the {@code current} pointer). */
  void replace(String path, byte[] bytes) throws IOException;

  /** Names of the direct children of a directory, empty when it does not exist. */
  List<String> list(String directory) throws IOException;

  /** Whether a file exists. */
  boolean exists(String path) throws IOException;

  /** Describes the root for messages, e.g. {@code file:/data/models/registry}. */
  String describe();
}
