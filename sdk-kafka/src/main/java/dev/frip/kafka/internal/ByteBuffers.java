package dev.frip.kafka.internal;

import java.io.OutputStream;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.Arrays;

/** An unsynchronized, reusable byte sink: one per thread on the serializer's hot path. */
public final class ByteBuffers extends OutputStream {

  private byte[] buf = new byte[512];
  private int count;

  /** Forgets the content, keeping the capacity. */
  public void reset() {
    count = 0;
  }

  @Override
  public void write(int b) {
    ensure(1);
    buf[count++] = (byte) b;
  }

  @Override
  public void write(byte[] b, int off, int len) {
    ensure(len);
    System.arraycopy(b, off, buf, count, len);
    count += len;
  }

  /** Writes a big-endian int. */
  public void writeInt(int v) {
    ensure(4);
    buf[count++] = (byte) (v >>> 24);
    buf[count++] = (byte) (v >>> 16);
    buf[count++] = (byte) (v >>> 8);
    buf[count++] = (byte) v;
  }

  /** Writes an unsigned varint (the zig-zag step is the caller's). */
  public void writeVarLong(long v) {
    if ((v & ~0x7FL) == 0) { // one byte: lengths, union indexes, enums
      ensure(1);
      buf[count++] = (byte) v;
      return;
    }
    ensure(10);
    while ((v & ~0x7FL) != 0) {
      buf[count++] = (byte) ((v & 0x7F) | 0x80);
      v >>>= 7;
    }
    buf[count++] = (byte) v;
  }

  /** Writes a little-endian int (Avro floats and doubles). */
  public void writeIntLittleEndian(int v) {
    ensure(4);
    buf[count++] = (byte) v;
    buf[count++] = (byte) (v >>> 8);
    buf[count++] = (byte) (v >>> 16);
    buf[count++] = (byte) (v >>> 24);
  }

  /**
   * Writes an ASCII string of under 64 chars as Avro does (its one-byte zig-zag length, then the
   * chars) and returns true; returns false, having written nothing the caller must keep, for any
   * other string. Small enough to inline at every string field.
   */
  public boolean writeShortAscii(String s) {
    int n = s.length();
    int c = count;
    byte[] b = buf;
    if (n >= 64 || c + n + 1 > b.length) {
      return false;
    }
    b[c] = (byte) (n << 1);
    for (int i = 0; i < n; i++) {
      char ch = s.charAt(i);
      if (ch >= 0x80) {
        return false;
      }
      b[c + 1 + i] = (byte) ch;
    }
    count = c + 1 + n;
    return true;
  }

  /**
   * Writes the chars of a string one byte each if all are ASCII and returns true; on the first
   * non-ASCII char returns false, having written some bytes the caller must {@link #rewind}.
   */
  public boolean writeAscii(String s) {
    int n = s.length();
    ensure(n);
    byte[] b = buf;
    int c = count;
    for (int i = 0; i < n; i++) {
      char ch = s.charAt(i);
      if (ch >= 0x80) {
        return false;
      }
      b[c + i] = (byte) ch;
    }
    count = c + n;
    return true;
  }

  private static final VarHandle LONG_BE =
      MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.BIG_ENDIAN);
  private static final VarHandle INT_BE =
      MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.BIG_ENDIAN);

  /** Writes a UUID's 36 chars as {@link java.util.UUID#toString()} spells them, in ASCII. */
  public void writeUuidAscii(long msb, long lsb) {
    ensure(36);
    byte[] b = buf;
    int c = count;
    LONG_BE.set(b, c, hex8((int) (msb >>> 32)));
    b[c + 8] = '-';
    INT_BE.set(b, c + 9, (int) hex8((int) msb >>> 16));
    b[c + 13] = '-';
    INT_BE.set(b, c + 14, (int) hex8((int) msb & 0xffff));
    b[c + 18] = '-';
    INT_BE.set(b, c + 19, (int) hex8((int) (lsb >>> 48)));
    b[c + 23] = '-';
    INT_BE.set(b, c + 24, (int) hex8((int) (lsb >>> 32) & 0xffff));
    LONG_BE.set(b, c + 28, hex8((int) lsb));
    count = c + 36;
  }

  /**
   * The 8 lower-case hex digits of {@code v}, most significant first, as the 8 bytes of a long from
   * its most significant byte: each nibble is spread to a byte, then turned into ASCII without a
   * branch or a table (for the low 4 digits of a 16-bit value, take the low int).
   */
  static long hex8(int v) {
    long x = v & 0xffffffffL;
    x = (x | (x << 16)) & 0x0000ffff0000ffffL;
    x = (x | (x << 8)) & 0x00ff00ff00ff00ffL;
    x = (x | (x << 4)) & 0x0f0f0f0f0f0f0f0fL;
    // Bytes 10..15 get 0x01 from (n + 6) >> 4; they need 'a' - '0' - 10 = 39 more.
    long letters = ((x + 0x0606060606060606L) >>> 4) & 0x0101010101010101L;
    return x + 0x3030303030303030L + letters * 39;
  }

  /** Bytes written since the last reset. */
  public int size() {
    return count;
  }

  /** Drops everything written after {@code size} bytes (a value from {@link #size()}). */
  public void rewind(int size) {
    count = size;
  }

  /** A copy of the content. */
  public byte[] toByteArray() {
    return Arrays.copyOf(buf, count);
  }

  private void ensure(int extra) {
    if (count + extra > buf.length) {
      buf = Arrays.copyOf(buf, Math.max(buf.length * 2, count + extra));
    }
  }
}
