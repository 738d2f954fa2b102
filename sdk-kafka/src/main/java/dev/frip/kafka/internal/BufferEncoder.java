package dev.frip.kafka.internal;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.UUID;
import org.apache.avro.io.Encoder;
import org.apache.avro.util.Utf8;

/**
 * Avro binary encoding straight into a {@link ByteBuffers}: the same bytes as Avro's binary
 * encoders, without a stream in between and without allocating for ASCII strings.
 */
public final class BufferEncoder extends Encoder {

  /** The zig-zag varint of 36, the length of a UUID string: one byte. */
  private static final int UUID_LENGTH_BYTE = 36 << 1;

  private final ByteBuffers out;

  /** Encodes into this buffer. */
  public BufferEncoder(ByteBuffers out) {
    this.out = out;
  }

  @Override
  public void writeNull() {
    // Null takes no bytes.
  }

  @Override
  public void writeBoolean(boolean b) {
    out.write(b ? 1 : 0);
  }

  @Override
  public void writeInt(int n) {
    out.writeVarLong(((n << 1) ^ (n >> 31)) & 0xffffffffL);
  }

  @Override
  public void writeLong(long n) {
    out.writeVarLong((n << 1) ^ (n >> 63));
  }

  @Override
  public void writeFloat(float f) {
    out.writeIntLittleEndian(Float.floatToRawIntBits(f));
  }

  @Override
  public void writeDouble(double d) {
    long bits = Double.doubleToRawLongBits(d);
    out.writeIntLittleEndian((int) bits);
    out.writeIntLittleEndian((int) (bits >>> 32));
  }

  @Override
  public void writeString(Utf8 utf8) {
    writeBytes(utf8.getBytes(), 0, utf8.getByteLength());
  }

  @Override
  public void writeString(String s) {
    if (!out.writeShortAscii(s)) {
      writeOtherString(s);
    }
  }

  /** A string of 64 chars or more, or not ASCII, or at the end of the buffer's capacity. */
  private void writeOtherString(String s) {
    int mark = out.size();
    writeLong(s.length());
    // One pass: copy the chars as bytes while checking they are ASCII; else rewind and encode.
    if (!out.writeAscii(s)) {
      out.rewind(mark);
      byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
      writeBytes(bytes, 0, bytes.length);
    }
  }

  /**
   * Writes a UUID as Avro writes the uuid logical type: the string of {@link UUID#toString()} (36
   * lower-case hex digits and dashes), without building that string.
   */
  public void writeUuid(UUID u) {
    out.write(UUID_LENGTH_BYTE);
    out.writeUuidAscii(u.getMostSignificantBits(), u.getLeastSignificantBits());
  }

  @Override
  public void writeString(CharSequence s) {
    if (s instanceof Utf8 u) {
      writeString(u);
    } else {
      writeString(s.toString());
    }
  }

  @Override
  public void writeBytes(ByteBuffer bytes) {
    int len = bytes.remaining();
    if (bytes.hasArray()) {
      writeBytes(bytes.array(), bytes.arrayOffset() + bytes.position(), len);
    } else {
      byte[] b = new byte[len];
      bytes.duplicate().get(b, 0, len);
      writeBytes(b, 0, len);
    }
  }

  @Override
  public void writeBytes(byte[] bytes, int start, int len) {
    writeLong(len);
    out.write(bytes, start, len);
  }

  @Override
  public void writeFixed(byte[] bytes, int start, int len) {
    out.write(bytes, start, len);
  }

  @Override
  public void writeEnum(int e) {
    writeInt(e);
  }

  @Override
  public void writeArrayStart() {
    // Binary arrays start with their first block count.
  }

  @Override
  public void setItemCount(long itemCount) {
    if (itemCount > 0) {
      writeLong(itemCount);
    }
  }

  @Override
  public void startItem() {
    // Items have no marker.
  }

  @Override
  public void writeArrayEnd() {
    out.write(0);
  }

  @Override
  public void writeMapStart() {
    // As arrays.
  }

  @Override
  public void writeMapEnd() {
    out.write(0);
  }

  @Override
  public void writeIndex(int unionIndex) {
    writeInt(unionIndex);
  }

  @Override
  public void flush() {
    // Writes go straight to the buffer.
  }
}
