package dev.frip.apps;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * An output written under a hidden name beside its target and moved over the target once complete:
 * a run that fails or is killed midway leaves the previous file whole (a killed run may leave the
 * hidden file behind).
 */
final class PartialFile {

  private PartialFile() {}

  /** A hidden, unique file name in {@code target}'s directory. */
  static Path beside(Path target) {
    return target
        .toAbsolutePath()
        .getParent()
        .resolve(
            "."
                + target.getFileName()
                + "."
                + ProcessHandle.current().pid()
                + "."
                + System.nanoTime()
                + ".partial");
  }

  /** Replaces {@code target} with the complete {@code partial}, atomically. */
  static void commit(Path partial, Path target) throws IOException {
    Files.move(
        partial, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }
}
