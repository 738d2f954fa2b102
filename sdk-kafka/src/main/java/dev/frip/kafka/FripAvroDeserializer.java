package dev.frip.kafka;

import dev.frip.kafka.internal.AvroWireCheck;
import dev.frip.kafka.internal.BufferDecoder;
import dev.frip.kafka.internal.FastAvroCodec;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.io.IOException;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.DatumReader;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.serialization.Deserializer;

/**
 * Kafka {@link Deserializer} for the Confluent wire format. Reads the schema id from the header,
 * fetches the writer's schema once per id, and resolves it against the reader's schema, so a reader
 * with a newer compatible schema reads records written with an older one.
 *
 * <p>The reader schema is, in order: the one given to the constructor; the generated class named by
 * the writer's schema when {@link AvroSerde#SPECIFIC_AVRO_READER} is true (returns that class);
 * else the writer's schema (returns {@code GenericRecord}). Every failure is an {@link
 * AvroSerdeException} naming the topic, the schema id if readable and what was wrong.
 *
 * @since 0.1.0
 */
public final class FripAvroDeserializer implements Deserializer<Object> {

  private static final ThreadLocal<BinaryDecoder[]> DECODER =
      ThreadLocal.withInitial(() -> new BinaryDecoder[1]);

  private SchemaRegistry registry;
  private boolean ownsRegistry;
  private boolean specific;
  private final Schema readerSchema;
  private Timer timer;
  private final Map<Integer, RecordReader> readers = new ConcurrentHashMap<>();

  /** The reader of the last record's schema id; immutable, so threads may share it freely. */
  private record LastReader(int id, RecordReader reader) {}

  private volatile LastReader last;

  /** Decodes the Avro body of a wire-format record (after the 5-byte header). */
  @FunctionalInterface
  private interface RecordReader {
    Object read(byte[] record) throws java.io.IOException;
  }

  private static final ThreadLocal<BufferDecoder> BUFFER_DECODER =
      ThreadLocal.withInitial(BufferDecoder::new);

  /** For Kafka's configuration by class name: {@link #configure} builds the registry client. */
  public FripAvroDeserializer() {
    this.readerSchema = null;
  }

  /**
   * A deserializer on this registry.
   *
   * @param specific return generated classes (true) or {@code GenericRecord}s (false)
   */
  public FripAvroDeserializer(SchemaRegistry registry, boolean specific) {
    this.registry = Objects.requireNonNull(registry, "registry");
    this.specific = specific;
    this.readerSchema = null;
  }

  /** A deserializer that reads every record as {@code GenericRecord}s of this reader schema. */
  public FripAvroDeserializer(SchemaRegistry registry, Schema readerSchema) {
    this.registry = Objects.requireNonNull(registry, "registry");
    this.readerSchema = Objects.requireNonNull(readerSchema, "readerSchema");
  }

  /** Records deserialize time in {@code frip.kafka.serde.time{op=deserialize}}. Returns this. */
  public FripAvroDeserializer meterRegistry(MeterRegistry meters) {
    this.timer =
        Timer.builder("frip.kafka.serde.time")
            .description("Time to serialize or deserialize one record")
            .tag("op", "deserialize")
            .register(meters);
    return this;
  }

  /** Reads {@link AvroSerde#SPECIFIC_AVRO_READER} and, without a registry, builds one. */
  @Override
  public void configure(Map<String, ?> configs, boolean isKey) {
    this.specific = AvroSerde.booleanConfig(configs, AvroSerde.SPECIFIC_AVRO_READER, specific);
    if (registry == null) {
      registry = AvroSerde.registryFromConfig(configs);
      ownsRegistry = true;
    }
  }

  @Override
  public Object deserialize(String topic, Headers headers, byte[] data) {
    return deserialize(topic, data);
  }

