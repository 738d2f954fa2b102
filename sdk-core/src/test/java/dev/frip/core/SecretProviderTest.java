package dev.frip.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SecretProviderTest {

  @TempDir Path dir;

  @Test
  void standardReadsNameFileBeforeName() throws Exception {
    Path file = Files.writeString(dir.resolve("pg"), "from-file\n");
    SecretProvider p =
        SecretProvider.standard(
            Map.of(
                "POSTGRES_PASSWORD_FILE", file.toString(),
                "POSTGRES_PASSWORD", "from-env",
                "AWS_ACCESS_KEY_ID", "AKIA",
                "AWS_SECRET_ACCESS_KEY", "  "));
    assertThat(p.secret("POSTGRES_PASSWORD")).contains("from-file");
    assertThat(p.secret("AWS_ACCESS_KEY_ID")).contains("AKIA");
    assertThat(p.secret("AWS_SECRET_ACCESS_KEY")).as("blank is absent").isEmpty();
    assertThat(p.secret("MISSING")).isEmpty();
  }

  @Test
  void aNameFileThatDoesNotExistIsAnErrorNamingTheVariableNotTheValue() {
    SecretProvider p =
        SecretProvider.standard(Map.of("S3_KEY_FILE", dir.resolve("nope").toString()));
    assertThatThrownBy(() -> p.secret("S3_KEY"))
        .isInstanceOf(UncheckedIOException.class)
        .hasMessageContaining("S3_KEY_FILE names a file that does not exist");
  }

  @Test
  void anEmptyOrBlankNameFileIsAnErrorThatSaysSoNotThatTheFileIsMissing() throws Exception {
    Path empty = Files.writeString(dir.resolve("empty"), "");
    Path blank = Files.writeString(dir.resolve("blank"), " \t\r\n");
    SecretProvider p =
        SecretProvider.standard(
            Map.of(
                "EMPTY_FILE", empty.toString(),
                "BLANK_FILE", blank.toString(),
                "BLANK", "from-env"));

    for (String name : new String[] {"EMPTY", "BLANK"}) {
      assertThatThrownBy(() -> p.secret(name))
          .isInstanceOf(UncheckedIOException.class)
          .hasMessageContaining(name + "_FILE names a file that exists but is empty")
          .hasMessageContaining(dir.resolve(name.toLowerCase(java.util.Locale.ROOT)).toString())
          .hasMessageNotContaining("does not exist");
    }
  }

  @Test
  void directoryReadsOneFilePerSecretAndRefusesPathsAsNames() throws Exception {
    Files.writeString(dir.resolve("AWS_SECRET_ACCESS_KEY"), "s3cr3t\r\n");
    SecretProvider p = SecretProvider.directory(dir);
    assertThat(p.secret("AWS_SECRET_ACCESS_KEY")).contains("s3cr3t");
    assertThat(p.secret("AWS_ACCESS_KEY_ID")).isEmpty();
    assertThatThrownBy(() -> p.secret("../etc/passwd"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("letters, digits and underscores");
  }

  @Test
  void chainsAskTheNextProviderOnlyForWhatIsMissingAndNeverPrintValues() {
    SecretProvider vault = name -> Optional.ofNullable(Map.of("A", "vault-a").get(name));
    SecretProvider env = SecretProvider.fromMap(Map.of("A", "env-a", "B", "env-b"), "test env");
    SecretProvider chain = vault.orElse(env);
    assertThat(chain.secret("A")).contains("vault-a");
    assertThat(chain.secret("B")).contains("env-b");
    assertThat(chain.secret("C")).isEmpty();
    assertThat(chain.toString()).contains("test env").doesNotContain("env-a", "env-b", "vault-a");
    assertThat(SecretProvider.environment().toString()).isEqualTo("SecretProvider[environment]");
  }
}
