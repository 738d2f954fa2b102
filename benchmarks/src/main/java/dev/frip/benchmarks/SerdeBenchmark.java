package dev.frip.benchmarks;

import dev.frip.core.events.PaymentEvent;
import dev.frip.kafka.FripAvroDeserializer;
import dev.frip.kafka.FripAvroSerializer;
import dev.frip.kafka.SchemaRegistry;
import dev.frip.kafka.SchemaRegistryServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.concurrent.TimeUnit;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificDatumWriter;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Serialize plus deserialize one {@link PaymentEvent} on one thread: FRIP's Confluent wire-format
 * serde (registry on 127.0.0.1, ids cached after the first record) against plain Avro binary
 * encode/decode of the same record, without header or registry, as the baseline.
 *
 * <p>{@code events}: {@code generator} cycles the first 1,024 payments of the synthetic world
 * (random event ids, the generator's cardinalities of users, merchants, countries, currencies and
 * categories, its share of card-not-present payments without terminal or location), so the
 * deserializer's string cache sees realistic repeats rather than one constant value; {@code dense}
 * cycles 4,096 {@link Payments#payment} events: every optional field set but the device id, and one
 * constant value for category, countries and currency.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
@Threads(1)
@State(Scope.Thread)
public class SerdeBenchmark {

  private SchemaRegistryServer server;
  private SchemaRegistry registry;
  private FripAvroSerializer serializer;
  private FripAvroDeserializer deserializer;

  /** Which payments are cycled: {@code generator} or {@code dense} (see the class comment). */
  @Param({"generator", "dense"})
  public String events;

  private PaymentEvent[] payments;
  private int next;

  private final SpecificDatumWriter<PaymentEvent> plainWriter =
      new SpecificDatumWriter<>(PaymentEvent.class);
  private final SpecificDatumReader<PaymentEvent> plainReader =
      new SpecificDatumReader<>(PaymentEvent.class);
  private final ByteArrayOutputStream plainOut = new ByteArrayOutputStream(512);
  private BinaryEncoder plainEncoder;
  private BinaryDecoder plainDecoder;

  @Setup(Level.Trial)
  public void setUp() {
    server = SchemaRegistryServer.builder().port(0).start();
    registry = SchemaRegistry.builder().url(server.url()).build();
    serializer = new FripAvroSerializer(registry);
    deserializer = new FripAvroDeserializer(registry, true);
    payments = Payments.of(events, 1024);
    // The first record registers the schema; the benchmark measures the cached hot path.
    deserializer.deserialize("payments", serializer.serialize("payments", payments[0]));
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    registry.close();
    server.close();
  }

  private PaymentEvent nextEvent() {
    PaymentEvent e = payments[next];
    next = (next + 1) & (payments.length - 1);
    return e;
  }

  /** FRIP: wire-format serialize then deserialize to the generated class. */
  @Benchmark
  public Object fripSerdeRoundTrip() {
    return deserializer.deserialize("payments", serializer.serialize("payments", nextEvent()));
  }

  /** Baseline: plain Avro binary encode then decode, no header, no registry. */
  @Benchmark
  public Object plainAvroRoundTrip() throws IOException {
    plainOut.reset();
    plainEncoder = EncoderFactory.get().directBinaryEncoder(plainOut, plainEncoder);
    plainWriter.write(nextEvent(), plainEncoder);
    plainEncoder.flush();
    byte[] bytes = plainOut.toByteArray();
    plainDecoder = DecoderFactory.get().binaryDecoder(bytes, plainDecoder);
    return plainReader.read(null, plainDecoder);
  }
}
