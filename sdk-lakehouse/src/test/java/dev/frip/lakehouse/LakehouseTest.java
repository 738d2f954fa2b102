package dev.frip.lakehouse;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.frip.core.Topics;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LakehouseTest {

  @TempDir Path dir;

  @Test
  void localLayoutFollowsTheSeed() {
    Lakehouse lake = Lakehouse.local(dir);
    String root = dir.toUri().toString().replaceAll("/$", "");
    assertThat(lake.root()).isEqualTo(root);
    assertThat(lake.bronzePath(Topics.GEO_EVENTS)).isEqualTo(root + "/bronze/geo_events");
    assertThat(lake.silverPath()).isEqualTo(root + "/silver/enriched_transactions");
    assertThat(lake.goldPath("daily_revenue")).isEqualTo(root + "/gold/daily_revenue");
    assertThat(lake.quarantinePath("enriched_transactions"))
        .isEqualTo(root + "/quarantine/enriched_transactions");
  }

  @Test
  void s3BucketFromTheSeedVariablesUsesPathStyleForMinio() {
    Lakehouse lake =
        Lakehouse.builder()
            .environment(
                Map.of(
                    "MINIO_ENDPOINT", "http://127.0.0.1:9000",
                    "S3_BUCKET", "lakehouse",
                    "AWS_ACCESS_KEY_ID", "minioadmin",
                    "AWS_SECRET_ACCESS_KEY", "s3cr3t-value"))
            .build();
    Configuration c = lake.hadoopConfiguration();
    assertThat(lake.root()).isEqualTo("s3a://lakehouse");
    assertThat(lake.bronzePath(Topics.ORDERS)).isEqualTo("s3a://lakehouse/bronze/orders");
    assertThat(c.get("fs.s3a.endpoint")).isEqualTo("http://127.0.0.1:9000");
    assertThat(c.get("fs.s3a.path.style.access")).isEqualTo("true");
    assertThat(c.get("fs.s3a.connection.ssl.enabled")).isEqualTo("false");
    assertThat(c.get("fs.s3a.secret.key")).isEqualTo("s3cr3t-value");
    assertThat(lake.toString()).doesNotContain("s3cr3t-value").doesNotContain("minioadmin");
  }

  @Test
  void awsUsesVirtualHostedAccessAndSecretsFromTheProvider() {
    Lakehouse lake =
        Lakehouse.builder()
            .root("s3a://prod-lake/")
            .environment(Map.of("AWS_REGION", "eu-west-1"))
            .secrets(
                name ->
                    Optional.ofNullable(
                        Map.of("AWS_ACCESS_KEY_ID", "AKIA", "AWS_SECRET_ACCESS_KEY", "xyz")
                            .get(name)))
            .hadoopProperty("fs.s3a.connection.maximum", "64")
            .build();
    Configuration c = lake.hadoopConfiguration();
    assertThat(lake.root()).isEqualTo("s3a://prod-lake");
    assertThat(c.get("fs.s3a.path.style.access")).isEqualTo("false");
    assertThat(c.get("fs.s3a.endpoint.region")).isEqualTo("eu-west-1");
    assertThat(c.get("fs.s3a.access.key")).isEqualTo("AKIA");
    assertThat(c.get("fs.s3a.connection.maximum")).isEqualTo("64");
  }

  @Test
  void credentialsComeFromFilesNamedByTheFileVariablesAndNeverShowInToString() throws Exception {
    java.nio.file.Path secret =
        java.nio.file.Files.writeString(dir.resolve("key"), "file-secret\n");
    Lakehouse lake =
        Lakehouse.builder()
            .environment(
                Map.of(
                    "MINIO_ENDPOINT", "http://127.0.0.1:9000",
                    "S3_BUCKET", "lakehouse",
                    "AWS_ACCESS_KEY_ID", "file-test-access",
                    "AWS_SECRET_ACCESS_KEY_FILE", secret.toString()))
            .build();
    assertThat(lake.hadoopConfiguration().get("fs.s3a.secret.key")).isEqualTo("file-secret");
    assertThat(lake.toString()).doesNotContain("file-secret", "file-test-access");
  }

  @Test
  void minioWithoutCredentialsFailsAtBuild() {
    Lakehouse.Builder b =
        Lakehouse.builder()
            .environment(Map.of("MINIO_ENDPOINT", "http://127.0.0.1:9000", "S3_BUCKET", "l"));
    assertThatThrownBy(b::build).hasMessageContaining("no credentials were found");
    Lakehouse.Builder half =
        Lakehouse.builder().root("s3a://l").environment(Map.of("AWS_ACCESS_KEY_ID", "a"));
    assertThatThrownBy(half::build).hasMessageContaining("AWS_SECRET_ACCESS_KEY is missing");
  }

  @Test
  void builderValidatesEachArgument() {
    assertThatThrownBy(() -> Lakehouse.builder().checkpointInterval(0))
        .hasMessageContaining("checkpoint interval was 0");
    assertThatThrownBy(() -> Lakehouse.builder().root(" ")).hasMessageContaining("blank");
    assertThatThrownBy(() -> Lakehouse.builder().root("hdfs://nn/lake"))
        .hasMessageContaining("'hdfs://nn/lake' has an unsupported scheme");
    for (String withKeys :
        new String[] {
          "s3a://AKIAEXAMPLE:TopSecret123@lakehouse/", "s3://AKIAEXAMPLE:TopSecret123@x"
        }) {
      assertThatThrownBy(() -> Lakehouse.builder().root(withKeys))
          .hasMessageContaining("carries credentials in the URI")
          .hasMessageContaining("AWS_ACCESS_KEY_ID")
          .hasMessageContaining("://***@")
          .satisfies(e -> assertThat(e.getMessage()).doesNotContain("TopSecret123", "AKIAEXAMPLE"));
    }
    assertThatThrownBy(() -> Lakehouse.local(dir).goldPath("Bad Name"))
        .hasMessageContaining("'Bad Name'");
    assertThatThrownBy(() -> Lakehouse.local(dir).bronzeWriter(Topics.deadLetterOf(Topics.ORDERS)))
        .hasMessageContaining("orders.dlq has no value schema");
  }

  @Test
  void fileUriRootIsAccepted() {
    Lakehouse lake = Lakehouse.builder().root(dir.toUri().toString()).build();
    assertThat(lake.root()).isEqualTo(dir.toUri().toString().replaceAll("/$", ""));
  }
}
