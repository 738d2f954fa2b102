package dev.frip.kafka.internal;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.apache.avro.io.Encoder;
import org.apache.avro.util.Utf8;

/**
 * Avro binary encoding straight into a {@link ByteBuffers}: the same bytes as Avro's binary
 * encoders, without a stream in between and without allocating for ASCII strings.
 */
public final class BufferEncoder extends Encoder {

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
    int n = s.length();
    for (int i = 0; i < n; i++) {
      if (s.charAt(i) >= 0x80) {
        byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
        writeBytes(bytes, 0, bytes.length);
        return;
      }
    }
    writeLong(n);
    out.writeAscii(s);
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
