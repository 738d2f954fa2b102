package dev.frip.apps;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class FripTest {

  @Test
  void helpAndVersionExitZero() {
    assertThat(Frip.run("--help")).isZero();
    assertThat(Frip.run("--version")).isZero();
  }

  @Test
  void noSubcommandPrintsUsage() {
    PrintStream saved = System.out;
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    System.setOut(new PrintStream(buf, true, StandardCharsets.UTF_8));
    try {
      assertThat(Frip.run()).isZero();
    } finally {
      System.setOut(saved);
    }
    assertThat(buf.toString(StandardCharsets.UTF_8)).contains("Usage: frip");
  }

  @Test
  void unknownFlagIsAUsageError() {
    assertThat(Frip.run("--no-such-flag")).isEqualTo(Frip.EXIT_USAGE);
  }
}
