package dev.frip.benchmarks;

import dev.frip.core.events.PaymentEvent;
import dev.frip.kafka.FripAvroDeserializer;
import dev.frip.kafka.FripAvroSerializer;
import dev.frip.kafka.SchemaRegistry;
import dev.frip.kafka.SchemaRegistryServer;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Locale;

/**
 * Records per CPU-second of one thread for the serde round trip of a payment: what "per core" means
 * when the machine is shared and wall-clock benchmarks are disturbed by other processes.
 * Complements {@link SerdeBenchmark} (JMH, wall clock).
 *
 * <p>Usage: {@code java -cp benchmarks/target/benchmarks.jar dev.frip.benchmarks.SerdeCpuTime
 * [records=5000000] [events=generator|dense]} (the payments cycled, as in {@link SerdeBenchmark}).
 */
public final class SerdeCpuTime {

  private SerdeCpuTime() {}

  /** Entry point. */
  public static void main(String[] args) {
    int n = args.length > 0 ? Integer.parseInt(args[0]) : 5_000_000;
    ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    String kind = args.length > 1 ? args[1] : "generator";
    PaymentEvent[] events = Payments.of(kind, 1024);
    try (SchemaRegistryServer server = SchemaRegistryServer.builder().port(0).start();
        SchemaRegistry registry = SchemaRegistry.builder().url(server.url()).build()) {
      FripAvroSerializer ser = new FripAvroSerializer(registry);
      FripAvroDeserializer de = new FripAvroDeserializer(registry, true);
      long sink = 0;
      for (int round = 0; round < 3; round++) {
        boolean warmup = round == 0;
        int count = warmup ? n / 2 : n;
        long cpu0 = threads.getCurrentThreadCpuTime();
        long wall0 = System.nanoTime();
        for (int i = 0; i < count; i++) {
          byte[] bytes = ser.serialize("payments", events[i & 1023]);
          sink += ((PaymentEvent) de.deserialize("payments", bytes)).getAmountMinor();
        }
        long cpu = threads.getCurrentThreadCpuTime() - cpu0;
        long wall = System.nanoTime() - wall0;
        System.out.printf(
            Locale.ROOT,
            "%s round trip (%s events): %d records, %.0f records per CPU-second,"
                + " %.0f records per wall-second%n",
            warmup ? "warmup" : "RESULT",
            kind,
            count,
            count / (cpu / 1e9),
            count / (wall / 1e9));
      }
      if (sink == 42) {
        System.out.println("(sink)");
      }
    }
  }
}
