package dev.frip.kafka;

import dev.frip.kafka.internal.BufferEncoder;
import dev.frip.kafka.internal.ByteBuffers;
import dev.frip.kafka.internal.FastAvroCodec;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.io.IOException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericContainer;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.io.DatumWriter;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.Serializer;

/**
 * Kafka {@link Serializer} for Avro records in the Confluent wire format: magic byte 0, the 4-byte
 * big-endian schema id, then Avro binary. Takes generated (specific) records and {@code
 * GenericRecord}s. The subject is {@code {topic}-value} or {@code {topic}-key} (TopicNameStrategy).
 *
 * <p>The first record of each schema registers it (or only looks it up when {@link
 * AvroSerde#AUTO_REGISTER_SCHEMAS} is false); its id is cached, so later records make no HTTP call.
 * Thread-safe, as Kafka producers require.
 *
 * <pre>{@code
 * Serializer<Object> values = new FripAvroSerializer(registry);
 * KafkaProducer<String, Object> p = new KafkaProducer<>(props, new StringSerializer(), values);
 * }</pre>
 *
 * @since 0.1.0
 */
public final class FripAvroSerializer implements Serializer<Object> {

  private static final ThreadLocal<Output> OUTPUT = ThreadLocal.withInitial(Output::new);

  private static final class Output {
    final ByteBuffers bytes = new ByteBuffers();
    final BufferEncoder encoder = new BufferEncoder(bytes);
  }

  private SchemaRegistry registry;
  private boolean ownsRegistry;
  private boolean autoRegister = true;
  private boolean isKey;
  private Timer timer;
  // Keyed by topic, not subject, so the hot path builds no subject string.
  private final Map<String, Map<Schema, Integer>> idsByTopic = new ConcurrentHashMap<>();
  private final Map<Schema, FastAvroCodec.ValueWriter> specificWriters = new ConcurrentHashMap<>();
  private final Map<Schema, FastAvroCodec.ValueWriter> genericWriters = new ConcurrentHashMap<>();

  /** What the last record needed; immutable, so threads may share and replace it freely. */
  private record Plan(
      String topic, Schema schema, boolean specific, int id, FastAvroCodec.ValueWriter writer) {}

  private volatile Plan last;

  /** For Kafka's configuration by class name: {@link #configure} builds the registry client. */
  public FripAvroSerializer() {}

  /** A value serializer on this registry that registers schemas on first use. */
  public FripAvroSerializer(SchemaRegistry registry) {
    this(registry, true);
  }

  /**
   * A value serializer on this registry.
   *
   * @param autoRegister register unknown schemas (true) or only look them up (false)
   */
  public FripAvroSerializer(SchemaRegistry registry, boolean autoRegister) {
    this.registry = java.util.Objects.requireNonNull(registry, "registry");
    this.autoRegister = autoRegister;
  }

  /** Records serialize time in {@code frip.kafka.serde.time{op=serialize}}. Returns this. */
  public FripAvroSerializer meterRegistry(MeterRegistry meters) {
    this.timer =
        Timer.builder("frip.kafka.serde.time")
            .description("Time to serialize or deserialize one record")
            .tag("op", "serialize")
            .register(meters);
    return this;
  }

  /**
   * Reads {@link AvroSerde#AUTO_REGISTER_SCHEMAS} and, without a registry given, builds one from
   * {@link AvroSerde#SCHEMA_REGISTRY_URL} and the auth keys.
   */
  @Override
  public void configure(Map<String, ?> configs, boolean isKey) {
    this.isKey = isKey;
    this.autoRegister =
        AvroSerde.booleanConfig(configs, AvroSerde.AUTO_REGISTER_SCHEMAS, autoRegister);
    if (registry == null) {
      registry = AvroSerde.registryFromConfig(configs);
      ownsRegistry = true;
    }
  }

  /** Configures this serializer for record keys ({@code {topic}-key}). Returns this. */
  public FripAvroSerializer forKeys() {
    this.isKey = true;
    return this;
  }

