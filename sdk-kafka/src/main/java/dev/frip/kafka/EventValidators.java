package dev.frip.kafka;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericRecord;

/**
 * FRIP's validation rules for event records (generated or generic): the key is present and equals
 * {@code user_id}; {@code user_id} and {@code event_id} are non-empty; {@code amount_minor} is not
 * negative; {@code currency} is three capital letters. Rules apply where the schema has the field.
 *
 * @since 0.1.0
 */
public final class EventValidators {

  private static final Pattern CURRENCY = Pattern.compile("[A-Z]{3}");

  private EventValidators() {}

  /** The standard rules above. */
  public static RecordValidator<Object> standard() {
    return EventValidators::check;
  }

  private static List<Violation> check(String key, Object value) {
    List<Violation> out = new ArrayList<>(2);
    if (key == null || key.isEmpty()) {
      out.add(new Violation("key", "is missing; every FRIP record is keyed by user_id"));
    }
    if (value == null) {
      out.add(new Violation("value", "is null"));
      return out;
    }
    if (!(value instanceof GenericRecord r)) {
      out.add(
          new Violation("value", "is a " + value.getClass().getName() + ", not an Avro record"));
      return out;
    }
    Schema schema = r.getSchema();
    for (String required : new String[] {"user_id", "event_id"}) {
      Schema.Field f = schema.getField(required);
      if (f != null) {
        Object v = r.get(f.pos());
        if (v == null || v.toString().isEmpty()) {
          out.add(new Violation(required, "is empty"));
        }
      }
    }
    Schema.Field user = schema.getField("user_id");
    if (user != null && key != null && !key.isEmpty()) {
      Object v = r.get(user.pos());
      if (v != null && !v.toString().isEmpty() && !key.equals(v.toString())) {
        out.add(new Violation("user_id", "is '" + v + "' but the record key is '" + key + "'"));
      }
    }
    Schema.Field amount = schema.getField("amount_minor");
    if (amount != null && r.get(amount.pos()) instanceof Number n && n.longValue() < 0) {
      out.add(new Violation("amount_minor", "must be >= 0, was " + n));
    }
    Schema.Field currency = schema.getField("currency");
    if (currency != null) {
      Object c = r.get(currency.pos());
      if (c == null || !CURRENCY.matcher(c.toString()).matches()) {
        out.add(
            new Violation(
                "currency", "must be an ISO 4217 code of 3 capital letters, was '" + c + "'"));
      }
    }
    return out;
  }
}
