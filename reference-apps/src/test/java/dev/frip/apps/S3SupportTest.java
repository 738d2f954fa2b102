package dev.frip.apps;

import static org.assertj.core.api.Assertions.assertThat;

import dev.frip.core.ObjectStore;
import dev.frip.lakehouse.Lakehouse;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The CLI offers s3a:// roots ({@code --lakehouse}, {@code --registry}, {@code ML_MODEL_PATH}): the
 * S3A connector and its AWS SDK must be on its classpath (they are optional in sdk-lakehouse).
 * Opening the file system needs no network (no bucket probe); the end-to-end S3 run is the
 * sdk-lakehouse s3mock profile.
 */
class S3SupportTest {

  @Test
  void anS3aRootOpensThroughTheS3aConnector() throws Exception {
    Lakehouse lake =
        Lakehouse.builder()
            .root("s3a://lakehouse/")
            .environment(
                Map.of(
                    "MINIO_ENDPOINT", "http://127.0.0.1:9",
                    "AWS_ACCESS_KEY_ID", "test-access",
                    "AWS_SECRET_ACCESS_KEY", "test-secret"))
            .build();
    ObjectStore registry = lake.objectStore(Lakehouse.MODEL_REGISTRY);
    assertThat(registry.describe()).isEqualTo("s3a://lakehouse/models/registry");
    assertThat(Class.forName("org.apache.hadoop.fs.s3a.S3AFileSystem")).isNotNull();
  }
}
