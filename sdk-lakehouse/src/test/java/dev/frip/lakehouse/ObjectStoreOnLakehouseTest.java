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
    assertThat(store.createNew("v1/.publisher", utf8("first"))).isTrue();
    assertThat(store.createNew("v1/.publisher", utf8("second"))).isFalse();
    assertThat(store.read("v1/.publisher")).isEqualTo(utf8("first"));
    assertThat(store.list("v1"))
        .containsExactlyInAnyOrder("model.json", "schema.json", ".publisher");
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
  void createNewHasExactlyOneWinnerAndNeverShowsAPartialFile() throws Exception {
    ObjectStore store = Lakehouse.local(dir).objectStore("claims");
    int writers = 4;
    int paths = 300;
    byte[][] payload = new byte[writers][];
    for (int w = 0; w < writers; w++) {
      payload[w] = new byte[16 * 1024];
      java.util.Arrays.fill(payload[w], (byte) ('a' + w));
    }
    ExecutorService pool = Executors.newFixedThreadPool(writers + 1);
    try {
      java.util.concurrent.CyclicBarrier start = new java.util.concurrent.CyclicBarrier(writers);
      List<Future<boolean[]>> wins = new java.util.ArrayList<>();
      for (int w = 0; w < writers; w++) {
        int me = w;
        wins.add(
            pool.submit(
                () -> {
                  boolean[] won = new boolean[paths];
                  try {
                    for (int p = 0; p < paths; p++) {
                      if (p % 50 == 0) {
                        start.await(30, java.util.concurrent.TimeUnit.SECONDS);
                      }
                      won[p] = store.createNew("v" + p + "/.publisher", payload[me]);
                      if (won[p]) {
                        // A file this writer created holds its bytes, whole, right away.
                        byte[] seen = store.read("v" + p + "/.publisher");
                        assertThat(seen).isEqualTo(payload[me]);
                      }
                    }
                  } catch (Throwable t) {
                    start.reset(); // release the other writers instead of leaving them waiting
                    throw t;
                  }
                  return won;
                }));
      }
      boolean[][] results = new boolean[writers][];
      Throwable failed = null;
      for (int w = 0; w < writers; w++) {
        try {
          results[w] = wins.get(w).get();
        } catch (java.util.concurrent.ExecutionException e) {
          // The writer that failed first, not the ones its failure released from the barrier.
          boolean released =
              e.getCause() instanceof java.util.concurrent.BrokenBarrierException
                  || e.getCause() instanceof java.util.concurrent.TimeoutException;
          failed = failed == null || !released ? e.getCause() : failed;
        }
      }
      if (failed != null) {
        throw new AssertionError("a writer failed", failed);
      }
      int[] winners = new int[paths];
      int[] winner = new int[paths];
      for (int w = 0; w < writers; w++) {
        boolean[] won = results[w];
        for (int p = 0; p < paths; p++) {
          if (won[p]) {
            winners[p]++;
            winner[p] = w;
          }
        }
      }
      for (int p = 0; p < paths; p++) {
        assertThat(winners[p]).as("writers that won v%d", p).isEqualTo(1);
        assertThat(store.read("v" + p + "/.publisher")).isEqualTo(payload[winner[p]]);
        assertThat(store.list("v" + p)).containsExactly(".publisher");
      }
    } finally {
      pool.shutdownNow();
    }
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
