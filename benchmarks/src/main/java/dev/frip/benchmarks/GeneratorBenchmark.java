package dev.frip.benchmarks;

import dev.frip.core.EventStream;
import dev.frip.core.GeneratedEvent;
import dev.frip.core.GeneratorConfig;
import dev.frip.core.Profile;
import dev.frip.core.Topics;
import dev.frip.core.WorldGenerator;
import dev.frip.core.events.PaymentEvent;
import java.util.concurrent.TimeUnit;
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
import org.openjdk.jmh.annotations.Warmup;

/**
 * How many events per second the synthetic world generator produces in memory on one thread.
 *
 * <p>One benchmark operation is one event taken from the stream, so the score is events per second.
 * When a world is exhausted a new stream of the same world is opened inside the measured code, so
 * world construction (users, terminals, the handbook's terminal reach) is paid for too. The {@code
 * baseline} benchmark only allocates one {@link GeneratedEvent} around a prebuilt payment per
 * operation: the floor cost of handing out an event, against which the generator is compared.
 *
 * <pre>
 * mvn -B -q -pl benchmarks -am package -DskipTests
 * java -jar benchmarks/target/benchmarks.jar GeneratorBenchmark -f 1 -wi 2 -i 3
 * </pre>
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 10)
@Measurement(iterations = 3, time = 10)
@Fork(
    value = 1,
    jvmArgsAppend = {"-Xmx2g"})
public class GeneratorBenchmark {

  /** A world being streamed, reopened from its first day whenever it runs out. */
  @State(Scope.Thread)
  public static class World {

    /** The world: platform defaults (10,000 users, 30 days) or the handbook's book dataset. */
    @Param({"platform", "handbook"})
    public String profile;

    private WorldGenerator generator;
    private EventStream stream;

    /** Builds the generator once; streams are opened in the measured code. */
    @Setup(Level.Trial)
    public void setUp() {
      generator =
          WorldGenerator.create(GeneratorConfig.builder().profile(Profile.parse(profile)).build());
      stream = generator.stream();
    }

    /** Closes the open stream. */
    @TearDown(Level.Trial)
    public void tearDown() {
      stream.close();
    }

    GeneratedEvent next() {
      if (!stream.hasNext()) {
        stream.close();
        stream = generator.stream();
      }
      return stream.next();
    }
  }

  /** A prebuilt event value for the baseline. */
  @State(Scope.Thread)
  public static class Prebuilt {
    final PaymentEvent payment = new PaymentEvent();
    long time;
  }

  /** One generated event. */
  @Benchmark
  public GeneratedEvent generate(World world) {
    return world.next();
  }

  /** One allocated event around a prebuilt value: the floor cost of handing out an event. */
  @Benchmark
  public GeneratedEvent baseline(Prebuilt p) {
    return new GeneratedEvent(Topics.PAYMENTS, "u1", p.payment, p.time++);
  }
}
