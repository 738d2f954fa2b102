package dev.frip.lakehouse.internal;

import dev.frip.core.ObjectStore;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.UUID;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocalFileSystem;
import org.apache.hadoop.fs.Path;

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

  @Override
  public boolean createNew(String path, byte[] bytes) throws IOException {
    Path target = resolve(path);
    if (!objectStore) {
      fs.mkdirs(target.getParent());
    }
    // create(overwrite=false) fails when the file exists: atomic on HDFS; on Hadoop's local file
    // system and on S3A only a check before the write (S3A with fs.s3a.create.performance skips
    // even that), so two publishers racing there in one millisecond can still collide.
    try (OutputStream out = fs.create(target, false)) {
      out.write(bytes);
      return true;
    } catch (org.apache.hadoop.fs.FileAlreadyExistsException e) {
      return false;
    }
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
    Path tmp =
        new Path(target.getParent(), "." + target.getName() + "." + UUID.randomUUID() + ".tmp");
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
