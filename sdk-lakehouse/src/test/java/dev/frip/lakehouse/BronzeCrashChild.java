package dev.frip.lakehouse;

import dev.frip.core.Topics;
import dev.frip.kafka.SchemaRegistry;
import java.nio.file.Path;
import java.time.Duration;

/**
 * The JVM that {@link BronzeIngesterCrashTest} kills: ingests the payments topic until idle, with
 * the crash point named by the system property {@value CrashPoints#PROPERTY} armed.
 *
 * <p>Arguments: bootstrap servers, registry URL, lakehouse directory, group id, buffer records.
 */
public final class BronzeCrashChild {

  private BronzeCrashChild() {}

  /** Entry point; prints {@code frip-crash-child finished} when no crash point stopped it. */
  public static void main(String[] args) {
    try (SchemaRegistry registry = SchemaRegistry.builder().url(args[1]).build();
        BronzeIngester ingester =
            BronzeIngester.builder()
                .lakehouse(Lakehouse.local(Path.of(args[2])))
                .bootstrapServers(args[0])
                .registry(registry)
                .groupId(args[3])
                .topics(Topics.PAYMENTS)
                .buffer(Integer.parseInt(args[4]), Duration.ofMinutes(5))
                .pollTimeout(Duration.ofMillis(200))
                // The killed member leaves the group only when its session expires; the restart
                // would wait the default 45 s for it.
                .consumerProperty("session.timeout.ms", 6_000)
                .build()) {
      ingester.runUntilIdle();
    }
    System.out.println("frip-crash-child finished");
  }
}
