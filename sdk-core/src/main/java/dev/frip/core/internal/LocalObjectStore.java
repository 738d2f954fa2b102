package dev.frip.core.internal;

import dev.frip.core.ObjectStore;
import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/** {@link ObjectStore} on a local directory: writes go to a temporary file, then an atomic move. */
public final class LocalObjectStore implements ObjectStore {
  private final Path root;

  /** A store rooted at {@code root}. */
  public LocalObjectStore(Path root) {
    this.root = root.toAbsolutePath().normalize();
  }

  private Path resolve(String path) {
    Path p = root.resolve(path).normalize();
    if (!p.startsWith(root)) {
      throw new IllegalArgumentException("path " + path + " escapes the store root " + root);
    }
    return p;
  }

  @Override
  public byte[] read(String path) throws IOException {
    return Files.readAllBytes(resolve(path));
  }

  @Override
  public void write(String path, byte[] bytes) throws IOException {
    replace(path, bytes);
  }

  /**
   * The bytes go to a temporary file first, which is then hard-linked to the target: {@code
   * link(2)} fails when the target exists, so exactly one of several racing writers wins, and
   * readers never see a partial file. Where hard links are not supported, the target is created
   * exclusively and then written (one winner, but a reader may briefly see it incomplete).
   */
  @Override
  public boolean createNew(String path, byte[] bytes) throws IOException {
    Path target = resolve(path);
    Files.createDirectories(target.getParent());
    Path tmp = Files.createTempFile(target.getParent(), ".tmp-", "-" + target.getFileName());
    try {
      Files.write(tmp, bytes);
      Files.createLink(target, tmp);
      return true;
    } catch (java.nio.file.FileAlreadyExistsException e) {
      return false;
    } catch (UnsupportedOperationException | java.nio.file.FileSystemException noLinks) {
      try {
        Files.write(target, bytes, java.nio.file.StandardOpenOption.CREATE_NEW);
        return true;
      } catch (java.nio.file.FileAlreadyExistsException e) {
        return false;
      }
    } finally {
      Files.deleteIfExists(tmp);
    }
  }

  @Override
  public void replace(String path, byte[] bytes) throws IOException {
    Path target = resolve(path);
    Files.createDirectories(target.getParent());
    Path tmp = Files.createTempFile(target.getParent(), ".tmp-", "-" + target.getFileName());
    try {
      Files.write(tmp, bytes);
      try {
        Files.move(
            tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
      }
    } finally {
      Files.deleteIfExists(tmp);
    }
  }

  @Override
  public List<String> list(String directory) throws IOException {
    Path dir = resolve(directory);
    List<String> out = new ArrayList<>();
    try (Stream<Path> s = Files.list(dir)) {
      s.forEach(p -> out.add(p.getFileName().toString()));
    } catch (NoSuchFileException e) {
      return List.of();
    }
    return out;
  }

  @Override
  public boolean exists(String path) {
    return Files.exists(resolve(path));
  }

  @Override
  public String describe() {
    return root.toUri().toString();
  }
}
