package dev.frip.lakehouse.internal;

import java.util.List;
import java.util.UUID;
import org.apache.avro.LogicalTypes;
import org.apache.avro.Schema;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificRecord;

/**
 * Turns lakehouse rows back into the Avro events they were written from: each column named like a
 * field of the event's schema goes to that field (strings to UUIDs and enum symbols where the
 * schema says so; timestamps, numbers and strings as read). Fields without a column keep their Java
 * default (null, 0, false), so a projection reads only what the consumer needs.
 */
public final class EventRows {

  private static final int AS_IS = 0;
  private static final int UUID_KIND = 1;
  private static final int ENUM_KIND = 2;

  private final Schema schema;
  private final List<String> columns;
  private final int[] positions;
  private final int[] kinds;
  private final Schema[] enums;

  /**
   * @param schema the event's Avro schema (a generated SpecificRecord class)
   * @param columns the row's columns, each a field of {@code schema}
   * @throws IllegalArgumentException naming the column that is not a field of the schema
   */
  public EventRows(Schema schema, List<String> columns) {
    this.schema = schema;
    this.columns = List.copyOf(columns);
    this.positions = new int[columns.size()];
    this.kinds = new int[columns.size()];
    this.enums = new Schema[columns.size()];
    for (int i = 0; i < columns.size(); i++) {
      Schema.Field f = schema.getField(columns.get(i));
      if (f == null) {
        throw new IllegalArgumentException(
            "column " + columns.get(i) + " is not a field of " + schema.getFullName());
      }
      positions[i] = f.pos();
      Schema s = nonNull(f.schema());
      if (s.getLogicalType() instanceof LogicalTypes.Uuid) {
        kinds[i] = UUID_KIND;
      } else if (s.getType() == Schema.Type.ENUM) {
        kinds[i] = ENUM_KIND;
        enums[i] = s;
      }
    }
  }

  /** The columns a row must hold, in order. */
  public List<String> columns() {
    return columns;
  }

  /**
   * The event of one row (values in {@link #columns()} order).
   *
   * @throws IllegalArgumentException naming the column when a UUID or enum value does not parse
   */
  public SpecificRecord event(Object[] row) {
    SpecificRecord r = (SpecificRecord) SpecificData.get().newRecord(null, schema);
    for (int i = 0; i < positions.length; i++) {
      Object v = row[i];
      if (v != null && kinds[i] != AS_IS) {
        try {
          v =
              kinds[i] == UUID_KIND
                  ? UUID.fromString((String) v)
                  : SpecificData.get().createEnum((String) v, enums[i]);
        } catch (RuntimeException e) {
          throw new IllegalArgumentException(
              schema.getName() + "." + columns.get(i) + ": cannot read '" + v + "'", e);
        }
      }
      r.put(positions[i], v);
    }
    return r;
  }

  private static Schema nonNull(Schema s) {
    if (s.getType() != Schema.Type.UNION) {
      return s;
    }
    for (Schema b : s.getTypes()) {
      if (b.getType() != Schema.Type.NULL) {
        return b;
      }
    }
    return s;
  }
}
