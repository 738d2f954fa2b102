package dev.frip.benchmarks;

import dev.frip.core.EventStream;
import dev.frip.core.GeneratedEvent;
import dev.frip.core.GeneratorConfig;
import dev.frip.core.WorldGenerator;
import dev.frip.core.events.PaymentEvent;
import dev.frip.core.events.PaymentMethod;
import dev.frip.core.events.PaymentStatus;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.UUID;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificDatumWriter;

/** Realistic payment events for benchmarks, deterministic per index. */
final class Payments {

  private Payments() {}

  static PaymentEvent payment(int i) {
    return PaymentEvent.newBuilder()
        .setEventId(new UUID(0x5eedL, i))
        .setEventTime(Instant.ofEpochMilli(1_767_225_600_000L + i * 37L))
        .setPaymentId("pay-" + i)
        .setOrderId("ord-" + i)
        .setUserId("user-" + (i % 50_000))
        .setCardId("card-" + (i % 70_000))
        .setMerchantId("m-" + (i % 2_000))
        .setMerchantCategory("electronics")
        .setMerchantCountry("DE")
        .setTerminalId("t-" + (i % 9_000))
        .setDeviceId(i % 3 == 0 ? null : "dev-" + (i % 60_000))
        .setIp("10.1." + (i % 250) + "." + (i % 200))
        .setCountry("DE")
        .setLat(52.52 + (i % 100) * 0.001)
        .setLon(13.40 + (i % 100) * 0.001)
        .setAmountMinor(100 + (i * 7919L) % 250_000)
        .setCurrency("EUR")
        .setPaymentMethod(i % 2 == 0 ? PaymentMethod.CARD_NOT_PRESENT : PaymentMethod.CARD_PRESENT)
        .setStatus(i % 20 == 0 ? PaymentStatus.DECLINED : PaymentStatus.AUTHORIZED)
        .setDeclineReason(i % 20 == 0 ? "insufficient_funds" : null)
        .build();
  }

  /**
   * The first {@code n} payments of the synthetic world (platform profile, default seed): distinct
   * random event ids and the generator's own mix of users, merchants, countries, currencies,
   * categories, payment methods and decline reasons, for benchmarks whose cost depends on the
   * values (string caches, varint lengths).
   *
   * <p>The payments are returned as copies allocated one after the other (an Avro write and read
   * back), as {@link #payment} builds its events: the generator's own objects are scattered among
   * the orders, refunds and sessions it makes, and a benchmark cycling through them would mostly
   * measure cache misses on its input rather than the code under test.
   */
  static PaymentEvent[] generated(int n) {
    PaymentEvent[] out = new PaymentEvent[n];
    int found = 0;
    try (EventStream stream = WorldGenerator.create(GeneratorConfig.builder().build()).stream()) {
      while (found < n && stream.hasNext()) {
        GeneratedEvent e = stream.next();
        if (e.value() instanceof PaymentEvent p) {
          out[found++] = compactCopy(p);
        }
      }
    }
    if (found < n) {
      throw new IllegalStateException("the world has only " + found + " payments, " + n + " asked");
    }
    return out;
  }

  private static final SpecificDatumWriter<PaymentEvent> WRITER =
      new SpecificDatumWriter<>(PaymentEvent.class);
  private static final SpecificDatumReader<PaymentEvent> READER =
      new SpecificDatumReader<>(PaymentEvent.class);

  private static PaymentEvent compactCopy(PaymentEvent p) {
    try {
      ByteArrayOutputStream bytes = new ByteArrayOutputStream(256);
      BinaryEncoder enc = EncoderFactory.get().directBinaryEncoder(bytes, null);
      WRITER.write(p, enc);
      enc.flush();
      return READER.read(null, DecoderFactory.get().binaryDecoder(bytes.toByteArray(), null));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * {@code n} payments: {@code generator} for {@link #generated}, {@code dense} for {@link
   * #payment}.
   */
  static PaymentEvent[] of(String kind, int n) {
    switch (kind) {
      case "generator":
        return generated(n);
      case "dense":
        PaymentEvent[] out = new PaymentEvent[n];
        for (int i = 0; i < n; i++) {
          out[i] = payment(i);
        }
        return out;
      default:
        throw new IllegalArgumentException("events '" + kind + "': use generator or dense");
    }
  }
}
