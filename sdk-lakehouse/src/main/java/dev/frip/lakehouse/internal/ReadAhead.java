package dev.frip.lakehouse.internal;

import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.IntFunction;

/**
 * The values {@code make(from) .. make(to - 1)}, in that order, made on a thread of their own in
 * chunks ahead of the one consumer: for a sequential loop whose input is costly to make (events
 * built from columns), so that making and consuming use two cores. A value that fails to be made
 * fails the consumer at its position with the same exception; the values before it are delivered.
 *
 * <p>Iterable once. {@link #close} stops the maker thread when the consumer stops early.
 */
public final class ReadAhead<T> implements Iterable<T>, AutoCloseable {

  /** Values per hand-over between the threads. */
  static final int CHUNK = 4096;

  /** Chunks made ahead at most. */
  private static final int DEPTH = 4;

  private final int from;
  private final int to;
  private final IntFunction<? extends T> make;
  private final String name;
  private final BlockingQueue<Chunk> queue = new ArrayBlockingQueue<>(DEPTH);
  private volatile boolean closed;
  private Thread maker;

  /** The values of {@code [from, to)}, made by {@code make} on a thread named {@code name}. */
  public ReadAhead(int from, int to, IntFunction<? extends T> make, String name) {
    if (to < from) {
      throw new IllegalArgumentException("range [" + from + ", " + to + ") is empty backwards");
    }
    this.from = from;
    this.to = to;
    this.make = Objects.requireNonNull(make, "make");
    this.name = Objects.requireNonNull(name, "name");
  }

  /** A chunk of made values, and, in the last chunk only, the failure that ended it (or null). */
  private record Chunk(Object[] values, int size, Throwable failure) {}

  /**
   * Starts making the values and returns the one iterator over them.
   *
   * @throws IllegalStateException when called a second time, or after {@link #close}
   */
  @Override
  public synchronized Iterator<T> iterator() {
    if (maker != null || closed) {
      throw new IllegalStateException("a read-ahead is iterated once");
    }
    maker = new Thread(this::makeAll, name);
    maker.setDaemon(true);
    maker.start();
    return new Consumer();
  }

  /** Stops the maker thread (if any); values not taken yet are dropped. */
  @Override
  public synchronized void close() {
    closed = true;
    if (maker != null) {
      maker.interrupt();
    }
  }

  private void makeAll() {
    try {
      for (int i = from; i < to; ) {
        int n = Math.min(CHUNK, to - i);
        Object[] values = new Object[n];
        int made = 0;
        Throwable failure = null;
        try {
          for (; made < n; made++) {
            values[made] = make.apply(i + made);
          }
        } catch (RuntimeException | Error e) {
          failure = e;
        }
        if (!hand(new Chunk(values, made, failure)) || failure != null) {
          return;
        }
        i += n;
      }
      hand(new Chunk(new Object[0], 0, null));
    } catch (InterruptedException e) {
      // closed: the consumer is gone
    }
  }

  /** Queues a chunk unless closed first; false when closed. */
  private boolean hand(Chunk c) throws InterruptedException {
    while (!closed) {
      if (queue.offer(c, 100, TimeUnit.MILLISECONDS)) {
        return true;
      }
    }
    return false;
  }

  private final class Consumer implements Iterator<T> {
    private Chunk chunk = new Chunk(new Object[0], 0, null);
    private int at;
    private boolean ended;

    @Override
    public boolean hasNext() {
      while (at == chunk.size()) {
        if (chunk.failure() != null) {
          Throwable f = chunk.failure();
          if (f instanceof RuntimeException r) {
            throw r;
          }
          throw (Error) f;
        }
        if (ended) {
          return false;
        }
        chunk = take();
        at = 0;
        ended = chunk.size() == 0 && chunk.failure() == null;
      }
      return true;
    }

    @Override
    @SuppressWarnings("unchecked")
    public T next() {
      if (!hasNext()) {
        throw new NoSuchElementException();
      }
      return (T) chunk.values()[at++];
    }

    private Chunk take() {
      try {
        return queue.take();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while waiting for " + name, e);
      }
    }
  }
}
