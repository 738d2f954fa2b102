package dev.frip.core.internal.features;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ScratchTest {

  @Test
  void theDistinctSetCountsLikeAHashSetAcrossResetsAndGrowth() {
    Scratch.IntSet set = new Scratch.IntSet();
    Random rnd = new Random(5);
    for (int round = 0; round < 2_000; round++) {
      int n = round % 50 == 0 ? 500 : rnd.nextInt(40); // now and then more than the table holds
      int range = 1 + rnd.nextInt(round % 2 == 0 ? 8 : 1 << 20);
      set.reset(n);
      Set<Integer> expected = new HashSet<>();
      for (int i = 0; i < n; i++) {
        // Keys include 0 and negatives: an empty slot must not read as key 0 of this round.
        int key = rnd.nextInt(range) - range / 2;
        set.add(key);
        expected.add(key);
      }
      assertThat(set.size()).as("round %d", round).isEqualTo(expected.size());
    }
  }

  @Test
  void aResetForgetsTheKeysOfThePreviousRound() {
    Scratch.IntSet set = new Scratch.IntSet();
    set.reset(4);
    set.add(0);
    set.add(7);
    set.reset(4);
    set.add(7);
    assertThat(set.size()).isEqualTo(1);
    set.add(0);
    assertThat(set.size()).isEqualTo(2);
  }
}
