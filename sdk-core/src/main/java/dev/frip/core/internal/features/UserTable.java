package dev.frip.core.internal.features;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BiConsumer;

/**
 * The online store's users: a hash table whose entries are the {@link UserEvents} themselves,
 * bounded in size and in idle time, with nothing on the hot path but the look-up and an idle check.
 *
 * <p><b>Why not a {@code ConcurrentHashMap}.</b> A look-up of a user not in the CPU cache is a
 * chain of dependent misses: table slot, map node, buffer object, rows. Chaining the buffers
 * themselves ({@link UserEvents#next}) drops the node from that chain, and its 32 bytes per user.
 *
 * <p><b>Concurrency.</b> Look-ups take no lock: a slot is read with acquire semantics, and an entry
 * is published complete by the release that stores it. Every structural change (add, remove,
 * resize, the sweeps) holds one lock; adding users is rare next to looking them up. A resize
 * relinks the entries of each old chain into two new chains in the same relative order, so a reader
 * that walks a chain while it is relinked still only moves forward and stops; it may miss its user,
 * which it notices from the resize counter ({@link #resizes}, odd during a resize) and retries.
 * Removal unlinks an entry without clearing its link, so a reader standing on it walks on.
 *
 * <p><b>Bounds.</b> A user's activity time is the clock when an event of theirs was last folded
 * ({@link UserEvents#touch}); reads do not count. Idle expiry is exact as seen from outside: a user
 * idle for longer than the limit is absent to {@link #get} and replaced by an empty buffer in
 * {@link #getOrCreate}; its memory is reclaimed by a sweep that visits a few entries on each new
 * user, and all of them in {@link #cleanUp}. The size bound is enforced when a user is added: while
 * the table is over it, the least recently active of eight entries sampled at random (an
 * approximate LRU, as in Redis) is evicted, stopping early at an idle one. As with any bounded
 * cache, an event racing with the eviction of its user can fold into the evicted buffer and be
 * lost; the bounds are meant to drop users who have gone quiet.
 */
final class UserTable {

  private static final int SAMPLE = 8;
  private static final int SWEEP_PER_INSERT = 4;
  private static final VarHandle SLOTS = MethodHandles.arrayElementVarHandle(UserEvents[].class);

  private final long maximumUsers;
  private final long idleMs;
  private final ReentrantLock lock = new ReentrantLock(); // every structural change
  private volatile UserEvents[] table = new UserEvents[16];
  private volatile int resizes; // odd while a resize relinks the chains
  private volatile long count; // written under the lock
  private int cursorSlot = -1; // the sweeps' circular walk, under the lock
  private UserEvents cursor; // an entry in the table, or null to go on at the next slot
  private long sampler = 0x9E37_79B9_7F4A_7C15L; // xorshift state of the eviction sample

  UserTable(long maximumUsers, long idleMs) {
    this.maximumUsers = maximumUsers;
    this.idleMs = idleMs;
  }

  private static int spread(String user) {
    int h = user.hashCode();
    return h ^ (h >>> 16);
  }

  /** The user's buffer, or {@code null} when absent or idle for longer than the limit. */
  UserEvents get(String user, long now) {
    UserEvents e = find(user, spread(user));
    return e == null || idle(e, now) ? null : e;
  }

  /**
   * Looks up the entries of {@code users[0, n)} into {@code out} (or {@code null}), idle or not,
   * without a lock and without the resize check: a hint for warming the cache ahead of a batch,
   * whose own look-ups decide. Each stage goes over all the users before the next starts, so the
   * cache misses of one stage (user id, table slot, entry) are independent and overlap, instead of
   * forming one user's chain after another's. The entries are loaded in a stage of their own,
   * before any is compared: a comparison that waits for its entry holds instructions (with a fresh
   * id string, a loop over its characters) that fill the processor's reorder window, and fewer
   * users' misses would then be in flight together. Returns a value the caller consumes.
   */
  long peekAll(String[] users, int[] hashes, UserEvents[] out, int n) {
    for (int i = 0; i < n; i++) {
      hashes[i] = users[i] == null ? 0 : spread(users[i]);
    }
    UserEvents[] tab = table;
    int mask = tab.length - 1;
    for (int i = 0; i < n; i++) {
      out[i] = users[i] == null ? null : tab[hashes[i] & mask];
    }
    long x = 0;
    for (int i = 0; i < n; i++) {
      UserEvents e = out[i];
      x += e == null ? 0 : e.userHash;
    }
    for (int i = 0; i < n; i++) {
      String user = users[i];
      UserEvents e = out[i];
      while (e != null && !UserKey.matches(e, user, hashes[i])) {
        e = e.next;
      }
      out[i] = e;
    }
    return x;
  }

