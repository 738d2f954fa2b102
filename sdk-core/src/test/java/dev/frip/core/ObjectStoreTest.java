package dev.frip.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
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
  void refusesPathsOutsideItsRootAndReportsMissingFiles() {
    ObjectStore store = ObjectStore.localDirectory(root);
    assertThatThrownBy(() -> store.read("../outside"))
        .hasMessageContaining("escapes the store root");
    assertThatThrownBy(() -> store.write("a/../../x", new byte[0]))
        .hasMessageContaining("escapes the store root");
    assertThatThrownBy(() -> store.read("absent")).isInstanceOf(NoSuchFileException.class);
  }
}
