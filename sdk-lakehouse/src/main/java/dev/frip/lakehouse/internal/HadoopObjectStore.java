package dev.frip.lakehouse.internal;

import dev.frip.core.ObjectStore;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.UUID;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataOutputStreamBuilder;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocalFileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RawLocalFileSystem;

/**
 * {@link ObjectStore} on a Hadoop {@link FileSystem}: the lakehouse root on local disk or {@code
 * s3a://}.
 *
 * <p>Atomicity: on an object store ({@code s3a}) a file is one PUT, made visible whole when the
 * stream closes, so {@link #write} and {@link #replace} write the target directly. On a file system
 * they write a hidden temporary file beside the target and rename it over the target, which POSIX
 * makes atomic.
 */
public final class HadoopObjectStore implements ObjectStore {
  /** Hadoop's create option for S3 conditional writes ({@code If-None-Match: *}). */
  static final String CONDITIONAL_OVERWRITE = "fs.option.create.conditional.overwrite";

  private final FileSystem fs;
  private final Path root;
  private final boolean objectStore;
  private final String description;

  /** A store at {@code root}, e.g. {@code s3a://lake/models/registry}. */
  public HadoopObjectStore(String root, Configuration conf) throws IOException {
    Objects.requireNonNull(root, "root");
    this.description = root.endsWith("/") ? root.substring(0, root.length() - 1) : root;
    URI uri = URI.create(description);
    FileSystem opened = FileSystem.get(uri, conf);
    // The checksummed local file system keeps a .crc file beside each file and renames the two
    // one after the other, so a reader can pair new data with an old checksum: use the raw one.
    this.fs = opened instanceof LocalFileSystem local ? local.getRawFileSystem() : opened;
    this.root = fs.makeQualified(new Path(uri));
    this.objectStore = "s3a".equals(uri.getScheme());
  }

  private Path resolve(String path) {
    Objects.requireNonNull(path, "path");
    for (String part : path.split("/")) {
      if (part.equals("..")) {
        throw new IllegalArgumentException("path " + path + " escapes the store root " + root);
      }
    }
    return path.isEmpty() ? root : new Path(root, path);
  }

  @Override
  public byte[] read(String path) throws IOException {
    try (InputStream in = fs.open(resolve(path))) {
      return in.readAllBytes();
    }
  }

  @Override
  public void write(String path, byte[] bytes) throws IOException {
    replace(path, bytes);
  }

  /**
   * Creates {@code path} only when it does not exist, atomically. On the local file system the
   * bytes go to a hidden temporary file first, which is then hard-linked to the target ({@code
   * link(2)} fails when the target exists, so exactly one of several racing writers wins and
   * readers never see a partial file). On S3A the single PUT carries {@code If-None-Match: *}
   * (Hadoop's {@code fs.option.create.conditional.overwrite}), so S3 itself refuses the second
   * writer; a store without conditional writes fails the call rather than silently overwriting.
   * Elsewhere it is {@code create(overwrite=false)}, atomic on HDFS.
   */
  @Override
  public boolean createNew(String path, byte[] bytes) throws IOException {
    Path target = resolve(path);
    if (objectStore) {
      FSDataOutputStreamBuilder<?, ?> create = fs.createFile(target).overwrite(false);
      create.must(CONDITIONAL_OVERWRITE, true);
      try (OutputStream out = create.build()) {
        out.write(bytes);
      } catch (org.apache.hadoop.fs.FileAlreadyExistsException e) {
        return false;
      } catch (IOException e) {
        if (preconditionFailed(e)) {
          return false;
        }
        throw e;
      }
      return true;
    }
    fs.mkdirs(target.getParent());
    if (fs instanceof RawLocalFileSystem local) {
      java.nio.file.Path file = local.pathToFile(target).toPath();
      java.nio.file.Path tmp = local.pathToFile(tempBeside(target)).toPath();
      try {
        Files.write(tmp, bytes, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        Files.createLink(file, tmp);
        return true;
      } catch (java.nio.file.FileAlreadyExistsException e) {
        return false;
      } finally {
        Files.deleteIfExists(tmp);
      }
    }
    try (OutputStream out = fs.create(target, false)) {
      out.write(bytes);
      return true;
    } catch (org.apache.hadoop.fs.FileAlreadyExistsException e) {
      return false;
    }
  }

  /**
   * S3's answer to a conditional PUT whose object exists, HTTP 412, however S3A wraps it: its
   * {@code RemoteFileChangedException}, or the AWS SDK's service exception with status 412 (looked
   * up by name: the SDK is optional on the classpath).
   */
  private static boolean preconditionFailed(Throwable e) {
    for (Throwable t = e; t != null && t != t.getCause(); t = t.getCause()) {
      if (t.getClass().getName().equals("org.apache.hadoop.fs.s3a.RemoteFileChangedException")
          || awsStatus(t) == 412) {
        return true;
      }
    }
    return false;
  }

  private static int awsStatus(Throwable t) {
    for (Class<?> c = t.getClass(); c != null; c = c.getSuperclass()) {
      if (c.getName().equals("software.amazon.awssdk.core.exception.SdkServiceException")) {
        try {
          return (Integer) c.getMethod("statusCode").invoke(t);
        } catch (ReflectiveOperationException | ClassCastException unexpected) {
          return -1;
        }
      }
    }
    return -1;
  }

  /** A hidden temporary file beside {@code target}, which {@link #list} does not show. */
  private static Path tempBeside(Path target) {
    return new Path(target.getParent(), "." + target.getName() + "." + UUID.randomUUID() + ".tmp");
  }

  @Override
  public void replace(String path, byte[] bytes) throws IOException {
    Path target = resolve(path);
    if (objectStore) {
      try (OutputStream out = fs.create(target, true)) {
        out.write(bytes);
      }
      return;
    }
    fs.mkdirs(target.getParent());
    Path tmp = tempBeside(target);
    try {
      try (OutputStream out = fs.create(tmp, false)) {
        out.write(bytes);
      }
      if (!fs.rename(tmp, target)) {
        throw new IOException("cannot move " + tmp + " over " + target);
      }
    } finally {
      fs.delete(tmp, false);
    }
  }

  @Override
  public List<String> list(String directory) throws IOException {
    List<String> out = new ArrayList<>();
    try {
      for (FileStatus s : fs.listStatus(resolve(directory))) {
        String name = s.getPath().getName();
        if (!(name.startsWith(".") && name.endsWith(".tmp"))) {
          out.add(name);
        }
      }
    } catch (FileNotFoundException e) {
      return List.of();
    }
    return out;
  }

  @Override
  public boolean exists(String path) throws IOException {
    return fs.exists(resolve(path));
  }

  @Override
  public String describe() {
    return description;
  }

  @Override
  public String toString() {
    return "HadoopObjectStore[" + root + "]";
  }
}
