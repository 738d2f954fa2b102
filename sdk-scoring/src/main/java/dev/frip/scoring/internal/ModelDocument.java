package dev.frip.scoring.internal;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Parses XGBoost's JSON and UBJSON model documents into plain Java values: {@link Map}, {@link
 * List}, {@link String}, {@link Boolean}, {@code null}, numbers, and primitive arrays for UBJSON's
 * strongly typed numeric arrays.
 *
 * <p>JSON numbers are kept as their decimal text ({@link Decimal}) so that a float32 value is
 * rounded once, from decimal to float, exactly as XGBoost wrote it; going through a double would
 * round twice.
 */
public final class ModelDocument {

  private ModelDocument() {}

  /** Deepest nesting of arrays and objects accepted; XGBoost's own documents nest about 6 deep. */
  static final int MAX_DEPTH = 64;

  /** A JSON number kept as text until its type is known. */
  public static final class Decimal extends Number {
    private static final long serialVersionUID = 1L;
    private final String text;

    Decimal(String text) {
      this.text = text;
    }

    @Override
    public int intValue() {
      return (int) longValue();
    }

    @Override
    public long longValue() {
      try {
        return Long.parseLong(text);
      } catch (NumberFormatException e) {
        double d = Double.parseDouble(text);
        if (d != Math.rint(d)) {
          throw new IllegalArgumentException("expected an integer but found " + text);
        }
        return (long) d;
      }
    }

    @Override
    public float floatValue() {
      return Float.parseFloat(text);
    }

    @Override
    public double doubleValue() {
      return Double.parseDouble(text);
    }

    @Override
    public String toString() {
      return text;
    }
  }

  /** Parses a UTF-8 JSON document. */
  public static Object parseJson(byte[] bytes) {
    return new JsonReader(new String(bytes, StandardCharsets.UTF_8)).document();
  }

  /** Parses a UBJSON document (the format of XGBoost's {@code .ubj} files). */
  public static Object parseUbjson(byte[] bytes) {
    return new UbjsonReader(bytes).document();
  }

  private static final class JsonReader {
    private final String s;
    private int pos;
    private int depth;

    JsonReader(String s) {
      this.s = s;
    }

    Object document() {
      Object v = value();
      skipWs();
      if (pos != s.length()) {
        throw error("unexpected trailing content");
      }
      return v;
    }

    private IllegalArgumentException error(String what) {
      return new IllegalArgumentException("invalid JSON at offset " + pos + ": " + what);
    }

    private void skipWs() {
      while (pos < s.length()) {
        char c = s.charAt(pos);
        if (c == ' ' || c == '\n' || c == '\r' || c == '\t') {
          pos++;
        } else {
          break;
        }
      }
    }

    private Object value() {
      skipWs();
      if (pos >= s.length()) {
        throw error("unexpected end of document");
      }
      char c = s.charAt(pos);
      switch (c) {
        case '{':
          return object();
        case '[':
          return array();
        case '"':
          return string();
        case 't':
          return literal("true", Boolean.TRUE);
        case 'f':
          return literal("false", Boolean.FALSE);
        case 'n':
          return literal("null", null);
        default:
          if (c == '-' || (c >= '0' && c <= '9')) {
            return number();
          }
          throw error("unexpected character '" + c + "'");
      }
    }

    private Object literal(String word, Object v) {
      if (!s.startsWith(word, pos)) {
        throw error("expected " + word);
      }
      pos += word.length();
      return v;
    }

    private Object number() {
      int start = pos;
      while (pos < s.length()) {
        char c = s.charAt(pos);
        if ((c >= '0' && c <= '9') || c == '-' || c == '+' || c == '.' || c == 'e' || c == 'E') {
          pos++;
        } else {
          break;
        }
      }
      String text = s.substring(start, pos);
      try {
        Double.parseDouble(text);
      } catch (NumberFormatException e) {
        pos = start;
        throw error("malformed number " + text);
      }
      return new Decimal(text);
    }

