package dev.frip.core.internal;

import java.io.IOException;
import java.io.UncheckedIOException;

/** The one JSON string-literal writer of sdk-core, with the escapes RFC 8259 requires. */
public final class JsonStrings {

  private JsonStrings() {}

  /** Appends {@code s} as a JSON string literal. */
  public static void append(CharSequence s, Appendable out) throws IOException {
    out.append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"' -> out.append("\\\"");
        case '\\' -> out.append("\\\\");
        case '\n' -> out.append("\\n");
        case '\r' -> out.append("\\r");
        case '\t' -> out.append("\\t");
        default -> {
          if (c < 0x20) {
            out.append("\\u00").append(Character.forDigit(c >> 4, 16));
            out.append(Character.forDigit(c & 0xF, 16));
          } else {
            out.append(c);
          }
        }
      }
    }
    out.append('"');
  }

  /** Appends {@code s} as a JSON string literal to a builder, which cannot fail. */
  public static void append(CharSequence s, StringBuilder out) {
    try {
      append(s, (Appendable) out);
    } catch (IOException e) {
      throw new UncheckedIOException(e); // a StringBuilder never throws
    }
  }
}
