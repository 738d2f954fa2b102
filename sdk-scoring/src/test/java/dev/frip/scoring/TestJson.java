package dev.frip.scoring;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/** Writes the value trees of {@code ModelDocument} back to JSON, to craft broken models. */
final class TestJson {

  private TestJson() {}

  static byte[] write(Object v) {
    StringBuilder b = new StringBuilder();
    write(b, v);
    return b.toString().getBytes(StandardCharsets.UTF_8);
  }

  private static void write(StringBuilder b, Object v) {
    if (v == null) {
      b.append("null");
    } else if (v instanceof String s) {
      b.append('"').append(s.replace("\\", "\\\\").replace("\"", "\\\"")).append('"');
    } else if (v instanceof Map<?, ?> m) {
      b.append('{');
      boolean first = true;
      for (Map.Entry<?, ?> e : m.entrySet()) {
        if (!first) {
          b.append(',');
        }
        first = false;
        write(b, e.getKey().toString());
        b.append(':');
        write(b, e.getValue());
      }
      b.append('}');
    } else if (v instanceof List<?> l) {
      b.append('[');
      for (int i = 0; i < l.size(); i++) {
        if (i > 0) {
          b.append(',');
        }
        write(b, l.get(i));
      }
      b.append(']');
    } else {
      b.append(v);
    }
  }
}
