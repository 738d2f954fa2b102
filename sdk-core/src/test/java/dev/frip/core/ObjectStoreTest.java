package dev.frip.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ObjectStoreTest {

  @TempDir Path root;

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void writesReadsReplacesAndListsUnderItsRoot() throws Exception {
    ObjectStore store = ObjectStore.localDirectory(root.resolve("registry"));
    assertThat(store.list("v1")).isEmpty();
    assertThat(store.exists("v1/model.json")).isFalse();
    store.write("v1/model.json", utf8("{}"));
    store.write("v1/schema.json", utf8("[]"));
    store.replace("current", utf8("v1\n"));
    store.replace("current", utf8("v2\n"));
    assertThat(store.read("v1/model.json")).isEqualTo(utf8("{}"));
    assertThat(store.read("current")).isEqualTo(utf8("v2\n"));
    assertThat(store.list("v1")).containsExactlyInAnyOrder("model.json", "schema.json");
    assertThat(store.exists("v1/model.json")).isTrue();
    // No temporary file is left behind by the atomic writes.
    try (var files = Files.list(root.resolve("registry"))) {
      assertThat(files.map(p -> p.getFileName().toString()))
          .containsExactlyInAnyOrder("v1", "current");
    }
    assertThat(store.describe()).startsWith("file:").endsWith("registry/");
  }

  @Test
  void createNewHasOneWinnerWhoseBytesAreWholeAndLeavesNoTemporaryFile() throws Exception {
    ObjectStore store = ObjectStore.localDirectory(root.resolve("claims"));
    int writers = 4;
    int paths = 200;
    ExecutorService pool = Executors.newFixedThreadPool(writers + 1);
    try {
      AtomicBoolean done = new AtomicBoolean();
      // A reader that finds a claim must find it whole (all 16 KB of one writer's byte).
      Future<Integer> reader =
          pool.submit(
              () -> {
                int seen = 0;
                while (!done.get()) {
                  for (int p = 0; p < paths; p += 7) {
                    if (store.exists("v" + p + "/.publisher")) {
                      byte[] b = store.read("v" + p + "/.publisher");
                      assertThat(b).hasSize(16 * 1024);
                      assertThat(b[b.length - 1]).isEqualTo(b[0]);
                      seen++;
                    }
                  }
                }
                return seen;
              });
      List<Future<boolean[]>> results = new ArrayList<>();
      for (int w = 0; w < writers; w++) {
        byte[] mine = new byte[16 * 1024];
        Arrays.fill(mine, (byte) ('a' + w));
        results.add(
            pool.submit(
                () -> {
                  boolean[] won = new boolean[paths];
                  for (int p = 0; p < paths; p++) {
                    won[p] = store.createNew("v" + p + "/.publisher", mine);
                  }
                  return won;
                }));
      }
      int[] winners = new int[paths];
      for (Future<boolean[]> f : results) {
        boolean[] won = f.get();
        for (int p = 0; p < paths; p++) {
          winners[p] += won[p] ? 1 : 0;
        }
      }
      done.set(true);
      reader.get();
      for (int p = 0; p < paths; p++) {
        assertThat(winners[p]).as("writers that won v%d", p).isEqualTo(1);
        assertThat(store.list("v" + p)).containsExactly(".publisher");
      }
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void refusesPathsOutsideItsRootAndReportsMissingFiles() {
    ObjectStore store = ObjectStore.localDirectory(root);
    assertThatThrownBy(() -> store.read("../outside"))
        .hasMessageContaining("escapes the store root");
    assertThatThrownBy(() -> store.write("a/../../x", new byte[0]))
        .hasMessageContaining("escapes the store root");
    assertThatThrownBy(() -> store.read("absent")).isInstanceOf(NoSuchFileException.class);
  }
}
