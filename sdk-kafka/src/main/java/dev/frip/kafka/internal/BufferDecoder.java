package dev.frip.kafka.internal;

import java.io.EOFException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.UUID;
import org.apache.avro.AvroRuntimeException;
import org.apache.avro.util.Utf8;

/**
 * Avro binary decoding straight from the record's byte array, for {@link FastAvroCodec}: strings
 * are built from the array in place, every read is bounds-checked against the record's end.
 */
public final class BufferDecoder {

  private byte[] buf;
  private int pos;
  private int limit;

  /** Points the decoder at {@code len} bytes of {@code data} from {@code off}. Returns this. */
  public BufferDecoder reset(byte[] data, int off, int len) {
    this.buf = data;
    this.pos = off;
    this.limit = off + len;
    return this;
  }

  /** Bytes left in the record. */
  public int remaining() {
    return limit - pos;
  }

  private void need(int n) throws EOFException {
    if (n < 0 || limit - pos < n) {
      throw new EOFException(
          "record ends " + (limit - pos) + " bytes after here, " + n + " needed");
    }
  }

  /** Reads nothing: null has no bytes. */
  public void readNull() {
    // Null takes no bytes.
  }

  /** Reads a boolean byte. */
  public boolean readBoolean() throws EOFException {
    need(1);
    return buf[pos++] != 0;
  }

  /** Reads a zig-zag varint int. */
  public int readInt() throws EOFException {
    int p = pos;
    if (p < limit && buf[p] >= 0) { // one byte: union indexes, enums, short lengths
      int b = buf[p];
      pos = p + 1;
      return (b >>> 1) ^ -(b & 1);
    }
    long v = readVarLong(5);
    int n = (int) v;
    return (n >>> 1) ^ -(n & 1);
  }

  /** Reads a zig-zag varint long. */
  public long readLong() throws EOFException {
    int p = pos;
    if (p < limit && buf[p] >= 0) {
      int b = buf[p];
      pos = p + 1;
      return (b >>> 1) ^ -(b & 1);
    }
    long v = readVarLong(10);
    return (v >>> 1) ^ -(v & 1);
  }

  private long readVarLong(int maxBytes) throws EOFException {
    long v = 0;
    for (int shift = 0, i = 0; i < maxBytes; i++, shift += 7) {
      need(1);
      byte b = buf[pos++];
      v |= (long) (b & 0x7F) << shift;
      if (b >= 0) {
        return v;
      }
    }
    throw new AvroRuntimeException("Invalid varint: more than " + maxBytes + " bytes");
  }

  /** Reads a little-endian float. */
  public float readFloat() throws EOFException {
    return Float.intBitsToFloat(readIntLittleEndian());
  }

  /** Reads a little-endian double. */
  public double readDouble() throws EOFException {
    long low = readIntLittleEndian() & 0xffffffffL;
    long high = readIntLittleEndian() & 0xffffffffL;
    return Double.longBitsToDouble((high << 32) | low);
  }

  private int readIntLittleEndian() throws EOFException {
    need(4);
    int v =
        (buf[pos] & 0xff)
            | (buf[pos + 1] & 0xff) << 8
            | (buf[pos + 2] & 0xff) << 16
            | (buf[pos + 3] & 0xff) << 24;
    pos += 4;
    return v;
  }

  private int readLength() throws EOFException {
    long n = readLong();
    if (n < 0 || n > Integer.MAX_VALUE) {
      throw new AvroRuntimeException("Malformed data. Length is " + n);
    }
    need((int) n);
    return (int) n;
  }

  /** Reads a string as a Java String. */
  public String readString() throws EOFException {
    int n = readLength();
    String s = new String(buf, pos, n, StandardCharsets.UTF_8);
    pos += n;
    return s;
  }

  /** Reads a string as a Java String, reusing the cache's string when the bytes repeat. */
  public String readString(StringCache cache) throws EOFException {
    byte[] b = buf;
    int p = pos;
    // Kept small so it inlines at every string field: a length under 64 is one even byte.
    if (p < limit) {
      int z = b[p];
      if ((z & 0x81) == 0 && limit - p - 1 >= (z >> 1)) {
        pos = p + 1 + (z >> 1);
        return cache.get(b, p + 1, z >> 1);
      }
    }
    return readLongString(cache);
  }

