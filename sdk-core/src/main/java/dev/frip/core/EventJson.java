package dev.frip.core;

import dev.frip.core.internal.JsonStrings;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.List;
import org.apache.avro.Schema;
import org.apache.avro.generic.IndexedRecord;

/**
 * Writes events as JSON lines, one event a line: {@code {"topic": "payments", "key": "<user_id>",
 * "value": {...}}}. The value holds the event's fields as named in its Avro schema, in schema
 * order: timestamps as epoch milliseconds, UUIDs and enums as strings, optional fields as {@code
 * null} or the plain value (no Avro union wrapper), so any JSON tool reads it.
 *
 * <p>The output depends only on the event, so the same events give byte-identical lines.
 *
 * <pre>{@code
 * StringBuilder line = new StringBuilder();
 * EventJson.appendLine(event, line);   // ends with '\n'
 * }</pre>
 *
 * @since 0.1.0
 */
public final class EventJson {

  private EventJson() {}

  /** Appends one JSON line (terminated by {@code '\n'}) for the event to {@code out}. */
  public static void appendLine(GeneratedEvent event, Appendable out) {
    try {
      out.append("{\"topic\": ");
      JsonStrings.append(event.topic().name(), out);
      out.append(", \"key\": ");
      JsonStrings.append(event.key(), out);
      out.append(", \"value\": ");
      appendRecord(event.value(), out);
      out.append("}\n");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The JSON line for one event, without the trailing newline. */
  public static String toJson(GeneratedEvent event) {
    StringBuilder sb = new StringBuilder(512);
    appendLine(event, sb);
    sb.setLength(sb.length() - 1);
    return sb.toString();
  }

  /** Appends an Avro record as a JSON object with its fields in schema order. */
  public static void appendRecord(IndexedRecord record, Appendable out) throws IOException {
    out.append('{');
    List<Schema.Field> fields = record.getSchema().getFields();
    for (int i = 0; i < fields.size(); i++) {
      Schema.Field f = fields.get(i);
      if (i > 0) {
        out.append(", ");
      }
      JsonStrings.append(f.name(), out);
      out.append(": ");
      appendValue(record.get(f.pos()), f.schema(), f.name(), out);
    }
    out.append('}');
  }

  private static void appendValue(Object v, Schema schema, String field, Appendable out)
      throws IOException {
    if (v == null) {
      out.append("null");
    } else if (v instanceof CharSequence s) {
      JsonStrings.append(s, out);
    } else if (v instanceof Instant t) {
      out.append(Long.toString(t.toEpochMilli()));
    } else if (v instanceof java.util.UUID u) {
      JsonStrings.append(u.toString(), out);
    } else if (v instanceof Double d) {
      appendFinite(d, field, out);
    } else if (v instanceof Float f) {
      appendFinite(f.doubleValue(), field, out);
    } else if (v instanceof Number || v instanceof Boolean) {
      out.append(v.toString());
    } else if (v instanceof Enum<?> e) {
      JsonStrings.append(e.name(), out);
    } else if (v instanceof IndexedRecord r) {
      appendRecord(r, out);
    } else if (v instanceof List<?> list) {
      out.append('[');
      Schema items = elementSchema(schema);
      for (int i = 0; i < list.size(); i++) {
        if (i > 0) {
          out.append(", ");
        }
        appendValue(list.get(i), items, field, out);
      }
      out.append(']');
    } else {
      throw new IllegalArgumentException(
          "field " + field + ": cannot write a " + v.getClass().getName() + " as JSON");
    }
  }

  private static Schema elementSchema(Schema schema) {
    if (schema.getType() == Schema.Type.UNION) {
      for (Schema s : schema.getTypes()) {
        if (s.getType() == Schema.Type.ARRAY) {
          return s.getElementType();
        }
      }
    }
    return schema.getElementType();
  }

  private static void appendFinite(double d, String field, Appendable out) throws IOException {
    if (Double.isNaN(d) || Double.isInfinite(d)) {
      throw new IllegalArgumentException(
          "field " + field + " is " + d + ", which JSON cannot represent");
    }
    out.append(Double.toString(d));
  }
}