  @Override
  public byte[] serialize(String topic, Object data) {
    if (data == null) {
      return null;
    }
    if (registry == null) {
      throw new IllegalStateException(
          "FripAvroSerializer is not configured: pass a SchemaRegistry or set "
              + AvroSerde.SCHEMA_REGISTRY_URL);
    }
    long start = timer != null ? System.nanoTime() : 0L;
    Schema schema = schemaOf(topic, data);
    boolean specific = data instanceof SpecificRecord;
    // Same topic and schema as last time (the common case): no map lookups.
    Plan plan = last;
    if (plan == null
        || plan.schema != schema
        || plan.specific != specific
        || !plan.topic.equals(topic)) {
      plan = new Plan(topic, schema, specific, idFor(topic, schema), writerFor(schema, specific));
      last = plan;
    }
    int id = plan.id;
    Output out = OUTPUT.get();
    out.bytes.reset();
    out.bytes.write(AvroSerde.MAGIC_BYTE);
    out.bytes.writeInt(id);
    try {
      plan.writer.write(data, out.encoder);
      out.encoder.flush();
    } catch (IOException | RuntimeException e) {
      throw new AvroSerdeException(
          topic,
          id,
          "cannot serialize a "
              + schema.getFullName()
              + " for topic "
              + topic
              + " with schema id "
              + id
              + ": "
              + e.getMessage(),
          e);
    }
    byte[] bytes = out.bytes.toByteArray();
    if (timer != null) {
      timer.record(System.nanoTime() - start, TimeUnit.NANOSECONDS);
    }
    return bytes;
  }

  private static Schema schemaOf(String topic, Object data) {
    if (data instanceof GenericContainer c) {
      return c.getSchema();
    }
    throw new AvroSerdeException(
        topic,
        AvroSerdeException.NO_SCHEMA_ID,
        "FripAvroSerializer takes Avro records (generated classes or GenericRecord); topic "
            + topic
            + " got a "
            + data.getClass().getName(),
        null);
  }

  private int idFor(String topic, Schema schema) {
    Map<Schema, Integer> ids = idsByTopic.get(topic);
    if (ids == null) {
      ids = idsByTopic.computeIfAbsent(topic, t -> new ConcurrentHashMap<>());
    }
    Integer id = ids.get(schema);
    if (id != null) {
      return id;
    }
    String subject = AvroSerde.subject(topic, isKey);
    try {
      int fresh =
          autoRegister ? registry.register(subject, schema) : registry.lookup(subject, schema).id();
      ids.put(schema, fresh);
      return fresh;
    } catch (SchemaRegistryException e) {
      throw new AvroSerdeException(
          topic,
          AvroSerdeException.NO_SCHEMA_ID,
          (autoRegister ? "cannot register " : "cannot find ")
              + schema.getFullName()
              + " under subject "
              + subject
              + ": "
              + e.getMessage(),
          e);
    }
  }

  private FastAvroCodec.ValueWriter writerFor(Schema schema, boolean specific) {
    Map<Schema, FastAvroCodec.ValueWriter> writers = specific ? specificWriters : genericWriters;
    FastAvroCodec.ValueWriter w = writers.get(schema);
    if (w == null) {
      w = writers.computeIfAbsent(schema, s -> newWriter(s, specific));
    }
    return w;
  }

  @SuppressWarnings("unchecked")
  private static FastAvroCodec.ValueWriter newWriter(Schema schema, boolean specific) {
    FastAvroCodec.ValueWriter fast = FastAvroCodec.writer(schema);
    if (fast != null) {
      return fast;
    }
    DatumWriter<Object> avro =
        specific
            ? (DatumWriter<Object>)
                (DatumWriter<?>)
                    new SpecificDatumWriter<>(schema, SpecificData.getForSchema(schema))
            : new GenericDatumWriter<>(schema, GenericData.get());
    return avro::write;
  }

  @Override
  public void close() {
    if (ownsRegistry) {
      registry.close();
    }
  }
}
