package dev.frip.lakehouse.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.FutureTask;
import org.junit.jupiter.api.Test;

class FuturesTest {

  @Test
  void givesTheResultAndRethrowsWhatTheWorkThrewAsItself() {
    assertThat(Futures.get(CompletableFuture.completedFuture("rows"), "reading bronze"))
        .isEqualTo("rows");

    IllegalArgumentException bad = new IllegalArgumentException("bronze/orders: bad schema");
    assertThatThrownBy(() -> Futures.get(CompletableFuture.failedFuture(bad), "reading bronze"))
        .isSameAs(bad);
    OutOfMemoryError oom = new OutOfMemoryError("heap");
    assertThatThrownBy(() -> Futures.get(CompletableFuture.failedFuture(oom), "reading bronze"))
        .isSameAs(oom);
    IOException io = new IOException("disk gone");
    FutureTask<String> checked =
        new FutureTask<>(
            () -> {
              throw io;
            });
    checked.run();
    assertThatThrownBy(() -> Futures.get(checked, "computing the batch table"))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("computing the batch table failed")
        .hasCause(io);
  }

  @Test
  void anInterruptedWaitKeepsTheInterruptAndSaysWhatItWaitedFor() {
    Thread.currentThread().interrupt();
    try {
      assertThatThrownBy(() -> Futures.get(new CompletableFuture<String>(), "reading bronze"))
          .isInstanceOf(IllegalStateException.class)
          .hasMessage("interrupted while reading bronze");
      assertThat(Thread.currentThread().isInterrupted()).isTrue();
    } finally {
      Thread.interrupted();
    }
  }
}
