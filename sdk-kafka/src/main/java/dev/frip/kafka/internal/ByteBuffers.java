package dev.frip.kafka.internal;

import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
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

  private static final byte[] HEX = "0123456789abcdef".getBytes(StandardCharsets.US_ASCII);

  /** Writes a UUID's 36 chars as {@link java.util.UUID#toString()} spells them, in ASCII. */
  public void writeUuidAscii(long msb, long lsb) {
    ensure(36);
    byte[] b = buf;
    int c = count;
    hex(b, c, msb >>> 32, 8);
    b[c + 8] = '-';
    hex(b, c + 9, msb >>> 16, 4);
    b[c + 13] = '-';
    hex(b, c + 14, msb, 4);
    b[c + 18] = '-';
    hex(b, c + 19, lsb >>> 48, 4);
    b[c + 23] = '-';
    hex(b, c + 24, lsb, 12);
    count = c + 36;
  }

  private static void hex(byte[] b, int off, long v, int digits) {
    for (int i = off + digits - 1; i >= off; i--) {
      b[i] = HEX[(int) v & 0xf];
      v >>>= 4;
    }
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