  /** The entry of {@code user}, without a lock; see the class comment. */
  private UserEvents find(String user, int h) {
    while (true) {
      int seen = resizes;
      if ((seen & 1) == 0) {
        UserEvents[] tab = table;
        UserEvents e = (UserEvents) SLOTS.getAcquire(tab, h & (tab.length - 1));
        for (; e != null; e = e.next) {
          if (UserKey.matches(e, user, h)) {
            return e;
          }
        }
        if (resizes == seen) {
          return null;
        }
      } else {
        lock.lock(); // waits for the resize to finish
        lock.unlock();
      }
    }
  }

  /**
   * The user's buffer, created (and the bounds enforced) when absent or idle; {@code null} for a
   * blank user id, which is never added (so a held user needs no such test). The caller folds into
   * it and then calls {@link UserEvents#touch}; a fresh buffer is touched already.
   */
  UserEvents getOrCreate(String user, long now) {
    int h = spread(user);
    UserEvents e = find(user, h);
    if (e != null && !idle(e, now)) {
      return e;
    }
    if (user.isBlank()) {
      return null;
    }
    lock.lock();
    try {
      e = find(user, h); // another thread may have added it meanwhile
      if (e != null && !idle(e, now)) {
        return e;
      }
      if (e != null) {
        unlink(e); // idle: replaced by an empty buffer
      }
      UserEvents fresh = new UserEvents();
      fresh.touch(now);
      link(user, h, fresh);
      afterInsert(now, fresh);
      return fresh;
    } finally {
      lock.unlock();
    }
  }

  /** Adds or replaces a user (restore) as active at {@code now}, then enforces the bounds. */
  void put(String user, UserEvents events, long now) {
    int h = spread(user);
    events.touch(now);
    lock.lock();
    try {
      UserEvents old = find(user, h);
      if (old != null) {
        unlink(old);
      }
      link(user, h, events);
      afterInsert(now, events);
    } finally {
      lock.unlock();
    }
  }

  /** Users held, idle ones included until swept. */
  long size() {
    return count;
  }

  /** Removes every idle user; afterwards {@link #size} counts active users only. */
  void cleanUp(long now) {
    lock.lock();
    try {
      for (UserEvents e : entries()) {
        if (idle(e, now)) {
          unlink(e);
        }
      }
    } finally {
      lock.unlock();
    }
  }

  /**
   * Calls {@code action} for every user not idle at {@code now}, on the users held when it starts
   * (collected under the lock, visited outside it, so that adding users goes on meanwhile).
   */
  void forEachActive(long now, BiConsumer<String, UserEvents> action) {
    List<UserEvents> held;
    lock.lock();
    try {
      held = entries();
    } finally {
      lock.unlock();
    }
    for (UserEvents e : held) {
      if (!idle(e, now)) {
        action.accept(e.user, e);
      }
    }
  }

  private boolean idle(UserEvents e, long now) {
    return now - e.lastActive() > idleMs;
  }

  /** Every entry; under the lock. */
  private List<UserEvents> entries() {
    List<UserEvents> all = new ArrayList<>((int) Math.min(count, Integer.MAX_VALUE - 8));
    for (UserEvents head : table) {
      for (UserEvents e = head; e != null; e = e.next) {
        all.add(e);
      }
    }
    return all;
  }

  /** Adds an entry at the head of its chain, published by a release store; under the lock. */
  private void link(String user, int h, UserEvents e) {
    e.user = user;
    e.userHash = h;
    UserKey.store(e, user);
    UserEvents[] tab = table;
    int i = h & (tab.length - 1);
    e.next = tab[i];
    SLOTS.setRelease(tab, i, e);
    count = count + 1;
    if (count > tab.length - (tab.length >>> 2)) {
      resize();
    }
  }

