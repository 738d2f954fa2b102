package dev.frip.core.internal.features;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class UserTableTest {

  private static final long IDLE = 1000;

  @Test
  void anIdleUserIsAbsentBeforeAnySweepAndIsReplacedByAnEmptyBuffer() {
    UserTable users = new UserTable(10, IDLE);
    UserEvents alice = users.getOrCreate("alice", 0);
    alice.insert(5, 1, UserEvents.KIND_PAYMENT, 100, 1, 2, 3, 4, 0f, 0f, 0, 10_000, 16);

    assertThat(users.get("alice", IDLE)).isSameAs(alice);
    assertThat(users.get("alice", IDLE + 1)).isNull();
    UserEvents again = users.getOrCreate("alice", IDLE + 1);
    assertThat(again).isNotSameAs(alice);
    assertThat(again.size()).isZero();
    assertThat(users.getOrCreate("alice", IDLE + 2)).isSameAs(again);
    assertThat(users.size()).isEqualTo(1);
  }

  @Test
  void cleanUpRemovesIdleUsersOnly() {
    UserTable users = new UserTable(10, IDLE);
    users.getOrCreate("old", 0);
    users.getOrCreate("recent", 900);

    users.cleanUp(1500);

    assertThat(users.size()).isEqualTo(1);
    assertThat(users.get("recent", 1500)).isNotNull();
    assertThat(users.get("old", 1500)).isNull();
  }

  @Test
  void overTheBoundTheLeastRecentlyActiveOfTheSampleIsEvicted() {
    UserTable users = new UserTable(4, 1_000_000);
    for (int u = 1; u <= 4; u++) {
      users.getOrCreate("u" + u, u);
    }
    users.get("u1", 5).touch(5); // an event of u1 folded

    users.getOrCreate("u5", 6); // five users, fewer than the sample: exact LRU

    assertThat(users.size()).isEqualTo(4);
    assertThat(users.get("u2", 7)).isNull();
    assertThat(users.get("u1", 7)).isNotNull();
    assertThat(users.get("u5", 7)).isNotNull();
  }

  @Test
  void theUserJustAddedIsNeverTheVictimEvenWhenAllAreEquallyOld() {
    UserTable users = new UserTable(1, 1_000_000);
    for (int u = 0; u < 50; u++) {
      UserEvents added = users.getOrCreate("u" + u, 0);

      assertThat(users.get("u" + u, 0)).isSameAs(added);
      assertThat(users.size()).isEqualTo(1);
    }
  }

  @Test
  void aRestoredUserCountsAgainstTheBound() {
    UserTable users = new UserTable(2, 1_000_000);
    users.getOrCreate("a", 1);
    users.getOrCreate("b", 2);

    users.put("c", new UserEvents(), 3);

    assertThat(users.size()).isEqualTo(2);
    assertThat(users.get("c", 3)).isNotNull();
    assertThat(users.get("a", 3)).isNull();
  }

  @Test
  void forEachActiveSkipsIdleUsers() {
    UserTable users = new UserTable(10, IDLE);
    UserEvents old = users.getOrCreate("old", 0);
    UserEvents recent = users.getOrCreate("recent", 900);
    Map<String, UserEvents> seen = new HashMap<>();

    users.forEachActive(1500, seen::put);

    assertThat(seen).containsExactly(Map.entry("recent", recent));
    assertThat(seen).doesNotContainValue(old);
  }

  @Test
  void concurrentCreatorsOfTheSameUsersGetOneBufferEach() throws Exception {
    int n = 20_000;
    UserTable users = new UserTable(1_000_000, 1_000_000);
    UserEvents[][] got = new UserEvents[4][n];
    Thread[] threads = new Thread[got.length];
    for (int w = 0; w < threads.length; w++) {
      int id = w;
      threads[w] =
          new Thread(
              () -> {
                List<Integer> order = new ArrayList<>();
                for (int u = 0; u < n; u++) {
                  order.add(u);
                }
                Collections.shuffle(order, new Random(id));
                for (int u : order) {
                  got[id][u] = users.getOrCreate("u" + u, 1);
                }
              });
      threads[w].start();
    }
    for (Thread t : threads) {
      t.join();
    }
    assertThat(users.size()).isEqualTo(n);
    for (int u = 0; u < n; u++) {
      UserEvents held = users.get("u" + u, 1);
      assertThat(held).as("u%d", u).isNotNull();
      for (UserEvents[] g : got) {
        assertThat(g[u]).as("u%d", u).isSameAs(held);
      }
    }
  }

  @Test
  void aReaderNeverMissesAUserAddedBeforeItsLookUpWhileTheTableGrows() throws Exception {
    int n = 100_000;
    UserTable users = new UserTable(1_000_000, 1_000_000);
    AtomicInteger added = new AtomicInteger();
    AtomicLong misses = new AtomicLong();
    AtomicLong reads = new AtomicLong();
    Thread[] readers = new Thread[2];
    for (int r = 0; r < readers.length; r++) {
      long seed = r;
      readers[r] =
          new Thread(
              () -> {
                Random rnd = new Random(seed);
                while (added.get() < n) {
                  int upTo = added.get();
                  if (upTo == 0) {
                    continue;
                  }
                  if (users.get("u" + rnd.nextInt(upTo), 1) == null) {
                    misses.incrementAndGet();
                  }
                  reads.incrementAndGet();
                }
              });
      readers[r].start();
    }
    for (int u = 0; u < n; u++) {
      users.getOrCreate("u" + u, 1);
      added.set(u + 1);
    }
    for (Thread t : readers) {
      t.join();
    }
    assertThat(reads.get()).isPositive();
    assertThat(misses.get()).isZero();
    assertThat(users.size()).isEqualTo(n);
  }

  @Test
  void readersFindHeldUsersAndOnlyTheirOwnBuffersWhileAWriterAddsEvictsAndGrows() throws Exception {
    int bound = 2000;
    UserTable users = new UserTable(bound, Long.MAX_VALUE / 4);
    for (int k = 0; k < 10; k++) {
      users.getOrCreate("pinned-" + k, 0).touch(Long.MAX_VALUE / 8); // never the LRU victim
    }
    AtomicBoolean done = new AtomicBoolean();
    AtomicLong wrong = new AtomicLong();
    AtomicLong found = new AtomicLong();
    AtomicLong peeked = new AtomicLong();
    Thread[] readers = new Thread[2];
    for (int r = 0; r < readers.length; r++) {
      long seed = r;
      readers[r] =
          new Thread(
              () -> {
                Random rnd = new Random(seed);
                String[] ids = new String[3];
                int[] hashes = new int[3];
                UserEvents[] ahead = new UserEvents[3];
                while (!done.get()) {
                  String pinned = "pinned-" + rnd.nextInt(10); // a new String: equals, not ==
                  UserEvents p = users.get(pinned, 1);
                  if (p == null || !pinned.equals(p.user)) {
                    wrong.incrementAndGet();
                  }
                  String churn = "c" + rnd.nextInt(60_000);
                  UserEvents c = users.get(churn, 1);
                  if (c != null) {
                    found.incrementAndGet();
                    if (!churn.equals(c.user)) {
                      wrong.incrementAndGet();
                    }
                  }
                  // The batch look-ahead's look-up: a hint, but never another user's buffer.
                  ids[0] = pinned;
                  ids[1] = churn;
                  ids[2] = null;
                  users.peekAll(ids, hashes, ahead, 3);
                  if (ahead[0] != null && !pinned.equals(ahead[0].user)
                      || ahead[1] != null && !churn.equals(ahead[1].user)
                      || ahead[2] != null) {
                    wrong.incrementAndGet();
                  }
                  peeked.addAndGet(ahead[0] == null ? 0 : 1);
                }
              });
      readers[r].start();
    }
    for (int i = 0; i < 60_000; i++) {
      users.getOrCreate("c" + i, i + 1);
    }
    done.set(true);
    for (Thread t : readers) {
      t.join();
    }

    assertThat(wrong.get()).isZero();
    assertThat(found.get()).isPositive();
    assertThat(peeked.get()).isPositive();
    assertThat(users.size()).isEqualTo(bound);
    Map<String, UserEvents> held = new HashMap<>();
    users.forEachActive(60_001, held::put);
    assertThat(held).hasSize(bound);
    for (int k = 0; k < 10; k++) {
      assertThat(held).containsKey("pinned-" + k);
    }
    assertThat(held).containsKey("c59999"); // the newest user is never the victim
  }
}
