package dev.frip.kafka.internal;

import java.io.OutputStream;
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

  /** Writes the chars of a string known to be ASCII, one byte each. */
  public void writeAscii(String s) {
    int n = s.length();
    ensure(n);
    for (int i = 0; i < n; i++) {
      buf[count++] = (byte) s.charAt(i);
    }
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