  @Override
  public Object deserialize(String topic, byte[] data) {
    if (data == null) {
      return null;
    }
    if (registry == null) {
      throw new IllegalStateException(
          "FripAvroDeserializer is not configured: pass a SchemaRegistry or set "
              + AvroSerde.SCHEMA_REGISTRY_URL);
    }
    long start = timer != null ? System.nanoTime() : 0L;
    if (data.length < AvroSerde.HEADER_LENGTH) {
      throw new AvroSerdeException(
          topic,
          AvroSerdeException.NO_SCHEMA_ID,
          "record on topic "
              + topic
              + " is "
              + data.length
              + " bytes, shorter than the 5-byte Confluent wire-format header",
          null);
    }
    if (data[0] != AvroSerde.MAGIC_BYTE) {
      throw new AvroSerdeException(
          topic,
          AvroSerdeException.NO_SCHEMA_ID,
          String.format(
              "record on topic %s starts with magic byte 0x%02x, expected 0x00: it is not in the"
                  + " Confluent wire format",
              topic, data[0] & 0xff),
          null);
    }
    int id = AvroSerde.schemaIdOf(data);
    // Same schema id as last time (the common case): no map lookup, no boxing.
    LastReader cached = last;
    RecordReader reader;
    if (cached != null && cached.id == id) {
      reader = cached.reader;
    } else {
      reader = readers.get(id);
      if (reader == null) {
        reader = readerFor(topic, id);
      }
      last = new LastReader(id, reader);
    }
    Object value;
    try {
      value = reader.read(data);
    } catch (java.io.IOException | RuntimeException e) {
      throw new AvroSerdeException(
          topic,
          id,
          "record on topic "
              + topic
              + " with schema id "
              + id
              + " is not valid Avro for that schema (truncated or corrupt): "
              + e,
          e);
    }
    if (timer != null) {
      timer.record(System.nanoTime() - start, TimeUnit.NANOSECONDS);
    }
    return value;
  }

  @SuppressWarnings("unchecked")
  private RecordReader readerFor(String topic, int id) {
    Schema writer;
    try {
      writer = registry.schemaById(id);
    } catch (SchemaRegistryException e) {
      throw new AvroSerdeException(
          topic,
          id,
          (e.status() == 404 ? "unknown schema id " : "cannot fetch schema id ")
              + id
              + " for a record on topic "
              + topic
              + ": "
              + e.getMessage(),
          e);
    }
    Schema target;
    GenericData model;
    if (readerSchema != null) {
      target = readerSchema;
      model = GenericData.get();
    } else if (specific) {
      SpecificData specificModel = SpecificData.getForSchema(writer);
      Class<?> type = specificModel.getClass(writer);
      if (type == null) {
        throw new AvroSerdeException(
            topic,
            id,
            "no generated class "
                + writer.getFullName()
                + " on the classpath for schema id "
                + id
                + " (specific.avro.reader is true)",
            null);
      }
      target = specificModel.getSchema(type);
      model = specificModel;
    } else {
      target = writer;
      model = GenericData.get();
    }
    // Same schema on both sides: the precompiled plan; otherwise Avro's schema resolution.
    FastAvroCodec.ValueReader fast =
        writer.equals(target) ? FastAvroCodec.reader(target, model) : null;
    RecordReader reader;
    if (fast != null) {
      reader =
          record -> {
            BufferDecoder in =
                BUFFER_DECODER
                    .get()
                    .reset(
                        record, AvroSerde.HEADER_LENGTH, record.length - AvroSerde.HEADER_LENGTH);
            Object value = fast.read(in);
            if (in.remaining() != 0) {
              throw new IOException(in.remaining() + " bytes left over after the value");
            }
            return value;
          };
    } else {
      // Avro's reader allocates whatever lengths and counts the bytes declare; the check walks
      // the bytes first, so a corrupt record is refused instead of running the JVM out of memory.
      AvroWireCheck check = new AvroWireCheck(writer);
      DatumReader<Object> avro =
          model instanceof SpecificData sd
              ? (DatumReader<Object>) (DatumReader<?>) new SpecificDatumReader<>(writer, target, sd)
              : new GenericDatumReader<>(writer, target, model);
      reader =
          record -> {
            check.check(
                BUFFER_DECODER
                    .get()
                    .reset(
                        record, AvroSerde.HEADER_LENGTH, record.length - AvroSerde.HEADER_LENGTH));
            BinaryDecoder[] slot = DECODER.get();
            BinaryDecoder decoder =
                DecoderFactory.get()
                    .binaryDecoder(
                        record,
                        AvroSerde.HEADER_LENGTH,
                        record.length - AvroSerde.HEADER_LENGTH,
                        slot[0]);
            slot[0] = decoder;
            return avro.read(null, decoder);
          };
    }
    readers.put(id, reader);
    return reader;
  }

  @Override
  public void close() {
    if (ownsRegistry) {
      registry.close();
    }
  }
}
