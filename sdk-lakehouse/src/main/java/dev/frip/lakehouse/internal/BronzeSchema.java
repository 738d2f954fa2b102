package dev.frip.lakehouse.internal;

import io.delta.kernel.types.ArrayType;
import io.delta.kernel.types.BooleanType;
import io.delta.kernel.types.DataType;
import io.delta.kernel.types.DateType;
import io.delta.kernel.types.DoubleType;
import io.delta.kernel.types.FloatType;
import io.delta.kernel.types.IntegerType;
import io.delta.kernel.types.LongType;
import io.delta.kernel.types.StringType;
import io.delta.kernel.types.StructField;
import io.delta.kernel.types.StructType;
import io.delta.kernel.types.TimestampType;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import org.apache.avro.LogicalType;
import org.apache.avro.LogicalTypes;
import org.apache.avro.Schema;
import org.apache.avro.generic.IndexedRecord;

/**
 * The bronze table schema of a topic: the Avro value's fields as typed columns (strings, UUIDs and
 * enums as strings; {@code timestamp-millis} as UTC timestamps; an array of strings, such as the
 * {@code reasons} of {@code fraud_scores}, as {@code array<string>} without null elements), then
 * the Kafka coordinates, the ingestion time and the {@code event_date} partition column (the UTC
 * date of {@code event_time}).
 */
public final class BronzeSchema {

  /** Kafka metadata column names, in table order after the event's fields. */
  public static final String KAFKA_TOPIC = "kafka_topic";

  public static final String KAFKA_PARTITION = "kafka_partition";
  public static final String KAFKA_OFFSET = "kafka_offset";
  public static final String KAFKA_TIMESTAMP = "kafka_timestamp";
  public static final String SCHEMA_ID = "schema_id";
  public static final String INGESTED_AT = "ingested_at";
  public static final String EVENT_DATE = "event_date";
  public static final String EVENT_TIME = "event_time";

  private final Schema avro;
  private final StructType struct;
  private final int eventTimePos;
  private final int fieldCount;
  private final boolean[] nullable;
  private final boolean[] timestamp;
  private final boolean[] array;
  private LocalDate lastDate = LocalDate.EPOCH;

  private BronzeSchema(Schema avro, StructType struct, int eventTimePos) {
    this.avro = avro;
    this.struct = struct;
    this.eventTimePos = eventTimePos;
    this.fieldCount = avro.getFields().size();
    this.nullable = new boolean[fieldCount];
    this.timestamp = new boolean[fieldCount];
    this.array = new boolean[fieldCount];
    for (int i = 0; i < fieldCount; i++) {
      nullable[i] = struct.at(i).isNullable();
      timestamp[i] = struct.at(i).getDataType() instanceof TimestampType;
      array[i] = struct.at(i).getDataType() instanceof ArrayType;
    }
  }

  /** Derives the bronze schema of an Avro record schema that has an {@code event_time} field. */
  public static BronzeSchema of(Schema avro) {
    List<StructField> fields = new ArrayList<>();
    for (Schema.Field f : avro.getFields()) {
      Schema s = f.schema();
      boolean nullable = false;
      if (s.getType() == Schema.Type.UNION) {
        List<Schema> branches = new ArrayList<>();
        for (Schema b : s.getTypes()) {
          if (b.getType() == Schema.Type.NULL) {
            nullable = true;
          } else {
            branches.add(b);
          }
        }
        if (branches.size() != 1) {
          throw new IllegalArgumentException(
              avro.getName() + "." + f.name() + ": only [null, T] unions map to a Delta column");
        }
        s = branches.get(0);
      }
      fields.add(
          new StructField(f.name(), deltaType(avro.getName() + "." + f.name(), s), nullable));
    }
    Schema.Field et = avro.getField(EVENT_TIME);
    if (et == null || !(et.schema().getLogicalType() instanceof LogicalTypes.TimestampMillis)) {
      throw new IllegalArgumentException(
          avro.getName() + " has no timestamp-millis event_time field to partition by");
    }
    fields.add(new StructField(KAFKA_TOPIC, StringType.STRING, false));
    fields.add(new StructField(KAFKA_PARTITION, IntegerType.INTEGER, false));
    fields.add(new StructField(KAFKA_OFFSET, LongType.LONG, false));
    fields.add(new StructField(KAFKA_TIMESTAMP, TimestampType.TIMESTAMP, false));
    fields.add(new StructField(SCHEMA_ID, IntegerType.INTEGER, false));
    fields.add(new StructField(INGESTED_AT, TimestampType.TIMESTAMP, false));
    fields.add(new StructField(EVENT_DATE, DateType.DATE, false));
    return new BronzeSchema(avro, new StructType(fields), et.pos());
  }