  /** Removes an entry, leaving its own link for readers on it; under the lock. */
  private void unlink(UserEvents e) {
    UserEvents[] tab = table;
    int i = e.userHash & (tab.length - 1);
    UserEvents prev = null;
    for (UserEvents x = tab[i]; x != null; prev = x, x = x.next) {
      if (x == e) {
        if (prev == null) {
          SLOTS.setRelease(tab, i, e.next);
        } else {
          prev.next = e.next;
        }
        count = count - 1;
        if (cursor == e) {
          cursor = null;
        }
        return;
      }
    }
  }

  /**
   * Doubles the table; each old chain splits into two, in order (class comment); under the lock.
   */
  private void resize() {
    UserEvents[] old = table;
    int n = old.length;
    UserEvents[] tab = new UserEvents[2 * n];
    resizes = resizes + 1; // odd: readers that miss will retry
    for (int i = 0; i < n; i++) {
      UserEvents loHead = null;
      UserEvents loTail = null;
      UserEvents hiHead = null;
      UserEvents hiTail = null;
      for (UserEvents e = old[i]; e != null; e = e.next) {
        if ((e.userHash & n) == 0) {
          if (loTail == null) {
            loHead = e;
          } else {
            loTail.next = e;
          }
          loTail = e;
        } else {
          if (hiTail == null) {
            hiHead = e;
          } else {
            hiTail.next = e;
          }
          hiTail = e;
        }
      }
      if (loTail != null) {
        loTail.next = null;
      }
      if (hiTail != null) {
        hiTail.next = null;
      }
      tab[i] = loHead;
      tab[i + n] = hiHead;
    }
    table = tab;
    resizes = resizes + 1;
    cursor = null;
  }

  /** Sweeps a few entries and evicts while over the bound, never the user just added. */
  private void afterInsert(long now, UserEvents added) {
    for (int k = 0; k < SWEEP_PER_INSERT; k++) {
      UserEvents e = next();
      if (e != null && e != added && idle(e, now)) {
        unlink(e);
      }
    }
    while (count > maximumUsers && evictOne(now, added)) {
      // until within the bound
    }
  }

  /**
   * Evicts the least recently active of a random sample, or of all users when there are no more
   * than the sample's size; never {@code added}. Returns whether a user was evicted.
   */
  private boolean evictOne(long now, UserEvents added) {
    boolean all = count <= SAMPLE;
    List<UserEvents> everyone = all ? entries() : List.of();
    UserEvents victim = null;
    for (int k = 0; k < (all ? everyone.size() : SAMPLE); k++) {
      UserEvents e = all ? everyone.get(k) : randomEntry();
      if (e == added) {
        continue;
      }
      if (victim == null || e.lastActive() < victim.lastActive()) {
        victim = e;
      }
      if (idle(e, now)) {
        break;
      }
    }
    if (victim == null) {
      return false;
    }
    unlink(victim);
    return true;
  }

  /**
   * An entry at a random slot and a random place in its chain; the table must not be empty. Random,
   * not the sweep's walk: ids that differ in their last character have consecutive hashes, so
   * consecutive slots often hold users that were active together.
   */
  private UserEvents randomEntry() {
    UserEvents[] tab = table;
    while (true) {
      sampler ^= sampler << 13;
      sampler ^= sampler >>> 7;
      sampler ^= sampler << 17;
      UserEvents e = tab[(int) sampler & (tab.length - 1)];
      if (e != null) {
        int length = 0;
        for (UserEvents x = e; x != null; x = x.next) {
          length++;
        }
        for (int skip = (int) ((sampler >>> 33) % length); skip > 0; skip--) {
          e = e.next;
        }
        return e;
      }
    }
  }

  /** The next entry of a circular walk over the table, or {@code null} when it is empty. */
  private UserEvents next() {
    if (count == 0) {
      return null;
    }
    UserEvents[] tab = table;
    UserEvents e = cursor == null ? null : cursor.next;
    while (e == null) {
      cursorSlot = (cursorSlot + 1) & (tab.length - 1);
      e = tab[cursorSlot];
    }
    cursor = e;
    return e;
  }
}