    private String string() {
      pos++; // opening quote
      StringBuilder b = null;
      int start = pos;
      while (true) {
        if (pos >= s.length()) {
          throw error("unterminated string");
        }
        char c = s.charAt(pos);
        if (c == '"') {
          String out = b == null ? s.substring(start, pos) : b.append(s, start, pos).toString();
          pos++;
          return out;
        }
        if (c == '\\') {
          if (b == null) {
            b = new StringBuilder();
          }
          b.append(s, start, pos);
          if (pos + 1 >= s.length()) {
            throw error("unterminated escape");
          }
          char e = s.charAt(pos + 1);
          pos += 2;
          switch (e) {
            case 'n' -> b.append('\n');
            case 't' -> b.append('\t');
            case 'r' -> b.append('\r');
            case 'b' -> b.append('\b');
            case 'f' -> b.append('\f');
            case 'u' -> {
              if (pos + 4 > s.length()) {
                throw error("truncated unicode escape");
              }
              b.append((char) Integer.parseInt(s.substring(pos, pos + 4), 16));
              pos += 4;
            }
            default -> b.append(e);
          }
          start = pos;
        } else {
          pos++;
        }
      }
    }

    private void enter() {
      if (++depth > MAX_DEPTH) {
        throw error("nested deeper than " + MAX_DEPTH + " levels");
      }
    }

    private List<Object> array() {
      enter();
      List<Object> out = jsonArray();
      depth--;
      return out;
    }

    private Map<String, Object> object() {
      enter();
      Map<String, Object> out = jsonObject();
      depth--;
      return out;
    }

    private List<Object> jsonArray() {
      pos++;
      List<Object> out = new ArrayList<>();
      skipWs();
      if (pos < s.length() && s.charAt(pos) == ']') {
        pos++;
        return out;
      }
      while (true) {
        out.add(value());
        skipWs();
        if (pos >= s.length()) {
          throw error("unterminated array");
        }
        char c = s.charAt(pos++);
        if (c == ']') {
          return out;
        }
        if (c != ',') {
          pos--;
          throw error("expected ',' or ']'");
        }
      }
    }

    private Map<String, Object> jsonObject() {
      pos++;
      Map<String, Object> out = new LinkedHashMap<>();
      skipWs();
      if (pos < s.length() && s.charAt(pos) == '}') {
        pos++;
        return out;
      }
      while (true) {
        skipWs();
        if (pos >= s.length() || s.charAt(pos) != '"') {
          throw error("expected a member name");
        }
        String key = string();
        skipWs();
        if (pos >= s.length() || s.charAt(pos) != ':') {
          throw error("expected ':' after \"" + key + "\"");
        }
        pos++;
        out.put(key, value());
        skipWs();
        if (pos >= s.length()) {
          throw error("unterminated object");
        }
        char c = s.charAt(pos++);
        if (c == '}') {
          return out;
        }
        if (c != ',') {
          pos--;
          throw error("expected ',' or '}'");
        }
      }
    }
  }

  private static final class UbjsonReader {
    private final byte[] b;
    private int pos;
    private int depth;

    UbjsonReader(byte[] b) {
      this.b = b;
    }

    Object document() {
      Object v = value(marker());
      if (pos != b.length) {
        throw error("unexpected trailing content");
      }
      return v;
    }

    private IllegalArgumentException error(String what) {
      return new IllegalArgumentException("invalid UBJSON at offset " + pos + ": " + what);
    }

    private void need(long n) {
      if (n < 0 || pos + n > b.length) {
        throw error("truncated document (needs " + n + " more bytes)");
      }
    }

    private char marker() {
      while (true) {
        need(1);
        char c = (char) (b[pos++] & 0xff);
        if (c != 'N') {
          return c;
        }
      }
    }

    private long readInt(char type) {
      switch (type) {
        case 'i':
          need(1);
          return b[pos++];
        case 'U':
          need(1);
          return b[pos++] & 0xff;
        case 'I':
          need(2);
          return (short) ((b[pos++] & 0xff) << 8 | (b[pos++] & 0xff));
        case 'l':
          need(4);
          return readInt32();
        case 'L':
          need(8);
          long hi = readInt32() & 0xffffffffL;
          long lo = readInt32() & 0xffffffffL;
          return hi << 32 | lo;
        default:
          throw error("expected an integer type but found '" + type + "'");
      }
    }

    private int readInt32() {
      int v =
          (b[pos] & 0xff) << 24
              | (b[pos + 1] & 0xff) << 16
              | (b[pos + 2] & 0xff) << 8
              | (b[pos + 3] & 0xff);
      pos += 4;
      return v;
    }