  private static DataType deltaType(String where, Schema s) {
    LogicalType lt = s.getLogicalType();
    if (lt instanceof LogicalTypes.TimestampMillis || lt instanceof LogicalTypes.TimestampMicros) {
      return TimestampType.TIMESTAMP;
    }
    return switch (s.getType()) {
      case STRING, ENUM -> StringType.STRING;
      case LONG -> LongType.LONG;
      case INT -> IntegerType.INTEGER;
      case DOUBLE -> DoubleType.DOUBLE;
      case FLOAT -> FloatType.FLOAT;
      case BOOLEAN -> BooleanType.BOOLEAN;
      case ARRAY -> {
        Schema items = s.getElementType();
        if (items.getType() != Schema.Type.STRING && items.getType() != Schema.Type.ENUM) {
          throw new IllegalArgumentException(
              where + ": only arrays of strings map to a bronze column, not of " + items.getType());
        }
        yield new ArrayType(StringType.STRING, false);
      }
      default ->
          throw new IllegalArgumentException(
              where + ": Avro type " + s.getType() + " has no bronze column mapping");
    };
  }

  /** The Delta schema. */
  public StructType struct() {
    return struct;
  }

  /** The Avro schema the columns came from. */
  public Schema avro() {
    return avro;
  }

  /** The UTC date of an event's {@code event_time}. */
  public LocalDate eventDate(IndexedRecord value) {
    Object t = value.get(eventTimePos);
    long millis = t instanceof Instant in ? in.toEpochMilli() : (Long) t;
    long day = Math.floorDiv(millis, 86_400_000L);
    LocalDate last = lastDate;
    if (last.toEpochDay() == day) {
      // Events arrive mostly in time order: one LocalDate per day, not per row. A race between
      // writers only costs an extra LocalDate (immutable, safely published).
      return last;
    }
    LocalDate d = LocalDate.ofEpochDay(day);
    lastDate = d;
    return d;
  }

  /** Kernel's physical timestamp: microseconds since the epoch (a {@code Long} means millis). */
  private static Long micros(Object t) {
    if (t instanceof Instant i) {
      return Math.addExact(Math.multiplyExact(i.getEpochSecond(), 1_000_000L), i.getNano() / 1000);
    }
    return Math.multiplyExact((Long) t, 1000L);
  }

  /** An Avro array of strings (Utf8, String or enum symbols) as a list of Java strings. */
  private static List<String> strings(String column, List<?> items) {
    List<String> out = new ArrayList<>(items.size());
    for (Object o : items) {
      if (o == null) {
        throw new IllegalArgumentException("column " + column + " holds a null element");
      }
      out.add(o.toString());
    }
    return out;
  }

  /**
   * One bronze row for an event and its Kafka coordinates. Timestamps are in Kernel's physical form
   * (microseconds since the epoch, UTC), so the Parquet batch takes them without conversion.
   */
  public Object[] row(
      IndexedRecord value,
      String topic,
      int partition,
      long offset,
      long kafkaTimestampMillis,
      int schemaId,
      Instant ingestedAt) {
    Object[] row = new Object[fieldCount + 7];
    for (int i = 0; i < fieldCount; i++) {
      Object v = value.get(i);
      if (v == null) {
        if (!nullable[i]) {
          throw new IllegalArgumentException("column " + struct.at(i).getName() + " is null");
        }
      } else if (timestamp[i]) {
        v = micros(v);
      } else if (array[i]) {
        v = strings(struct.at(i).getName(), (List<?>) v);
      }
      row[i] = v;
    }
    row[fieldCount] = topic;
    row[fieldCount + 1] = partition;
    row[fieldCount + 2] = offset;
    row[fieldCount + 3] = micros(kafkaTimestampMillis);
    row[fieldCount + 4] = schemaId;
    row[fieldCount + 5] = micros(ingestedAt);
    row[fieldCount + 6] = eventDate(value);
    return row;
  }
}
