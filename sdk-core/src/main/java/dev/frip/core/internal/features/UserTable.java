package dev.frip.core.internal.features;

import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BiConsumer;

/**
 * The online store's users: a {@link ConcurrentHashMap} of {@link UserEvents}, bounded in size and
 * in idle time, with nothing on the hot path but the map look-up and an idle check.
 *
 * <p>A user's activity time is the clock when an event of theirs was last folded ({@link
 * UserEvents#touch}); reads do not count. Idle expiry is exact as seen from outside: a user idle
 * for longer than the limit is absent to {@link #get} and replaced by an empty buffer in {@link
 * #getOrCreate}; its memory is reclaimed by a sweep that visits a few entries on each new user, and
 * all of them in {@link #cleanUp}. The size bound is enforced when a user is added: while the map
 * is over it, the least recently active of a sample of eight entries (an approximate LRU, as in
 * Redis) is evicted, stopping early at an idle one.
 *
 * <p>As with any bounded cache, an event racing with the eviction of its user can fold into the
 * evicted buffer and be lost; the bounds are meant to drop users who have gone quiet.
 *
 * <p>Replaces a Caffeine cache whose per-access bookkeeping (read buffer, frequency sketch, moving
 * the node within its LRU deque, which touches two more nodes) held 38% of the JFR samples of an
 * update + read of users not in the CPU cache (see {@code benchmarks/RESULTS.md}).
 */
final class UserTable {

  private static final int SAMPLE = 8;
  private static final int SWEEP_PER_INSERT = 4;

  private final ConcurrentHashMap<String, UserEvents> map = new ConcurrentHashMap<>();
  private final long maximumUsers;
  private final long idleMs;
  private final ReentrantLock sweepLock = new ReentrantLock();
  private Iterator<Map.Entry<String, UserEvents>> cursor; // guarded by sweepLock

  UserTable(long maximumUsers, long idleMs) {
    this.maximumUsers = maximumUsers;
    this.idleMs = idleMs;
  }

  /** The user's buffer, or {@code null} when absent or idle for longer than the limit. */
  UserEvents get(String user, long now) {
    UserEvents e = map.get(user);
    return e == null || idle(e, now) ? null : e;
  }

  /**
   * The user's buffer, created (and the bounds enforced) when absent or idle; {@code null} for a
   * blank user id, which is never added (so a held user needs no such test). The caller folds into
   * it and then calls {@link UserEvents#touch}; a fresh buffer is touched already.
   */
  UserEvents getOrCreate(String user, long now) {
    UserEvents e = map.get(user);
    if (e != null && !idle(e, now)) {
      return e;
    }
    if (user.isBlank()) {
      return null;
    }
    UserEvents fresh = new UserEvents();
    fresh.touch(now);
    if (e == null) {
      e = map.putIfAbsent(user, fresh);
      if (e == null) {
        afterInsert(now, fresh);
        return fresh;
      }
      return getOrCreate(user, now); // another thread added it first: it may be idle too
    }
    return map.replace(user, e, fresh) ? fresh : getOrCreate(user, now);
  }

  /** Adds or replaces a user (restore) as active at {@code now}, then enforces the bounds. */
  void put(String user, UserEvents events, long now) {
    events.touch(now);
    map.put(user, events);
    afterInsert(now, events);
  }

  /** Users held, idle ones included until swept. */
  long size() {
    return map.mappingCount();
  }

  /** Removes every idle user; afterwards {@link #size} counts active users only. */
  void cleanUp(long now) {
    map.values().removeIf(e -> idle(e, now));
  }

  /** Calls {@code action} for every user not idle at {@code now}; weakly consistent. */
  void forEachActive(long now, BiConsumer<String, UserEvents> action) {
    map.forEach(
        (user, events) -> {
          if (!idle(events, now)) {
            action.accept(user, events);
          }
        });
  }

  private boolean idle(UserEvents e, long now) {
    return now - e.lastActive() > idleMs;
  }

  /** Sweeps a few entries and evicts while over the bound, never the user just added. */
  private void afterInsert(long now, UserEvents added) {
    if (map.mappingCount() > maximumUsers) {
      sweepLock.lock();
    } else if (!sweepLock.tryLock()) {
      return; // another thread is sweeping
    }
    try {
      for (int k = 0; k < SWEEP_PER_INSERT; k++) {
        Map.Entry<String, UserEvents> entry = next();
        if (entry != null && idle(entry.getValue(), now)) {
          map.remove(entry.getKey(), entry.getValue());
        }
      }
      while (map.mappingCount() > maximumUsers) {
        evictOne(now, added);
      }
    } finally {
      sweepLock.unlock();
    }
  }

  private void evictOne(long now, UserEvents added) {
    Map.Entry<String, UserEvents> victim = null;
    for (int k = 0; k < SAMPLE; k++) {
      Map.Entry<String, UserEvents> entry = next();
      if (entry == null) {
        break;
      }
      if (entry.getValue() == added) {
        continue;
      }
      if (victim == null || entry.getValue().lastActive() < victim.getValue().lastActive()) {
        victim = entry;
      }
      if (idle(entry.getValue(), now)) {
        break;
      }
    }
    if (victim != null) {
      map.remove(victim.getKey(), victim.getValue());
    }
  }

  /** The next entry of a circular walk over the map, or {@code null} when it is empty. */
  private Map.Entry<String, UserEvents> next() {
    if (cursor == null || !cursor.hasNext()) {
      cursor = map.entrySet().iterator();
      if (!cursor.hasNext()) {
        return null;
      }
    }
    return cursor.next();
  }
}