    private int length() {
      long n = readInt(marker());
      if (n < 0 || n > Integer.MAX_VALUE) {
        throw error("invalid length " + n);
      }
      return (int) n;
    }

    private Object value(char type) {
      switch (type) {
        case 'Z':
          return null;
        case 'T':
          return Boolean.TRUE;
        case 'F':
          return Boolean.FALSE;
        case 'i':
        case 'U':
        case 'I':
        case 'l':
        case 'L':
          return readInt(type);
        case 'd':
          need(4);
          return Float.intBitsToFloat(readInt32());
        case 'D':
          need(8);
          return Double.longBitsToDouble(readInt('L'));
        case 'C':
          need(1);
          return String.valueOf((char) (b[pos++] & 0xff));
        case 'S':
        case 'H':
          return string();
        case '[':
          return array();
        case '{':
          return object();
        default:
          pos--;
          throw error("unknown type marker '" + type + "'");
      }
    }

    private String string() {
      int n = length();
      need(n);
      String s = new String(b, pos, n, StandardCharsets.UTF_8);
      pos += n;
      return s;
    }

    private void enter() {
      if (++depth > MAX_DEPTH) {
        throw error("nested deeper than " + MAX_DEPTH + " levels");
      }
    }

    private Object array() {
      enter();
      Object out = ubjsonArray();
      depth--;
      return out;
    }

    private Map<String, Object> object() {
      enter();
      Map<String, Object> out = ubjsonObject();
      depth--;
      return out;
    }

    private Object ubjsonArray() {
      char elemType = 0;
      int count = -1;
      char c = marker();
      if (c == '$') {
        need(1);
        elemType = (char) (b[pos++] & 0xff);
        c = marker();
        if (c != '#') {
          throw error("typed array without a count");
        }
      }
      if (c == '#') {
        count = length();
      } else {
        pos--;
      }
      if (count >= 0 && elemType != 0) {
        return typedArray(elemType, count);
      }
      List<Object> out = new ArrayList<>(count >= 0 ? Math.min(count, 1 << 16) : 8);
      if (count >= 0) {
        for (int i = 0; i < count; i++) {
          out.add(value(marker()));
        }
        return out;
      }
      while (true) {
        char m = marker();
        if (m == ']') {
          return out;
        }
        out.add(value(m));
      }
    }

    private Object typedArray(char type, int count) {
      switch (type) {
        case 'd':
          {
            need(4L * count);
            float[] out = new float[count];
            for (int i = 0; i < count; i++) {
              out[i] = Float.intBitsToFloat(readInt32());
            }
            return out;
          }
        case 'l':
          {
            need(4L * count);
            int[] out = new int[count];
            for (int i = 0; i < count; i++) {
              out[i] = readInt32();
            }
            return out;
          }
        case 'i':
        case 'U':
        case 'I':
        case 'L':
          {
            long width = type == 'L' ? 8 : type == 'I' ? 2 : 1;
            need(width * count);
            long[] out = new long[count];
            for (int i = 0; i < count; i++) {
              out[i] = readInt(type);
            }
            return out;
          }
        case 'Z':
        case 'N':
        case 'T':
        case 'F':
          // Elements without bytes: a 9-byte document could declare two billion of them.
          throw error("typed array of '" + type + "' (elements without data) is not supported");
        default:
          {
            need(count); // every other element takes at least a byte
            List<Object> out = new ArrayList<>(Math.min(count, 1 << 16));
            for (int i = 0; i < count; i++) {
              out.add(value(type));
            }
            return out;
          }
      }
    }

    private Map<String, Object> ubjsonObject() {
      Map<String, Object> out = new LinkedHashMap<>();
      char elemType = 0;
      int count = -1;
      char c = marker();
      if (c == '$') {
        need(1);
        elemType = (char) (b[pos++] & 0xff);
        c = marker();
      }
      if (c == '#') {
        count = length();
      } else {
        pos--;
      }
      for (int i = 0; count < 0 || i < count; i++) {
        if (count < 0) {
          char m = marker();
          if (m == '}') {
            return out;
          }
          pos--;
        }
        String key = string();
        out.put(key, value(elemType != 0 ? elemType : marker()));
      }
      return out;
    }
  }
}
