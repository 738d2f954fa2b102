package dev.frip.lakehouse.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;

class ReadAheadTest {

  @Test
  void valuesComeInOrderAcrossChunksMadeOnTheNamedThread() {
    int n = 3 * ReadAhead.CHUNK + 17;
    Set<String> makers = ConcurrentHashMap.newKeySet();
    List<Integer> got = new ArrayList<>();
    try (ReadAhead<Integer> ahead =
        new ReadAhead<>(
            5,
            5 + n,
            i -> {
              makers.add(Thread.currentThread().getName());
              return i * 2;
            },
            "test-maker")) {
      for (int v : ahead) {
        got.add(v);
      }
      assertThatThrownBy(ahead::iterator)
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("iterated once");
    }
    assertThat(got).hasSize(n);
    for (int i = 0; i < n; i++) {
      assertThat(got.get(i)).isEqualTo((5 + i) * 2);
    }
    assertThat(makers).containsExactly("test-maker");
  }

  @Test
  void aValueThatFailsFailsTheConsumerAtItsPositionAfterTheValuesBeforeIt() {
    int bad = ReadAhead.CHUNK + 10;
    List<Integer> got = new ArrayList<>();
    try (ReadAhead<Integer> ahead =
        new ReadAhead<>(
            0,
            3 * ReadAhead.CHUNK,
            i -> {
              if (i == bad) {
                throw new IllegalArgumentException("event " + i + ": cannot read");
              }
              return i;
            },
            "test-maker")) {
      Iterator<Integer> it = ahead.iterator();
      assertThatThrownBy(
              () -> {
                while (it.hasNext()) {
                  got.add(it.next());
                }
              })
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage("event " + bad + ": cannot read");
      assertThatThrownBy(it::next).isInstanceOf(IllegalArgumentException.class);
    }
    assertThat(got).hasSize(bad).last().isEqualTo(bad - 1);
  }

  @Test
  void closingStopsTheMakerAndAnEmptyRangeEndsAtOnce() throws Exception {
    Thread[] maker = new Thread[1];
    ReadAhead<Integer> ahead =
        new ReadAhead<>(
            0,
            1_000_000,
            i -> {
              maker[0] = Thread.currentThread();
              return i;
            },
            "test-maker");
    Iterator<Integer> it = ahead.iterator();
    assertThat(it.next()).isZero(); // the maker is now blocked with the queue full
    ahead.close();
    maker[0].join(10_000);
    assertThat(maker[0].isAlive()).isFalse();
    assertThatThrownBy(ahead::iterator).isInstanceOf(IllegalStateException.class);

    try (ReadAhead<Integer> empty = new ReadAhead<>(3, 3, i -> i, "test-empty")) {
      Iterator<Integer> e = empty.iterator();
      assertThat(e.hasNext()).isFalse();
      assertThatThrownBy(e::next).isInstanceOf(NoSuchElementException.class);
    }
    assertThatThrownBy(() -> new ReadAhead<>(3, 2, i -> i, "x"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("[3, 2)");
  }
}
