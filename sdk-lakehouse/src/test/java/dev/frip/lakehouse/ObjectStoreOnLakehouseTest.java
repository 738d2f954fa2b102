package dev.frip.lakehouse;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.frip.core.ObjectStore;
import java.io.FileNotFoundException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The lakehouse's {@link ObjectStore} (Hadoop FileSystem) on a local root. */
public class ObjectStoreOnLakehouseTest {

  @TempDir Path dir;

  static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  /** The contract every root must keep; also run against S3 in the s3mock profile. */
  public static void checkContract(ObjectStore store) throws Exception {
    assertThat(store.list("v1")).isEmpty();
    assertThat(store.exists("v1/model.json")).isFalse();
    store.write("v1/model.json", utf8("{\"trees\":[]}"));
    store.write("v1/schema.json", utf8("[]"));
    store.replace("current", utf8("v1\n"));
    store.replace("current", utf8("v2\n"));
    assertThat(store.read("v1/model.json")).isEqualTo(utf8("{\"trees\":[]}"));
    assertThat(store.read("current")).isEqualTo(utf8("v2\n"));
    assertThat(store.list("v1")).containsExactlyInAnyOrder("model.json", "schema.json");
    assertThat(store.list("")).containsExactlyInAnyOrder("v1", "current");
    assertThat(store.exists("v1/model.json")).isTrue();
    assertThatThrownBy(() -> store.read("v9/absent")).isInstanceOf(FileNotFoundException.class);
    assertThatThrownBy(() -> store.read("../escape"))
        .hasMessageContaining("escapes the store root");
  }

  @Test
  void keepsTheObjectStoreContractUnderTheLakehouseRoot() throws Exception {
    Lakehouse lake = Lakehouse.local(dir);
    ObjectStore store = lake.objectStore(Lakehouse.MODEL_REGISTRY);
    checkContract(store);
    assertThat(store.describe()).isEqualTo(lake.root() + "/models/registry");
    assertThat(Files.readString(dir.resolve("models/registry/current"))).isEqualTo("v2\n");
    try (var files = Files.list(dir.resolve("models/registry"))) {
      assertThat(files.map(p -> p.getFileName().toString()).toList())
          .as("no temporary file left behind")
          .containsExactlyInAnyOrder("v1", "current");
    }
    assertThatThrownBy(() -> lake.objectStore("../outside"))
        .hasMessageContaining("relative to the lakehouse root");
  }

  @Test
  void readersNeverSeeAPartialReplacement() throws Exception {
    ObjectStore store = Lakehouse.local(dir).objectStore("pointers");
    byte[] a = new byte[64 * 1024];
    byte[] b = new byte[64 * 1024];
    java.util.Arrays.fill(a, (byte) 'a');
    java.util.Arrays.fill(b, (byte) 'b');
    store.replace("current", a);
    AtomicBoolean stop = new AtomicBoolean();
    ExecutorService pool = Executors.newSingleThreadExecutor();
    try {
      Future<Integer> reader =
          pool.submit(
              () -> {
                int reads = 0;
                while (!stop.get()) {
                  byte[] seen = store.read("current");
                  assertThat(List.of(a.length)).contains(seen.length);
                  assertThat(seen[0]).isEqualTo(seen[seen.length - 1]);
                  reads++;
                }
                return reads;
              });
      for (int i = 0; i < 200; i++) {
        store.replace("current", i % 2 == 0 ? b : a);
      }
      stop.set(true);
      assertThat(reader.get()).isPositive();
    } finally {
      pool.shutdownNow();
    }
  }
}
