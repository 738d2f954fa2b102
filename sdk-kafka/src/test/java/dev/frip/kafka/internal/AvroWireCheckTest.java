package dev.frip.kafka.internal;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import org.apache.avro.Schema;
import org.junit.jupiter.api.Test;

class AvroWireCheckTest {

  private static void zigzag(ByteArrayOutputStream out, long n) {
    long z = (n << 1) ^ (n >> 63);
    while ((z & ~0x7fL) != 0) {
      out.write((int) ((z & 0x7f) | 0x80));
      z >>>= 7;
    }
    out.write((int) z);
  }

  private static void check(Schema schema, byte[] bytes) throws IOException {
    new AvroWireCheck(schema).check(new BufferDecoder().reset(bytes, 0, bytes.length));
  }

  @Test
  void itemsWithoutBytesAreBoundedOverTheWholeValueNotPerBlock() {
    Schema nulls = new Schema.Parser().parse("{\"type\":\"array\",\"items\":\"null\"}");
    ByteArrayOutputStream many = new ByteArrayOutputStream();
    for (int b = 0; b < 20_000; b++) {
      zigzag(many, 65_536); // 1.3 billion nulls in 60 KB
    }
    zigzag(many, 0);
    assertThatThrownBy(() -> check(nulls, many.toByteArray()))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("declares");
    ByteArrayOutputStream some = new ByteArrayOutputStream();
    zigzag(some, 70_000); // a valid array of 70,000 nulls in one block
    zigzag(some, 0);
    assertThatCode(() -> check(nulls, some.toByteArray())).doesNotThrowAnyException();
  }

  @Test
  void aLinkedListOfAFewHundredNodesIsNotTooDeep() {
    Schema list =
        new Schema.Parser()
            .parse(
                "{\"type\":\"record\",\"name\":\"N\",\"fields\":[{\"name\":\"v\",\"type\":\"int\"},"
                    + "{\"name\":\"next\",\"type\":[\"null\",\"N\"]}]}");
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (int i = 0; i < 300; i++) {
      zigzag(out, i); // v
      zigzag(out, 1); // next: the N branch
    }
    zigzag(out, 0); // v
    zigzag(out, 0); // next: null
    assertThatCode(() -> check(list, out.toByteArray())).doesNotThrowAnyException();
  }
}