  private String readLongString(StringCache cache) throws EOFException {
    int n = readLength();
    String s = cache.get(buf, pos, n);
    pos += n;
    return s;
  }

  /**
   * Reads a uuid-typed string as {@link UUID#fromString} would parse it: the canonical 36-char form
   * (either case) is parsed in place; anything else goes through {@code UUID.fromString}, so it is
   * accepted or rejected exactly as before.
   */
  public UUID readUuid() throws EOFException {
    int n = readLength();
    int p = pos;
    if (n == 36) {
      byte[] b = buf;
      if (b[p + 8] == '-' && b[p + 13] == '-' && b[p + 18] == '-' && b[p + 23] == '-') {
        long m1 = hex(b, p, 8);
        long m2 = hex(b, p + 9, 4);
        long m3 = hex(b, p + 14, 4);
        long l1 = hex(b, p + 19, 4);
        long l2 = hex(b, p + 24, 12);
        if ((m1 | m2 | m3 | l1 | l2) >= 0) {
          pos = p + 36;
          return new UUID((m1 << 32) | (m2 << 16) | m3, (l1 << 48) | l2);
        }
      }
    }
    String s = new String(buf, p, n, StandardCharsets.UTF_8);
    pos = p + n;
    return UUID.fromString(s);
  }

  /**
   * The value of {@code digits} hex digits (at most 15), or a negative number if any is not a hex
   * digit: a -1 digit sets every bit, and the at most 14 shifts after it keep the sign bit set.
   */
  private static long hex(byte[] b, int off, int digits) {
    long v = 0;
    for (int i = off, end = off + digits; i < end; i++) {
      v = (v << 4) | HEX_VALUES[b[i] & 0xff];
    }
    return v;
  }

  private static final byte[] HEX_VALUES = new byte[256];

  static {
    java.util.Arrays.fill(HEX_VALUES, (byte) -1);
    for (int i = 0; i < 10; i++) {
      HEX_VALUES['0' + i] = (byte) i;
    }
    for (int i = 0; i < 6; i++) {
      HEX_VALUES['a' + i] = (byte) (10 + i);
      HEX_VALUES['A' + i] = (byte) (10 + i);
    }
  }

  /** Reads a string as Avro's Utf8. */
  public Utf8 readUtf8() throws EOFException {
    int n = readLength();
    byte[] copy = new byte[n];
    System.arraycopy(buf, pos, copy, 0, n);
    pos += n;
    return new Utf8(copy);
  }

  /** Reads bytes into a new buffer. */
  public ByteBuffer readBytes() throws EOFException {
    int n = readLength();
    byte[] copy = new byte[n];
    System.arraycopy(buf, pos, copy, 0, n);
    pos += n;
    return ByteBuffer.wrap(copy);
  }

  /**
   * Reads the branch index of a two-branch union with a null branch: true for the null branch
   * (which has no bytes), false for the value branch, which follows.
   *
   * @throws AvroRuntimeException for an index outside the union
   */
  public boolean readUnionIsNull(int nullBranch) throws EOFException {
    int branch = readInt();
    if (branch == nullBranch) {
      return true;
    }
    if (branch != 1 - nullBranch) {
      throw new AvroRuntimeException("Malformed data. Union index " + branch + " of 2 branches");
    }
    return false;
  }

  /** Skips a string or bytes value: its length, checked against the bytes left, and its bytes. */
  public void skipLengthPrefixed() throws EOFException {
    int n = readLength(); // moves pos past the length first
    pos += n;
  }

  /** Skips {@code n} bytes (a fixed value), checked against the bytes left. */
  public void skipFixed(int n) throws EOFException {
    need(n);
    pos += n;
  }

  /** Reads an enum ordinal. */
  public int readEnum() throws EOFException {
    return readInt();
  }

  /** Reads a union branch index. */
  public int readIndex() throws EOFException {
    return readInt();
  }

  /** Reads the first block count of an array (0 ends it). */
  public long readArrayStart() throws EOFException {
    return readBlockCount();
  }

  /** Reads the next block count of an array (0 ends it). */
  public long arrayNext() throws EOFException {
    return readBlockCount();
  }

  private long readBlockCount() throws EOFException {
    long n = readLong();
    if (n < 0) {
      readLong(); // a negative count is followed by the block's size in bytes
      n = -n;
    }
    return n;
  }
}
