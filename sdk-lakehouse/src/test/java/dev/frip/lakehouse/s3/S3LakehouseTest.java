package dev.frip.lakehouse.s3;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import com.adobe.testing.s3mock.S3MockApplication;
import dev.frip.core.Topics;
import dev.frip.core.events.PaymentEvent;
import dev.frip.lakehouse.BronzeRecord;
import dev.frip.lakehouse.BronzeTableWriter;
import dev.frip.lakehouse.Events;
import dev.frip.lakehouse.Lakehouse;
import dev.frip.lakehouse.SilverJob;
import dev.frip.lakehouse.SilverResult;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.Socket;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The lakehouse on s3a:// (path-style, as with MinIO) against S3Mock on 127.0.0.1. */
class S3LakehouseTest {

  @TempDir static Path dir;
  static S3MockApplication s3;

  private static final Instant T = Instant.parse("2026-02-25T10:00:00Z");
  private static final LocalDate D = LocalDate.parse("2026-02-25");

  @BeforeAll
  static void startS3Mock() {
    Map<String, Object> props = new HashMap<>();
    props.put("server.address", "127.0.0.1");
    props.put(S3MockApplication.PROP_HTTPS_PORT, S3MockApplication.RANDOM_PORT);
    props.put(S3MockApplication.PROP_HTTP_PORT, S3MockApplication.RANDOM_PORT);
    props.put(S3MockApplication.PROP_INITIAL_BUCKETS, "lakehouse");
    props.put(S3MockApplication.PROP_ROOT_DIRECTORY, dir.resolve("s3").toString());
    props.put(S3MockApplication.PROP_SILENT, true);
    props.put("spring.main.sources", LoopbackOnly.class.getName());
    s3 = S3MockApplication.start(props);
  }

  @AfterAll
  static void stopS3Mock() {
    if (s3 != null) {
      s3.stop();
    }
  }

  private static Lakehouse lake() {
    return onS3Mock().checkpointInterval(2).build();
  }

  /** A lakehouse builder with S3Mock's endpoint, bucket and keys, as the seed's variables say. */
  private static Lakehouse.Builder onS3Mock() {
    return Lakehouse.builder()
        .environment(
            Map.of(
                "MINIO_ENDPOINT", "http://127.0.0.1:" + s3.getHttpPort(),
                "S3_BUCKET", "lakehouse",
                "AWS_ACCESS_KEY_ID", "test-access",
                "AWS_SECRET_ACCESS_KEY", "test-secret"));
  }

  @Test
  void bronzeExactlyOnceAndSilverOnS3() {
    Lakehouse lake = lake();
    assertThat(lake.root()).isEqualTo("s3a://lakehouse");
    BronzeTableWriter w = lake.bronzeWriter(Topics.PAYMENTS);
    List<BronzeRecord> batch = new ArrayList<>();
    for (int i = 0; i < 12; i++) {
      PaymentEvent p = Events.payment("p" + i, "u" + i, T.plusSeconds(60L * i), 100L * i);
      batch.add(Events.rec(p, i % 3, i));
    }
    w.write(batch.subList(0, 4));
    w.write(batch.subList(4, 8));
    // A restarted writer gets everything again; only the new records land.
    BronzeTableWriter restarted = lake().bronzeWriter(Topics.PAYMENTS);
    assertThat(restarted.write(batch).written()).isEqualTo(4);
    assertThat(restarted.committedOffsets()).containsEntry(0, 9L).containsEntry(2, 11L);
    assertThat(lake.scan(w.tablePath()).on(D).count()).isEqualTo(12);
    restarted.compact(D);
    assertThat(restarted.fileCount(D)).isEqualTo(1);

    SilverResult r = SilverJob.builder(lake).build().run(D);
    assertThat(r.published()).isTrue();
    assertThat(lake.scan(lake.silverPath()).on(D).columns("payment_id").count()).isEqualTo(12);
    assertThat(r.qualityResultPath()).startsWith("s3a://lakehouse/quality/enriched_transactions/");
  }

  @Test
  void objectStoreKeepsItsContractOnS3() throws Exception {
    dev.frip.core.ObjectStore store = lake().objectStore(Lakehouse.MODEL_REGISTRY);
    dev.frip.lakehouse.ObjectStoreOnLakehouseTest.checkContract(store);
    assertThat(store.describe()).isEqualTo("s3a://lakehouse/models/registry");
  }

  @Test
  void createNewIsAConditionalPutNotACheckThenWrite() throws Exception {
    // With fs.s3a.create.performance S3A skips its existence check before a create, so only the
    // If-None-Match: * on the PUT itself can refuse the second writer.
    Lakehouse lake =
        onS3Mock()
            .hadoopProperty("fs.s3a.create.performance", "true")
            .hadoopProperty("fs.s3a.impl.disable.cache", "true")
            .build();
    dev.frip.core.ObjectStore store = lake.objectStore("claims");
    assertThat(store.createNew("v1/.publisher", "first".getBytes(UTF_8))).isTrue();
    assertThat(store.createNew("v1/.publisher", "second".getBytes(UTF_8))).isFalse();
    assertThat(store.read("v1/.publisher")).isEqualTo("first".getBytes(UTF_8));
  }

  @Test
  void s3MockListensOnLoopbackOnly() throws Exception {
    InetAddress external = null;
    for (NetworkInterface nif : Collections.list(NetworkInterface.getNetworkInterfaces())) {
      for (InetAddress a : Collections.list(nif.getInetAddresses())) {
        if (!a.isLoopbackAddress() && a.getAddress().length == 4) {
          external = a;
        }
      }
    }
    org.junit.jupiter.api.Assumptions.assumeTrue(external != null, "no non-loopback IPv4 address");
    for (int port : new int[] {s3.getHttpPort(), s3.getPort()}) {
      boolean connected;
      try (Socket s = new Socket()) {
        s.connect(new InetSocketAddress(external, port), 500);
        connected = true;
      } catch (java.io.IOException e) {
        connected = false;
      }
      assertThat(connected).as("port %d reachable on %s", port, external).isFalse();
    }
  }
}
